"""Queuing a training, or recording one ``annotator train`` runs at once (at
most one queued or running per project, whichever started it), and finding a
project's trainings; a dead worker's are marked failed before any is read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.models import JobStatus, Project, TrainingJob, User
from annotator.models.job import UNFINISHED
from annotator.services.errors import NotFoundError, ServiceError
from annotator.services.jobs import running
from annotator.services.jobs.recovery import Worker, recover_stale
from annotator.services.suggesters import spancat, training
from annotator.services.training_jobs.options import training_options


class TrainingBusy(ServiceError):
    """The project already has a training queued or running."""


def _busy(job: TrainingJob) -> TrainingBusy:
    return TrainingBusy(
        f"a training of this project is already {job.status} (job {job.id}): "
        "one at a time; wait for it to finish"
    )


def unfinished(session: Session, project: Project) -> TrainingJob | None:
    """The project's queued or running training (a dead worker's marked
    failed first), if any."""
    recover_stale(session, TrainingJob, project=project)
    return session.scalars(
        select(TrainingJob).where(
            TrainingJob.project_id == project.id, TrainingJob.status.in_(UNFINISHED)
        )
    ).first()


def refuse_while_training(session: Session, project: Project) -> None:
    """TrainingBusy when a training of ``project`` is queued or running: one
    at a time, whether started on the web or by ``annotator train``."""
    waiting = unfinished(session, project)
    if waiting is not None:
        raise _busy(waiting)


def submit_training(
    session: Session,
    project: Project,
    user: User | None,
    options: dict[str, Any],
    *,
    worker: Worker | None = None,
) -> TrainingJob:
    """Queue a training of ``project``'s spancat suggester; FieldRefused for
    a bad option, ServiceError when spaCy is missing or the layer too small,
    TrainingBusy when one is queued or running. Commits."""
    chosen = training_options(options)
    if not spancat.spacy_available():
        raise ServiceError(f"training needs spaCy: {spancat.INSTALL}")
    refuse_while_training(session, project)
    training.enough_examples(session, project, chosen["layer"])
    session.rollback()  # the read's snapshot
    return _record(session, project, user, chosen, worker or Worker.this())


def start_training(
    session: Session, project: Project, options: dict[str, Any], worker: Worker
) -> TrainingJob:
    """Record a training that ``worker``, the calling process, runs at once
    (``annotator train``): running from the start, never queued (no web
    worker may claim it), so the Suggestions page shows and can cancel it
    and no other training of the project starts beside it. ``options`` as
    checked by the caller. TrainingBusy when one is queued or running.
    Commits."""
    refuse_while_training(session, project)
    session.rollback()  # the read's snapshot
    return _record(session, project, None, options, worker, started=True)


def _record(
    session: Session,
    project: Project,
    user: User | None,
    options: dict[str, Any],
    owner: Worker,
    *,
    started: bool = False,
) -> TrainingJob:
    """The job row, queued (or running, ``started``) for ``owner``; the
    partial unique index refuses a second unfinished one (TrainingBusy)."""
    made = running.now()
    job = TrainingJob(
        project_id=project.id,
        requested_by_id=user.id if user else None,
        options=options,
        status=JobStatus.RUNNING if started else JobStatus.QUEUED,
        epochs_done=0,
        epochs_total=options["epochs"],
        error="",
        created_at=made,
        started_at=made if started else None,
        worker_host=owner.host,
        worker_pid=owner.pid,
        heartbeat_at=made,
    )
    session.add(job)
    try:
        session.commit()
    except IntegrityError:  # another request queued one first
        session.rollback()
        waiting = unfinished(session, project)
        if waiting is None:
            raise
        raise _busy(waiting) from None
    return job


def get_training(session: Session, project: Project, job_id: int) -> TrainingJob:
    """The training ``job_id`` of ``project`` (a dead worker's marked failed
    first); NotFoundError for another project's job or none."""
    recover_stale(session, TrainingJob, project=project)
    job = session.get(TrainingJob, job_id)
    if job is None or job.project_id != project.id:
        raise NotFoundError(f"no training job {job_id} in this project")
    return job


def list_trainings(
    session: Session, project: Project, limit: int = 20
) -> list[TrainingJob]:
    """The project's trainings, newest first (dead workers' marked failed)."""
    recover_stale(session, TrainingJob, project=project)
    return list(
        session.scalars(
            select(TrainingJob)
            .where(TrainingJob.project_id == project.id)
            .order_by(TrainingJob.id.desc())
            .limit(limit)
        )
    )
