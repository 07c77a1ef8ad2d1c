"""usernames unique ignoring case; a span attribute schema per project

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:40:00

``Admin`` and ``admin`` were two accounts: a unique index on
``lower(username)`` makes them one name in the database (SQLite and
PostgreSQL both index expressions). A database that already holds names
differing only in case is not renamed behind anyone's back: the upgrade
stops and lists them, so an admin decides which account keeps the name.

Projects get ``attribute_names``, the attributes their spans may carry
(JSON list, ``["source"]`` for every existing project, which is what the
code accepted until now).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_users_username_lower"


class NamesDifferOnlyInCase(RuntimeError):
    """Usernames that would collide under the new index."""


def _names_differing_in_case() -> list[list[str]]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT username FROM users WHERE lower(username) IN ("
            " SELECT lower(username) FROM users"
            " GROUP BY lower(username) HAVING count(*) > 1)"
            " ORDER BY lower(username), username"
        )
    )
    groups: dict[str, list[str]] = {}
    for (name,) in rows:
        groups.setdefault(name.lower(), []).append(name)
    return list(groups.values())


def upgrade() -> None:
    clashes = _names_differing_in_case()
    if clashes:
        listed = "; ".join(", ".join(repr(name) for name in group) for group in clashes)
        raise NamesDifferOnlyInCase(
            "migration 0006 makes usernames unique ignoring case, but these "
            f"accounts differ only in case: {listed}. Rename all but one of each "
            "(for example with SQL: UPDATE users SET username = 'alice-2' WHERE "
            "username = 'Alice'), then run the upgrade again. Nothing was changed."
        )
    op.create_index(INDEX, "users", [sa.text("lower(username)")], unique=True)
    op.add_column(
        "projects",
        sa.Column(
            "attribute_names",
            sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"),
            server_default='["source"]',
            nullable=False,
        ),
    )


def downgrade() -> None:
    # Plain ALTER TABLE (as in 0005): a batch copy of projects on SQLite
    # would drop the table and cascade-delete everything under it.
    op.execute("ALTER TABLE projects DROP COLUMN attribute_names")
    op.drop_index(INDEX, table_name="users")
