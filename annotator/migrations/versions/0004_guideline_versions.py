"""guideline versions and label definitions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 07:45:00

Each label gets a short definition and examples (plain text). The guideline
keeps every saved version (author and time) and, per member, the newest
version shown to them, so that "Guideline updated" appears once. A project's
existing guideline becomes its version 1, without an author.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("definition", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("examples", sa.Text(), server_default="", nullable=False)
        )
    op.create_table(
        "guideline_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "number >= 1", name=op.f("ck_guideline_versions_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_guideline_versions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_guideline_versions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guideline_versions")),
        sa.UniqueConstraint(
            "project_id", "number", name=op.f("uq_guideline_versions_project_id_number")
        ),
    )
    with op.batch_alter_table("guideline_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guideline_versions_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_guideline_versions_project_id"), ["project_id"], unique=False
        )
    op.create_table(
        "guideline_reads",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_guideline_reads_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_guideline_reads_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "project_id", "user_id", name=op.f("pk_guideline_reads")
        ),
    )
    with op.batch_alter_table("guideline_reads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guideline_reads_user_id"), ["user_id"], unique=False
        )
    # The guideline each project has now is its first version.
    op.execute(
        "INSERT INTO guideline_versions (project_id, number, text, created_at) "
        "SELECT id, 1, guideline, created_at FROM projects WHERE guideline <> ''"
    )


def downgrade() -> None:
    with op.batch_alter_table("guideline_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_reads_user_id"))
    op.drop_table("guideline_reads")
    with op.batch_alter_table("guideline_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_versions_project_id"))
        batch_op.drop_index(batch_op.f("ix_guideline_versions_author_id"))
    op.drop_table("guideline_versions")
    # Plain DROP COLUMN (SQLite has it since 3.35): a batch copy of labels
    # would drop the table, which the spans' RESTRICT foreign key refuses.
    op.execute("ALTER TABLE labels DROP COLUMN examples")
    op.execute("ALTER TABLE labels DROP COLUMN definition")
