"""An export run as a job: asked for by a reviewer, run by a worker of the
web process, polled by anyone with access to the project."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotator.models.base import Base, utcnow
from annotator.models.project import Project
from annotator.models.user import User


class ExportJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(Base):
    """One export asked for through the API or the Exports page.

    ``options`` are the export's choices as JSON (``settings_to_json``);
    ``export_name`` is the finished export's folder under the project's
    folder in the export directory, made by the server, never chosen by the
    user. ``worker_host``/``worker_pid`` name the process that owns the job
    (the one it was submitted to while queued, the one running it after) and
    ``heartbeat_at`` is when that process last said it was alive: a job whose
    worker is gone is marked failed instead of staying ``running``."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="status_known"
        ),
        CheckConstraint("documents_done >= 0", name="done_not_negative"),
        CheckConstraint("documents_total >= 0", name="total_not_negative"),
        Index("ix_export_jobs_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    options: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=ExportJobStatus.QUEUED)
    #: Documents read so far, of ``documents_total`` to read (None until known).
    documents_done: Mapped[int] = mapped_column(default=0)
    documents_total: Mapped[int | None]
    error: Mapped[str] = mapped_column(Text, default="")
    export_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    worker_host: Mapped[str] = mapped_column(String(255), default="")
    worker_pid: Mapped[int | None]
    heartbeat_at: Mapped[datetime | None]

    project: Mapped[Project] = relationship()
    requested_by: Mapped[User | None] = relationship()
