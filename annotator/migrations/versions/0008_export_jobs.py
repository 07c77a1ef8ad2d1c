"""export jobs

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:40:00

An export asked for on the web runs as a job outside the request: its
options, status (queued, running, done, failed), progress in documents, the
finished export's folder name, and the worker process that owns it with its
last heartbeat, so that a job whose worker died is marked failed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("documents_done", sa.Integer(), nullable=False),
        sa.Column("documents_total", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("export_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker_host", sa.String(length=255), nullable=False),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_export_jobs_status_known"),
        ),
        sa.CheckConstraint(
            "documents_done >= 0", name=op.f("ck_export_jobs_done_not_negative")
        ),
        sa.CheckConstraint(
            "documents_total >= 0", name=op.f("ck_export_jobs_total_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_export_jobs_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_export_jobs_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_export_jobs_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_export_jobs_requested_by_id"),
            ["requested_by_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_export_jobs_status_created_at", ["status", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_export_jobs_status_created_at")
        batch_op.drop_index(batch_op.f("ix_export_jobs_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_export_jobs_project_id"))
    op.drop_table("export_jobs")
