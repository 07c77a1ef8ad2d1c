"""Jobs whose worker is gone: marked failed ("worker stopped"), never left
queued or running; a training an admin had asked to cancel ends cancelled.
One rule for every kind of job (exports, trainings).

A job names the process that owns it (host name and process id: the one it
was submitted to while queued, the one running it after) and that process's
last heartbeat. The owner is gone when its process is not alive on this
host, or when it has not beaten for ``STALE_AFTER`` (the only test possible
for another host's process, and for a process id reused since). A
process that knows a worker of its own has ended (a training child that
died) ends that worker's jobs at once, with a message of its own
(``recover_worker``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotator.models import ExportJob, Project, TrainingJob
from annotator.models.job import UNFINISHED, JobStatus

log = logging.getLogger(__name__)

#: A worker that has not beaten for this long is taken for dead.
STALE_AFTER = timedelta(minutes=5)
WORKER_STOPPED = "worker stopped"
#: Every kind of job, as ``annotator serve`` recovers them.
JobModel = type[ExportJob] | type[TrainingJob]
JOB_MODELS: tuple[JobModel, ...] = (ExportJob, TrainingJob)


@dataclass(frozen=True, slots=True)
class Worker:
    """The process that owns a job: host name and process id."""

    host: str
    pid: int

    @classmethod
    def this(cls) -> Worker:
        return cls(socket.gethostname()[:255], os.getpid())


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OverflowError:
        return False
    return True


def _stale(job: ExportJob | TrainingJob, here: str, oldest: datetime) -> bool:
    if _aware(job.heartbeat_at or job.created_at) < oldest:
        return True
    if job.worker_host == here and job.worker_pid is not None:
        return not pid_alive(job.worker_pid)
    return False


def recover_stale(
    session: Session,
    model: JobModel,
    *,
    project: Project | None = None,
    stale_after: timedelta = STALE_AFTER,
    host: str | None = None,
) -> list[int]:
    """Mark failed ("worker stopped") every queued or running job of
    ``model`` whose worker is gone: not alive on this host, or silent for
    ``stale_after`` (``cancelled`` instead when an admin had asked to cancel
    it); the ids marked. Commits when it marks any."""
    here = host or Worker.this().host
    query = select(model).where(model.status.in_(UNFINISHED))
    if project is not None:
        query = query.where(model.project_id == project.id)
    oldest = datetime.now(UTC) - stale_after
    candidates = cast(Sequence[ExportJob | TrainingJob], session.scalars(query).all())
    stale = [job for job in candidates if _stale(job, here, oldest)]
    return _end(session, model, stale, WORKER_STOPPED)


def recover_worker(
    session: Session,
    model: JobModel,
    worker: Worker,
    error: str,
    *,
    statuses: Sequence[JobStatus] = UNFINISHED,
) -> list[int]:
    """Mark failed with ``error`` (``cancelled`` when an admin had asked to
    cancel it) every job of ``model`` in ``statuses`` that ``worker``, a
    process known to have ended, owns; the ids marked. Commits."""
    query = select(model).where(
        model.status.in_(statuses),
        model.worker_host == worker.host,
        model.worker_pid == worker.pid,
    )
    owned = cast(Sequence[ExportJob | TrainingJob], session.scalars(query).all())
    return _end(session, model, owned, error)


def claimed_since(
    session: Session, model: JobModel, worker: Worker, since: datetime
) -> bool:
    """Whether ``worker`` claimed a job of ``model`` at ``since`` or later
    (whatever became of it since)."""
    started = session.scalars(
        select(model.started_at).where(
            model.worker_host == worker.host,
            model.worker_pid == worker.pid,
            model.started_at.is_not(None),
        )
    ).all()
    session.rollback()
    return any(_aware(moment) >= since for moment in started if moment is not None)


def _aware(moment: datetime) -> datetime:
    """A stored time with its UTC offset (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _end(
    session: Session,
    model: JobModel,
    jobs: Sequence[ExportJob | TrainingJob],
    error: str,
) -> list[int]:
    """Mark ``jobs`` failed with ``error``, or cancelled when an admin had
    asked to cancel them, unless they ended meanwhile; their ids. Commits
    when there are any."""
    if not jobs:
        return []
    # An admin asked to cancel it before its worker died: what they asked.
    asked = [job.id for job in jobs if _cancel_asked(job)]
    failed = [job.id for job in jobs if job.id not in asked]
    ended = datetime.now(UTC)
    for ids, values in (
        (failed, {"status": JobStatus.FAILED, "error": error}),
        (asked, {"status": JobStatus.CANCELLED}),
    ):
        if ids:
            session.execute(
                update(model)
                .where(model.id.in_(ids), model.status.in_(UNFINISHED))
                .values(finished_at=ended, **values)
            )
    session.commit()
    name = model.__tablename__
    if failed:
        log.warning("%s %s: %s, marked failed", name, failed, error)
    if asked:
        log.warning("%s %s: %s, cancelled as asked", name, asked, error)
    return [job.id for job in jobs]


def _cancel_asked(job: ExportJob | TrainingJob) -> bool:
    """Whether an admin asked to cancel the job (trainings only)."""
    return getattr(job, "cancel_requested_at", None) is not None


def recover_every_kind(session: Session) -> dict[JobModel, list[int]]:
    """``recover_stale`` for every kind of job (on ``annotator serve``): the
    ids marked failed, by kind, only kinds with some."""
    found = {model: recover_stale(session, model) for model in JOB_MODELS}
    return {model: ids for model, ids in found.items() if ids}
