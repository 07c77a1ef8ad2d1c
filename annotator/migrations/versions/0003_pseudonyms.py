"""stable pseudonyms

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 23:59:00

Exports named annotators ``annotator-<n>`` by ascending user id over everyone
assigned in the project at export time, so a name changed when someone with a
lower id took an assignment. The numbers are stored from now on; existing
projects keep the numbers their exports gave until today.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pseudonyms",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_pseudonyms_number_positive")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_pseudonyms_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_pseudonyms_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name=op.f("pk_pseudonyms")),
        sa.UniqueConstraint(
            "project_id", "number", name=op.f("uq_pseudonyms_project_id_number")
        ),
    )
    with op.batch_alter_table("pseudonyms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pseudonyms_user_id"), ["user_id"], unique=False
        )
    # The numbers exports gave until now: by user id over everyone assigned.
    op.execute(
        "INSERT INTO pseudonyms (project_id, user_id, number) "
        "SELECT project_id, user_id, "
        "ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY user_id) "
        "FROM (SELECT DISTINCT documents.project_id AS project_id, "
        "assignments.user_id AS user_id FROM assignments "
        "JOIN documents ON documents.id = assignments.document_id) AS assigned"
    )


def downgrade() -> None:
    with op.batch_alter_table("pseudonyms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pseudonyms_user_id"))
    op.drop_table("pseudonyms")
