"""A training of the project's spancat suggester run as a job: started by a
project admin on the Suggestions page or through the API, run by a worker of
the web process, polled until its figures are in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotator.models.base import Base
from annotator.models.job import CANCELLABLE_STATUS_CHECK, JobColumns
from annotator.models.user import User

#: At most one queued or running training per project (the database says so
#: too, so two admins pressing Train at once cannot both start one).
ONE_UNFINISHED = "status IN ('queued', 'running')"


class TrainingJob(JobColumns, Base):
    """One training: its options (``layer``, ``epochs``, ``seed``,
    ``held_out``), its progress in epochs (and documents within the epoch
    under way), and once done the model's folder,
    version and ``metrics.json`` (per-label precision, recall and F1 on the
    held-out documents)."""

    __tablename__ = "training_jobs"
    __table_args__ = (
        CheckConstraint(CANCELLABLE_STATUS_CHECK, name="status_known"),
        CheckConstraint("epochs_done >= 0", name="done_not_negative"),
        CheckConstraint("epochs_total >= 1", name="total_positive"),
        Index("ix_training_jobs_status_created_at", "status", "created_at"),
        Index(
            "uq_training_jobs_one_unfinished",
            "project_id",
            unique=True,
            sqlite_where=text(ONE_UNFINISHED),
            postgresql_where=text(ONE_UNFINISHED),
        ),
    )

    #: What the job is called in messages ("training job 3 is done").
    KIND: ClassVar[str] = "training"

    options: Mapped[dict[str, Any]]
    epochs_done: Mapped[int] = mapped_column(default=0)
    epochs_total: Mapped[int | None]
    model_path: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str | None] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any] | None]
    #: When an admin asked to cancel it, and who: a queued training ends
    #: ``cancelled`` at once, a running one at its worker's next heartbeat.
    #: Within the epoch under way: documents trained on, of how many (an
    #: epoch of many long documents takes minutes).
    epoch_examples_done: Mapped[int | None]
    epoch_examples_total: Mapped[int | None]
    cancel_requested_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
