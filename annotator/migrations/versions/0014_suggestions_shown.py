"""whether an annotator was shown suggestions on a document

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 22:00:00

``assignments.suggestions_shown`` records, per annotator and document,
whether the suggestions endpoint ever answered them a non-empty list there
(set then, never unset): the effect of suggestions splits documents by what
their annotators saw, not by the project's current mode and calibration
share, which an admin may have changed since.

Existing assignments are filled from what the database still shows:

- ``true`` where the annotator accepted or rejected a suggestion on the
  document, or holds a span of origin ``suggested`` on it (they were shown
  suggestions there);
- ``NULL`` (unknown) everywhere else: they may have been shown suggestions
  and ignored them, or been shown none; the effect counts such documents
  apart ("mixed or unknown"), in neither group.

Assignments made after the upgrade start at ``false``. The column is added
and dropped with plain ALTER TABLE (no CHECK, no batch copy of
assignments).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE assignments SET suggestions_shown = :shown
WHERE EXISTS (
    SELECT 1 FROM suggestion_decisions AS d
    WHERE d.document_id = assignments.document_id
      AND d.annotator_id = assignments.user_id
) OR EXISTS (
    SELECT 1 FROM spans AS s
    WHERE s.document_id = assignments.document_id
      AND s.annotator_id = assignments.user_id
      AND s.origin = 'suggested'
)
"""


def upgrade() -> None:
    op.add_column(
        "assignments", sa.Column("suggestions_shown", sa.Boolean(), nullable=True)
    )
    op.execute(
        sa.text(BACKFILL).bindparams(sa.bindparam("shown", True, type_=sa.Boolean()))
    )


def downgrade() -> None:
    op.execute("ALTER TABLE assignments DROP COLUMN suggestions_shown")
