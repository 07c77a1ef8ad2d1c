"""cancelling a training

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:20:00

A project admin may cancel a queued or running training: when it was asked
and by whom (``cancel_requested_at``, ``cancelled_by_id``), and a training's
status may be ``cancelled``. A training beats after every minibatch and
says how far the epoch under way is (``epoch_examples_done`` of
``epoch_examples_total`` documents). Only the training jobs' CHECK widens: exports
are not cancelled.

On SQLite the CHECK is swapped by a batch copy of ``training_jobs`` (no
table refers to it, so nothing cascades); its partial unique index is
dropped before and made again after, as the copy would not keep its
``WHERE``.
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import SAWarning

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_UNFINISHED = "status IN ('queued', 'running')"
NARROW = "status IN ('queued', 'running', 'done', 'failed')"
WIDE = "status IN ('queued', 'running', 'done', 'failed', 'cancelled')"
CHECK = "ck_training_jobs_status_known"
FOREIGN_KEY = "fk_training_jobs_cancelled_by_id_users"
ONE_UNFINISHED_INDEX = "uq_training_jobs_one_unfinished"


@contextmanager
def _batch() -> Iterator[Any]:
    """``op.batch_alter_table`` of ``training_jobs``. The SQLite copy reflects
    the users table its foreign keys name, whose case-insensitive username
    index (an expression) SQLite's reflection skips with a warning: that
    index is the users table's and stays as it is."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="Skipped unsupported reflection of expression-based index",
            category=SAWarning,
        )
        with op.batch_alter_table("training_jobs", schema=None) as batch_op:
            yield batch_op


def _set_status_check(check: str) -> None:
    with _batch() as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), sa.text(check))


def _drop_one_unfinished() -> None:
    op.drop_index(ONE_UNFINISHED_INDEX, table_name="training_jobs")


def _make_one_unfinished() -> None:
    op.create_index(
        ONE_UNFINISHED_INDEX,
        "training_jobs",
        ["project_id"],
        unique=True,
        sqlite_where=sa.text(ONE_UNFINISHED),
        postgresql_where=sa.text(ONE_UNFINISHED),
    )


def upgrade() -> None:
    _drop_one_unfinished()
    with _batch() as batch_op:
        batch_op.add_column(
            sa.Column("epoch_examples_done", sa.Integer(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("epoch_examples_total", sa.Integer(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f(FOREIGN_KEY),
            "users",
            ["cancelled_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _set_status_check(WIDE)
    _make_one_unfinished()


def downgrade() -> None:
    # A cancelled training reads as failed where "cancelled" is unknown.
    op.execute(
        "UPDATE training_jobs SET status = 'failed', error = 'cancelled' "
        "WHERE status = 'cancelled'"
    )
    _drop_one_unfinished()
    _set_status_check(NARROW)
    with _batch() as batch_op:
        batch_op.drop_constraint(op.f(FOREIGN_KEY), type_="foreignkey")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancel_requested_at")
        batch_op.drop_column("epoch_examples_total")
        batch_op.drop_column("epoch_examples_done")
    _make_one_unfinished()
