"""gold layer

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 19:17:01.217084
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "adjudications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("adjudicated_by_id", sa.Integer(), nullable=True),
        sa.Column("adjudicated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'adjudicated')",
            name=op.f("ck_adjudications_status_known"),
        ),
        sa.CheckConstraint(
            "version >= 0", name=op.f("ck_adjudications_version_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["adjudicated_by_id"],
            ["users.id"],
            name=op.f("fk_adjudications_adjudicated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_adjudications_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjudications")),
        sa.UniqueConstraint("document_id", name=op.f("uq_adjudications_document_id")),
    )
    op.create_table(
        "gold_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(
                postgresql.JSONB(astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('accepted', 'corrected', 'added')",
            name=op.f("ck_gold_spans_decision_known"),
        ),
        sa.CheckConstraint(
            '"end" > "start"', name=op.f("ck_gold_spans_end_after_start")
        ),
        sa.CheckConstraint(
            '"start" >= 0', name=op.f("ck_gold_spans_start_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_gold_spans_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_gold_spans_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["labels.id"],
            name=op.f("fk_gold_spans_label_id_labels"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_spans")),
        sa.UniqueConstraint(
            "document_id",
            "start",
            "end",
            "label_id",
            name=op.f("uq_gold_spans_document_id_start_end_label_id"),
        ),
    )
    with op.batch_alter_table("gold_spans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gold_spans_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gold_spans_label_id"), ["label_id"], unique=False
        )

    op.create_table(
        "gold_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "source_id <> target_id", name=op.f("ck_gold_links_not_self")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["gold_spans.id"],
            name=op.f("fk_gold_links_source_id_gold_spans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["gold_spans.id"],
            name=op.f("fk_gold_links_target_id_gold_spans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_links")),
        sa.UniqueConstraint(
            "source_id",
            "target_id",
            "kind",
            name=op.f("uq_gold_links_source_id_target_id_kind"),
        ),
    )
    with op.batch_alter_table("gold_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gold_links_source_id"), ["source_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gold_links_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "gold_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gold_span_id", sa.Integer(), nullable=False),
        sa.Column("span_id", sa.Integer(), nullable=True),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["users.id"],
            name=op.f("fk_gold_sources_annotator_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["gold_span_id"],
            ["gold_spans.id"],
            name=op.f("fk_gold_sources_gold_span_id_gold_spans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["span_id"],
            ["spans.id"],
            name=op.f("fk_gold_sources_span_id_spans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_sources")),
        sa.UniqueConstraint(
            "gold_span_id", "span_id", name=op.f("uq_gold_sources_gold_span_id_span_id")
        ),
    )
    with op.batch_alter_table("gold_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gold_sources_annotator_id"), ["annotator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gold_sources_gold_span_id"), ["gold_span_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_gold_sources_span_id"), ["span_id"], unique=False
        )

    op.create_table(
        "rejected_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("span_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_rejected_spans_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_rejected_spans_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["span_id"],
            ["spans.id"],
            name=op.f("fk_rejected_spans_span_id_spans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_spans")),
        sa.UniqueConstraint("span_id", name=op.f("uq_rejected_spans_span_id")),
    )
    with op.batch_alter_table("rejected_spans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rejected_spans_document_id"), ["document_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rejected_spans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejected_spans_document_id"))

    op.drop_table("rejected_spans")
    with op.batch_alter_table("gold_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gold_sources_span_id"))
        batch_op.drop_index(batch_op.f("ix_gold_sources_gold_span_id"))
        batch_op.drop_index(batch_op.f("ix_gold_sources_annotator_id"))

    op.drop_table("gold_sources")
    with op.batch_alter_table("gold_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gold_links_target_id"))
        batch_op.drop_index(batch_op.f("ix_gold_links_source_id"))

    op.drop_table("gold_links")
    with op.batch_alter_table("gold_spans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gold_spans_label_id"))
        batch_op.drop_index(batch_op.f("ix_gold_spans_document_id"))

    op.drop_table("gold_spans")
    op.drop_table("adjudications")
