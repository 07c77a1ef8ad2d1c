"""What every background job row has, whatever it runs (an export, a
training): its project, who asked, its status, why it failed, when it was
made, started and finished, and the worker process that owns it with that
process's last heartbeat, so that a job whose worker died is marked failed
instead of staying ``running`` (``services/jobs``)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from annotator.models.base import utcnow
from annotator.models.project import Project
from annotator.models.user import User


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    #: Stopped by an admin (trainings only: an export is not cancelled).
    CANCELLED = "cancelled"


#: The CHECK every job table holds on its status.
STATUS_CHECK = "status IN ('queued', 'running', 'done', 'failed')"
#: The CHECK of a job table whose jobs an admin may cancel (trainings).
CANCELLABLE_STATUS_CHECK = (
    "status IN ('queued', 'running', 'done', 'failed', 'cancelled')"
)
#: The statuses of a job that has not ended.
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobColumns:
    """The columns every job table shares (a mixin of mapped classes).

    ``worker_host``/``worker_pid`` name the process that owns the job (the
    one it was submitted to while queued, the one running it after) and
    ``heartbeat_at`` is when that process last said it was alive."""

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    worker_host: Mapped[str] = mapped_column(String(255), default="")
    worker_pid: Mapped[int | None]
    heartbeat_at: Mapped[datetime | None]

    @declared_attr
    def project(cls) -> Mapped[Project]:
        return relationship()

    @declared_attr
    def requested_by(cls) -> Mapped[User | None]:
        # Named: a training also refers to the user who cancelled it.
        name = cast("type[JobColumns]", cls).__name__
        return relationship(foreign_keys=f"{name}.requested_by_id")
