"""Exports as jobs: submitted by a request, run outside it, polled.

A job is a row (``ExportJob``), so any process of the server can answer
about it. ``submit_job`` checks the options with the export's own checks and
queues the job; ``run_job`` claims it (only one worker ever runs a job), runs
``write_export`` with a progress callback that writes the documents read and
a heartbeat to the row at most once a second (through a second session: the
export reads from one snapshot and must not write in it), then records the
finished export's folder or the reason it failed. The folder is written all
or nothing, as every export is.

Claiming, tracking and recovering are every job's (``services/jobs``): a
job whose worker is gone (its process is not alive on this host, or it has
not beaten for ``STALE_AFTER``) is marked failed with "worker stopped" on
``annotator serve``, before a runner takes a job, and when a job is looked
at.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.models import ExportJob, ExportJobStatus, Project, User
from annotator.models.job import UNFINISHED
from annotator.services import exports
from annotator.services.errors import NotFoundError, ServiceError
from annotator.services.exports.reading import require_gold
from annotator.services.exports.settings import make_plan
from annotator.services.jobs import running
from annotator.services.jobs.recovery import (
    STALE_AFTER,
    WORKER_STOPPED,
    Worker,
    pid_alive,
    recover_stale,
)
from annotator.services.jobs.running import JobLost, Tracker, common_data

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = (
    ExportJobStatus.QUEUED,
    ExportJobStatus.RUNNING,
    ExportJobStatus.DONE,
    ExportJobStatus.FAILED,
)

#: Jobs of one project that may wait or run at once.
MAX_UNFINISHED = 5


# ---------------------------------------------------------------- asking


def submit_job(
    session: Session,
    project: Project,
    user: User | None,
    settings: exports.ExportSettings,
    *,
    worker: Worker | None = None,
) -> ExportJob:
    """Queue an export of ``project`` as ``settings`` say, after the checks the
    export itself makes (OptionRefused naming the option); commits."""
    try:
        make_plan(project, settings)
        require_gold(session, project, settings)
        waiting = session.scalar(
            select(func.count(ExportJob.id)).where(
                ExportJob.project_id == project.id, ExportJob.status.in_(UNFINISHED)
            )
        )
        if (waiting or 0) >= MAX_UNFINISHED:
            raise ServiceError(
                f"{waiting} exports of this project are still waiting or running: "
                "try again when one has finished"
            )
        owner = worker or Worker.this()
        made = running.now()
        job = ExportJob(
            project_id=project.id,
            requested_by_id=user.id if user else None,
            options=exports.settings_to_json(settings),
            status=QUEUED,
            documents_done=0,
            error="",
            created_at=made,
            worker_host=owner.host,
            worker_pid=owner.pid,
            heartbeat_at=made,
        )
        session.add(job)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return job


def recover_stale_jobs(
    session: Session,
    *,
    project: Project | None = None,
    stale_after: timedelta = STALE_AFTER,
    host: str | None = None,
) -> list[int]:
    """Mark failed the export jobs whose worker is gone (see
    ``services/jobs/recovery.py``); the ids marked."""
    return recover_stale(
        session, ExportJob, project=project, stale_after=stale_after, host=host
    )


def get_job(session: Session, project: Project, job_id: int) -> ExportJob:
    """The job ``job_id`` of ``project`` (a dead worker's marked failed first);
    NotFoundError for another project's job or none."""
    recover_stale_jobs(session, project=project)
    job = session.get(ExportJob, job_id)
    if job is None or job.project_id != project.id:
        raise NotFoundError(f"no export job {job_id} in this project")
    return job


def list_jobs(session: Session, project: Project, limit: int = 50) -> list[ExportJob]:
    """The project's newest jobs first."""
    recover_stale_jobs(session, project=project)
    return list(
        session.scalars(
            select(ExportJob)
            .where(ExportJob.project_id == project.id)
            .order_by(ExportJob.id.desc())
            .limit(limit)
        )
    )


def job_data(job: ExportJob) -> dict[str, Any]:
    """The job as the API shows it."""
    return common_data(job) | {
        "progress": {"done": job.documents_done, "total": job.documents_total},
        "export_name": job.export_name,
    }


# ---------------------------------------------------------------- running


def claim_job(session: Session, job_id: int, worker: Worker) -> bool:
    """Mark a queued export job running for ``worker`` (see
    ``running.claim_job``)."""
    return running.claim_job(session, ExportJob, job_id, worker)


class _Tracker(Tracker):
    """The export's progress callback: documents read, written with a
    heartbeat at most every ``every`` seconds."""

    #: The documents to read, as last written.
    total = 0

    def __call__(self, done: int, total: int) -> None:
        if self.due(done, total):
            self.write(documents_done=done, documents_total=total)

    def write(self, **values: Any) -> None:
        super().write(**values)
        self.total = values.get("documents_total", self.total)


def run_job(
    session: Session,
    job_id: int,
    export_dir: Path,
    *,
    worker: Worker | None = None,
    every: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ExportJob:
    """Claim the queued job ``job_id`` and run its export into ``export_dir``;
    the job ends ``done`` with its export's folder name or ``failed`` with a
    message a user can read. ServiceError if the job is not queued."""

    def work(tracker: _Tracker) -> None:
        _run_claimed(session, job_id, export_dir, tracker)

    return running.run_claimed(
        session,
        ExportJob,
        job_id,
        work,
        tracker=_Tracker,
        worker=worker,
        every=every,
        clock=clock,
    )


def _run_claimed(
    session: Session, job_id: int, export_dir: Path, tracker: _Tracker
) -> None:
    job = session.get(ExportJob, job_id)
    if job is None:
        return
    project = job.project
    try:
        settings = exports.settings_from_json(job.options)
        total = exports.count_documents(session, project)[1]
        session.rollback()
        tracker.write(documents_total=total)
        result = exports.write_export(
            session, project, settings, export_dir, progress=tracker
        )
    except JobLost:
        raise
    except ServiceError as error:
        tracker.finish(FAILED, error=str(error))
    except OSError as error:
        log.exception("export job %s could not write its files", job_id)
        reason = error.strerror or type(error).__name__
        tracker.finish(FAILED, error=f"could not write the export: {reason}")
    except Exception:
        log.exception("export job %s failed", job_id)
        tracker.finish(FAILED, error="the export stopped on an unexpected error")
    else:
        tracker.finish(
            DONE,
            export_name=result.folder.name,
            documents_done=tracker.total,
            documents_total=tracker.total,
        )


def run_queued(session: Session, export_dir: Path, worker: Worker | None = None) -> int:
    """Run queued jobs, oldest first, until none is left (after marking dead
    workers' jobs failed); the number run."""
    worker = worker or Worker.this()
    recover_stale_jobs(session)
    return running.run_every_queued(
        session,
        ExportJob,
        lambda job_id: run_job(session, job_id, export_dir, worker=worker),
    )


__all__ = [
    "DONE",
    "FAILED",
    "QUEUED",
    "RUNNING",
    "STALE_AFTER",
    "UNFINISHED",
    "WORKER_STOPPED",
    "JobLost",
    "Worker",
    "claim_job",
    "get_job",
    "job_data",
    "list_jobs",
    "pid_alive",
    "recover_stale_jobs",
    "run_job",
    "run_queued",
    "submit_job",
]
