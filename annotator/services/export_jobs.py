"""Exports as jobs: submitted by a request, run outside it, polled.

A job is a row (``ExportJob``), so any process of the server can answer
about it. ``submit_job`` checks the options with the export's own checks and
queues the job; ``run_job`` claims it (only one worker ever runs a job), runs
``write_export`` with a progress callback that writes the documents read and
a heartbeat to the row at most once a second (through a second session: the
export reads from one snapshot and must not write in it), then records the
finished export's folder or the reason it failed. The folder is written all
or nothing, as every export is.

A job whose worker is gone (its process is not alive on this host, or it
has not beaten for ``STALE_AFTER``) is marked failed with "worker stopped"
by ``recover_stale_jobs``: on ``annotator serve``, before a runner takes a
job, and when a job is looked at.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from annotator.models import ExportJob, ExportJobStatus, Project, User
from annotator.services import exports
from annotator.services.errors import NotFoundError, ServiceError
from annotator.services.export_recovery import (
    STALE_AFTER,
    UNFINISHED,
    WORKER_STOPPED,
    Worker,
    pid_alive,
    recover_stale_jobs,
)
from annotator.services.exports.reading import require_gold
from annotator.services.exports.settings import make_plan

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = (
    ExportJobStatus.QUEUED,
    ExportJobStatus.RUNNING,
    ExportJobStatus.DONE,
    ExportJobStatus.FAILED,
)

#: Progress and heartbeat are written at most this often (seconds).
PROGRESS_EVERY = 1.0
#: Jobs of one project that may wait or run at once.
MAX_UNFINISHED = 5


def _now() -> datetime:
    return datetime.now(UTC)


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
        now = _now()
        job = ExportJob(
            project_id=project.id,
            requested_by_id=user.id if user else None,
            options=exports.settings_to_json(settings),
            status=QUEUED,
            documents_done=0,
            error="",
            created_at=now,
            worker_host=owner.host,
            worker_pid=owner.pid,
            heartbeat_at=now,
        )
        session.add(job)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return job


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
    """The job as the API shows it (no worker identity: that is the
    server's business)."""
    return {
        "id": job.id,
        "project_id": job.project_id,
        "status": job.status,
        "options": job.options,
        "progress": {"done": job.documents_done, "total": job.documents_total},
        "error": job.error or None,
        "export_name": job.export_name,
        "requested_by": job.requested_by.username if job.requested_by else None,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


# ---------------------------------------------------------------- running


class JobLost(Exception):
    """The job was taken from this worker (marked failed as stale)."""


def claim_job(session: Session, job_id: int, worker: Worker) -> bool:
    """Mark a queued job running for ``worker``; False if it is not queued
    (another worker took it, or it was marked failed). Commits."""
    now = _now()
    claimed = session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == QUEUED)
        .values(
            status=RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker_host=worker.host,
            worker_pid=worker.pid,
        )
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def next_queued(session: Session) -> int | None:
    """The oldest queued job's id, of any project."""
    job_id = session.scalar(
        select(ExportJob.id)
        .where(ExportJob.status == QUEUED)
        .order_by(ExportJob.created_at, ExportJob.id)
        .limit(1)
    )
    session.rollback()
    return job_id


class _Tracker:
    """The progress callback: documents read and a heartbeat, written through
    its own session at most every ``every`` seconds; raises JobLost when the
    row is no longer this worker's running job."""

    def __init__(
        self,
        session: Session,
        job_id: int,
        worker: Worker,
        every: float,
        clock: Callable[[], float],
    ) -> None:
        self.session = session
        self.job_id = job_id
        self.worker = worker
        self.every = every
        self.clock = clock
        self.last = clock()
        #: The documents to read, as last written.
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        if done < total and self.clock() - self.last < self.every:
            return
        self.write(documents_done=done, documents_total=total)

    def mine(self) -> Any:
        return (
            (ExportJob.id == self.job_id)
            & (ExportJob.status == RUNNING)
            & (ExportJob.worker_host == self.worker.host)
            & (ExportJob.worker_pid == self.worker.pid)
        )

    def write(self, **values: Any) -> None:
        now = _now()
        changed = self.session.execute(
            update(ExportJob).where(self.mine()).values(heartbeat_at=now, **values)
        )
        # Jobs queued for this worker wait behind this one: they beat too.
        self.session.execute(
            update(ExportJob)
            .where(
                ExportJob.status == QUEUED,
                ExportJob.worker_host == self.worker.host,
                ExportJob.worker_pid == self.worker.pid,
            )
            .values(heartbeat_at=now)
        )
        self.session.commit()
        self.last = self.clock()
        self.total = values.get("documents_total", self.total)
        if not getattr(changed, "rowcount", 0):
            raise JobLost(self.job_id)


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
    worker = worker or Worker.this()
    if not claim_job(session, job_id, worker):
        job = session.get(ExportJob, job_id)
        state = job.status if job else "unknown"
        session.rollback()
        raise ServiceError(f"export job {job_id} is {state}, not queued")
    every = PROGRESS_EVERY if every is None else every
    tracker = _Tracker(Session(bind=session.get_bind()), job_id, worker, every, clock)
    try:
        _run_claimed(session, job_id, export_dir, tracker)
    finally:
        tracker.session.close()
    session.expire_all()
    job = session.get(ExportJob, job_id)
    assert job is not None  # noqa: S101 (cascades only delete it with its project)
    return job


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
        log.warning("export job %s was marked failed while it ran", job_id)
        return
    except ServiceError as error:
        _finish(tracker, FAILED, error=str(error))
    except OSError as error:
        log.exception("export job %s could not write its files", job_id)
        reason = error.strerror or type(error).__name__
        _finish(tracker, FAILED, error=f"could not write the export: {reason}")
    except Exception:
        log.exception("export job %s failed", job_id)
        _finish(tracker, FAILED, error="the export stopped on an unexpected error")
    else:
        _finish(
            tracker,
            DONE,
            export_name=result.folder.name,
            documents_done=tracker.total,
            documents_total=tracker.total,
        )


def _finish(tracker: _Tracker, status: str, **values: Any) -> None:
    tracker.session.rollback()
    try:
        tracker.write(status=status, finished_at=_now(), **values)
    except JobLost:
        log.warning("export job %s was marked failed as it finished", tracker.job_id)


def run_queued(session: Session, export_dir: Path, worker: Worker | None = None) -> int:
    """Run queued jobs, oldest first, until none is left (after marking dead
    workers' jobs failed); the number run."""
    worker = worker or Worker.this()
    recover_stale_jobs(session)
    ran = 0
    while (job_id := next_queued(session)) is not None:
        try:
            run_job(session, job_id, export_dir, worker=worker)
        except ServiceError:
            continue  # another worker took it first
        ran += 1
    return ran


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
    "next_queued",
    "pid_alive",
    "recover_stale_jobs",
    "run_job",
    "run_queued",
    "submit_job",
]
