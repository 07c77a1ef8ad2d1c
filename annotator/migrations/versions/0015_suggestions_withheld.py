"""why an annotator was shown no suggestions on a document

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 23:00:00

``assignments.suggestions_withheld`` records why the suggestions endpoint
last answered an annotator an empty list on a document while their work
was open: ``calibration`` (a calibration document), ``off`` (suggestions
off) or ``none_proposed`` (suggestions on, but the suggesters proposed
nothing there). The effect of suggestions compares documents annotated
with suggestions against those withheld by the settings (whatever the
text), and counts the documents where nothing was proposed apart: they are
chosen by their text, so agreement on them says nothing about the
suggestions.

Existing rows stay ``NULL`` (not known: the reason was not kept before);
where ``suggestions_shown`` is false the effect then counts the document
as unknown, in neither group. Plain ALTER TABLE, no CHECK (as in 0014: no
batch copy of assignments); the service writes only the three values.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "assignments",
        sa.Column("suggestions_withheld", sa.String(length=16), nullable=True),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE assignments DROP COLUMN suggestions_withheld")
