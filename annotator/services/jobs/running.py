"""Running a job of any kind, the same way: claim it (only one worker ever
runs a job), run its work with a tracker that writes progress and a
heartbeat through a second session at most once a second, and record how
it ended. The work itself (an export, a training) is the caller's."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotator.models import ExportJob, TrainingJob
from annotator.models.job import JobStatus
from annotator.services.errors import ServiceError
from annotator.services.jobs.recovery import JobModel, Worker

#: The job model a run reads back, and the tracker class its work is given.
Job = TypeVar("Job", ExportJob, TrainingJob)
Tracked = TypeVar("Tracked", bound="Tracker")

log = logging.getLogger(__name__)

#: Progress and heartbeat are written at most this often (seconds).
PROGRESS_EVERY = 1.0


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 with its UTC offset (None stays None)."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def common_data(job: ExportJob | TrainingJob) -> dict[str, Any]:
    """What every job shows a client (no worker identity: that is the
    server's business)."""
    return {
        "id": job.id,
        "project_id": job.project_id,
        "status": job.status,
        "options": job.options,
        "error": job.error or None,
        "requested_by": job.requested_by.username if job.requested_by else None,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
    }


class JobLost(Exception):
    """The job was taken from this worker (marked failed as stale)."""


def claim_job(session: Session, model: JobModel, job_id: int, worker: Worker) -> bool:
    """Mark a queued job running for ``worker``; False if it is not queued
    (another worker took it, or it was marked failed). Commits."""
    started = now()
    claimed = session.execute(
        update(model)
        .where(model.id == job_id, model.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            started_at=started,
            heartbeat_at=started,
            worker_host=worker.host,
            worker_pid=worker.pid,
        )
    )
    session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def next_queued(session: Session, model: JobModel) -> int | None:
    """The oldest queued job's id of ``model``, of any project."""
    job_id = session.scalar(
        select(model.id)
        .where(model.status == JobStatus.QUEUED)
        .order_by(model.created_at, model.id)
        .limit(1)
    )
    session.rollback()
    return job_id


def beat_queued(
    session: Session, model: JobModel, worker: Worker, beat: datetime | None = None
) -> None:
    """The heartbeat of the jobs of ``model`` queued for ``worker``: they wait
    behind its running job, and must not look like a dead worker's. Commits."""
    session.execute(
        update(model)
        .where(
            model.status == JobStatus.QUEUED,
            model.worker_host == worker.host,
            model.worker_pid == worker.pid,
        )
        .values(heartbeat_at=beat or now())
    )
    session.commit()


class Tracker:
    """Writes a running job's progress and heartbeat through its own session
    (the work may read from one snapshot and must not write in it); raises
    JobLost when the row is no longer this worker's running job."""

    def __init__(
        self,
        session: Session,
        model: JobModel,
        job_id: int,
        worker: Worker,
        every: float = PROGRESS_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.model = model
        self.job_id = job_id
        self.worker = worker
        self.every = every
        self.clock = clock
        self.last = clock()

    def due(self, done: int, total: int) -> bool:
        """Whether progress ``done`` of ``total`` should be written now: the
        last step always, the others at most every ``every`` seconds."""
        return done >= total or self.clock() - self.last >= self.every

    def beat(self) -> None:
        """A heartbeat alone, at most every ``every`` seconds, for work with
        no progress to show (scoring documents after a training): silence
        past ``recovery.STALE_AFTER`` is taken for a dead worker."""
        if self.clock() - self.last >= self.every:
            self.write()

    def mine(self) -> Any:
        model = self.model
        return (
            (model.id == self.job_id)
            & (model.status == JobStatus.RUNNING)
            & (model.worker_host == self.worker.host)
            & (model.worker_pid == self.worker.pid)
        )

    def write(self, **values: Any) -> None:
        model, beat = self.model, now()
        changed = self.session.execute(
            update(model).where(self.mine()).values(heartbeat_at=beat, **values)
        )
        # Jobs queued for this worker wait behind this one: they beat too.
        beat_queued(self.session, model, self.worker, beat)
        self.last = self.clock()
        if not getattr(changed, "rowcount", 0):
            raise JobLost(self.job_id)

    def finish(self, status: str, **values: Any) -> None:
        """Record the end (done or failed) unless the job was taken away."""
        self.session.rollback()
        try:
            self.write(status=status, finished_at=now(), **values)
        except JobLost:
            log.warning(
                "%s %s was marked failed as it finished",
                self.model.__tablename__,
                self.job_id,
            )


def run_claimed(
    session: Session,
    model: type[Job],
    job_id: int,
    work: Callable[[Tracked], None],
    *,
    tracker: type[Tracked],
    worker: Worker | None = None,
    every: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """Claim the queued job ``job_id`` of ``model`` and call ``work`` with its
    tracker, made by ``tracker`` (``work`` records the end with
    ``tracker.finish``); ServiceError if the job is not queued. Answers the
    job as it ended, read afresh."""
    worker = worker or Worker.this()
    if not claim_job(session, model, job_id, worker):
        job = cast(ExportJob | TrainingJob | None, session.get(model, job_id))
        state = job.status if job else "unknown"
        session.rollback()
        raise ServiceError(f"{model.KIND} job {job_id} is {state}, not queued")
    return run_tracked(
        session,
        model,
        job_id,
        work,
        tracker=tracker,
        worker=worker,
        every=every,
        clock=clock,
    )


def run_tracked(
    session: Session,
    model: type[Job],
    job_id: int,
    work: Callable[[Tracked], None],
    *,
    tracker: type[Tracked],
    worker: Worker,
    every: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """Call ``work`` with the tracker of ``job_id``, a job of ``model`` already
    running for ``worker`` (claimed, or started running by its own process);
    answers the job as it ended, read afresh."""
    every = PROGRESS_EVERY if every is None else every
    track = tracker(
        Session(bind=session.get_bind()), model, job_id, worker, every, clock
    )
    try:
        work(track)
    except JobLost:
        log.warning("%s %s was marked failed while it ran", model.__tablename__, job_id)
    finally:
        track.session.close()
    session.expire_all()
    job = session.get(model, job_id)
    if job is None:  # its project was deleted while it ran
        raise ServiceError(f"{model.KIND} job {job_id} is gone")
    return job


def run_every_queued(
    session: Session,
    model: JobModel,
    run_one: Callable[[int], object],
) -> int:
    """Call ``run_one`` on queued jobs of ``model``, oldest first, until none
    is left; the number run (a job another worker took first is skipped)."""
    ran = 0
    while (job_id := next_queued(session, model)) is not None:
        try:
            run_one(job_id)
        except ServiceError:
            continue  # another worker took it first
        ran += 1
    return ran
