"""queue order: in order, random (seeded) or by model uncertainty

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:30:00

Projects get ``queue_order`` ('in-order' for every existing project, which
is what next_document did) and ``queue_seed`` (the random order's seed,
NULL until one is chosen). ``document_uncertainty`` holds what the
project's trained model thought of each document when it was registered.

The columns are added with plain ALTER TABLE, their CHECKs inline (SQLite
and PostgreSQL both take a column CHECK in ADD COLUMN): a batch copy of
projects on SQLite would drop the table and cascade-delete everything
under it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_SEED = 2_147_483_646


def upgrade() -> None:
    op.execute(
        "ALTER TABLE projects ADD COLUMN queue_order VARCHAR(12) "
        "DEFAULT 'in-order' NOT NULL "
        "CONSTRAINT ck_projects_queue_order_known "
        "CHECK (queue_order IN ('in-order', 'random', 'uncertainty'))"
    )
    op.execute(
        "ALTER TABLE projects ADD COLUMN queue_seed INTEGER "
        "CONSTRAINT ck_projects_queue_seed_range "
        f"CHECK (queue_seed >= 0 AND queue_seed <= {MAX_SEED})"
    )
    op.create_table(
        "document_uncertainty",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("suggester", sa.String(length=80), nullable=False),
        sa.Column("suggester_version", sa.String(length=80), nullable=False),
        sa.Column("proposals", sa.Integer(), nullable=False),
        sa.Column("margin", sa.Double(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "proposals >= 0",
            name=op.f("ck_document_uncertainty_proposals_not_negative"),
        ),
        sa.CheckConstraint(
            "margin IS NULL OR (margin >= 0 AND margin <= 0.5)",
            name=op.f("ck_document_uncertainty_margin_range"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_uncertainty_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_document_uncertainty_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_uncertainty")),
    )
    op.create_index(
        op.f("ix_document_uncertainty_project_id"),
        "document_uncertainty",
        ["project_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_document_uncertainty_project_id"), table_name="document_uncertainty"
    )
    op.drop_table("document_uncertainty")
    # Plain DROP COLUMN (as in 0006), no batch copy of projects; each CHECK
    # is the column's own, so it goes with it on both databases.
    op.execute("ALTER TABLE projects DROP COLUMN queue_seed")
    op.execute("ALTER TABLE projects DROP COLUMN queue_order")
