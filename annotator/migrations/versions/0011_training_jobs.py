"""training jobs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:20:00

A training of the project's spancat suggester started on the web runs as a
job outside the request, as exports do: its options, status, progress in
epochs, the model's folder, version and figures once done, and the worker
that owns it with its last heartbeat. At most one queued or running
training per project (a partial unique index).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ONE_UNFINISHED = "status IN ('queued', 'running')"


def upgrade() -> None:
    op.create_table(
        "training_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker_host", sa.String(length=255), nullable=False),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("epochs_done", sa.Integer(), nullable=False),
        sa.Column("epochs_total", sa.Integer(), nullable=True),
        sa.Column("model_path", sa.Text(), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("metrics", JSON, nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_training_jobs_status_known"),
        ),
        sa.CheckConstraint(
            "epochs_done >= 0", name=op.f("ck_training_jobs_done_not_negative")
        ),
        sa.CheckConstraint(
            "epochs_total >= 1", name=op.f("ck_training_jobs_total_positive")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_training_jobs_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_training_jobs_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_jobs")),
    )
    with op.batch_alter_table("training_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_jobs_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_training_jobs_requested_by_id"),
            ["requested_by_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_training_jobs_status_created_at", ["status", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_training_jobs_one_unfinished",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text(ONE_UNFINISHED),
            postgresql_where=sa.text(ONE_UNFINISHED),
        )


def downgrade() -> None:
    with op.batch_alter_table("training_jobs", schema=None) as batch_op:
        batch_op.drop_index("uq_training_jobs_one_unfinished")
        batch_op.drop_index("ix_training_jobs_status_created_at")
        batch_op.drop_index(batch_op.f("ix_training_jobs_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_training_jobs_project_id"))
    op.drop_table("training_jobs")
