"""Jobs whose worker is gone: marked failed ("worker stopped"), never left
queued or running; a training an admin had asked to cancel ends cancelled.
One rule for every kind of job (exports, trainings).

A job names the process that owns it (host name and process id: the one it
was submitted to while queued, the one running it after) and that process's
last heartbeat. The owner is gone when its process is not alive on this
host, or when it has not beaten for ``STALE_AFTER`` (the only test possible
for another host's process, and for a process id reused since).
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
    beat = job.heartbeat_at or job.created_at
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=UTC)
    if beat < oldest:
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
    if not stale:
        return []
    # An admin asked to cancel it before its worker died: what they asked.
    asked = [job.id for job in stale if _cancel_asked(job)]
    failed = [job.id for job in stale if job.id not in asked]
    ended = datetime.now(UTC)
    for ids, values in (
        (failed, {"status": JobStatus.FAILED, "error": WORKER_STOPPED}),
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
        log.warning("%s %s: worker stopped, marked failed", name, failed)
    if asked:
        log.warning("%s %s: worker stopped, cancelled as asked", name, asked)
    return [job.id for job in stale]


def _cancel_asked(job: ExportJob | TrainingJob) -> bool:
    """Whether an admin asked to cancel the job (trainings only)."""
    return getattr(job, "cancel_requested_at", None) is not None


def recover_every_kind(session: Session) -> dict[JobModel, list[int]]:
    """``recover_stale`` for every kind of job (on ``annotator serve``): the
    ids marked failed, by kind, only kinds with some."""
    found = {model: recover_stale(session, model) for model in JOB_MODELS}
    return {model: ids for model, ids in found.items() if ids}
