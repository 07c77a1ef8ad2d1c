"""An export run as a job: asked for by a reviewer, run by a worker of the
web process, polled by anyone with access to the project."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from annotator.models.base import Base
from annotator.models.job import STATUS_CHECK, JobColumns, JobStatus

#: The statuses of an export job (those of every job).
ExportJobStatus = JobStatus


class ExportJob(JobColumns, Base):
    """One export asked for through the API or the Exports page.

    ``options`` are the export's choices as JSON (``settings_to_json``);
    ``export_name`` is the finished export's folder under the project's
    folder in the export directory, made by the server, never chosen by the
    user. The owner and heartbeat columns are every job's (``JobColumns``)."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="status_known"),
        CheckConstraint("documents_done >= 0", name="done_not_negative"),
        CheckConstraint("documents_total >= 0", name="total_not_negative"),
        Index("ix_export_jobs_status_created_at", "status", "created_at"),
    )

    #: What the job is called in messages ("export job 3 is done").
    KIND: ClassVar[str] = "export"

    options: Mapped[dict[str, Any]]
    #: Documents read so far, of ``documents_total`` to read (None until known).
    documents_done: Mapped[int] = mapped_column(default=0)
    documents_total: Mapped[int | None]
    export_name: Mapped[str | None] = mapped_column(String(100))
