"""the duplicate check of a span save ends at the span's start

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 02:00:00

A new span is refused when the annotator already has one with the same
offsets and label on the document. That check read every index entry of the
annotator's spans on the document (``ix_spans_document_annotator``: document,
annotator), so a save slowed as a document's spans grew (PostgreSQL, 820
spans: 0.25 ms, with heap fetches where the table is not yet vacuumed). The
index now ends with ``start``: the check reads the spans that start at the
same offset, and every query of one annotator's spans on a document still
uses the index's first two columns. One index replaces the other, so a
write maintains no more than before.

On PostgreSQL the index is built with a plain CREATE INDEX, which holds off
span writes while it builds (seconds for a million spans): upgrade with the
server stopped, as for any migration (docs/operations.md).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_spans_document_annotator_start",
        "spans",
        ["document_id", "annotator_id", "start"],
    )
    op.drop_index("ix_spans_document_annotator", table_name="spans")


def downgrade() -> None:
    op.create_index(
        "ix_spans_document_annotator", "spans", ["document_id", "annotator_id"]
    )
    op.drop_index("ix_spans_document_annotator_start", table_name="spans")
