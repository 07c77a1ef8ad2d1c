"""session generation per user

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:25:00

Sessions live in the signed cookie; each carries its user's session
generation at login, and a request whose generation is not the user's
current one is anonymous. Logout, a password change and deactivation bump
the generation, which ends every session of that user at once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both backends (SQLite has had DROP COLUMN since
# 3.35): a batch "move and copy" of users on SQLite would drop the table,
# and with foreign keys on that deletes every row that cascades from a user.


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN session_generation")
