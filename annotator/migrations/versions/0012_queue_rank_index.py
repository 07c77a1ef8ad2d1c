"""queue rank index: stored random ranks, margins indexed by project

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:30:00

Choosing the next document in the random or uncertainty order sorted every
document of the project per request. Documents get ``queue_rank``, the
random order's rank of their id under the project's seed (NULL while the
project has none), indexed with (project_id, queue_rank, id); the
uncertainty scores get an index on (project_id, margin, document_id), which
replaces the one on project_id alone (its prefix). Both orders then walk an
index and stop at the first document that still needs annotators.

The ranks of the documents of every project with a seed are filled here,
with the rank as ``core.queue.random_rank`` computes it at this revision
(copied below: a migration must not change when core does). The column is
added with plain ALTER TABLE: a batch copy of documents on SQLite would
cascade-delete everything under it.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MODULUS = 2_147_483_647


def _random_rank(document_id: Any, seed: int) -> Any:
    """``core.queue.random_rank`` as of this revision."""
    shift = (seed * 48_271 + 11) % MODULUS
    x = document_id % MODULUS
    x = (x * 1_103_515_245 + seed) % MODULUS
    x = (x * x + shift) % MODULUS
    x = (x * 69_069 + seed) % MODULUS
    x = (x * x + shift) % MODULUS
    return x


def upgrade() -> None:
    op.add_column("documents", sa.Column("queue_rank", sa.BigInteger(), nullable=True))
    documents = sa.table(
        "documents",
        sa.column("id", sa.Integer()),
        sa.column("project_id", sa.Integer()),
        sa.column("queue_rank", sa.BigInteger()),
    )
    connection = op.get_bind()
    seeds = connection.execute(
        sa.text("SELECT id, queue_seed FROM projects WHERE queue_seed IS NOT NULL")
    ).all()
    for project_id, seed in seeds:
        # 64-bit before multiplying: documents.id is 32-bit on PostgreSQL.
        rank = _random_rank(sa.cast(documents.c.id, sa.BigInteger()), int(seed))
        connection.execute(
            documents.update()
            .where(documents.c.project_id == project_id)
            .values(queue_rank=rank)
        )
    op.create_index(
        "ix_documents_project_queue_rank",
        "documents",
        ["project_id", "queue_rank", "id"],
    )
    op.drop_index(
        "ix_document_uncertainty_project_id", table_name="document_uncertainty"
    )
    op.create_index(
        "ix_document_uncertainty_project_margin",
        "document_uncertainty",
        ["project_id", "margin", "document_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_document_uncertainty_project_margin", table_name="document_uncertainty"
    )
    op.create_index(
        "ix_document_uncertainty_project_id", "document_uncertainty", ["project_id"]
    )
    op.drop_index("ix_documents_project_queue_rank", table_name="documents")
    # Plain DROP COLUMN (as in 0010), no batch copy of documents.
    op.execute("ALTER TABLE documents DROP COLUMN queue_rank")
