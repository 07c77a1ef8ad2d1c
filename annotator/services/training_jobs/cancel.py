"""Cancelling a training: a queued one ends ``cancelled`` at once, a running
one is asked to stop (its worker reads the request at its next written beat:
``progress.EpochTracker``). Once its model is being registered the request
comes too late and the training ends ``done``: ``cancel_too_late`` is that
rule, for the API and the page alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from annotator.models import JobStatus, Project, TrainingJob, User
from annotator.models.job import UNFINISHED
from annotator.services import audit
from annotator.services.errors import ServiceError, rolls_back
from annotator.services.jobs import running
from annotator.services.training_jobs.submission import get_training


class TrainingEnded(ServiceError):
    """The training has ended (done, failed or cancelled): nothing to cancel."""


@rolls_back
def cancel_training(
    session: Session, project: Project, job_id: int, user: User | None
) -> TrainingJob:
    """Cancel the training ``job_id`` of ``project``: a queued one ends
    ``cancelled`` now, a running one is asked to stop (its worker ends it at
    its next beat; asking again changes nothing). NotFoundError for another
    project's job, TrainingEnded when it has ended. Audited; commits."""
    get_training(session, project, job_id)
    actor_id = user.id if user else None
    asked = {"cancel_requested_at": running.now(), "cancelled_by_id": actor_id}
    was = next(
        (s for s in UNFINISHED if _update_unfinished(session, job_id, s, asked)),
        None,
    )
    if was is not None:
        audit.record(
            session,
            actor_id=actor_id,
            project_id=project.id,
            entity="training_job",
            entity_id=job_id,
            action="cancel",
            data={"status": was.value},
        )
    session.commit()
    session.expire_all()
    job = get_training(session, project, job_id)
    if was is not None or job.status in UNFINISHED:
        return job
    raise TrainingEnded(
        f"training job {job_id} is already {job.status}: only a queued or "
        "running training can be cancelled"
    )


def _update_unfinished(
    session: Session, job_id: int, status: JobStatus, asked: dict[str, Any]
) -> bool:
    """Record the cancel on the job if it is ``status`` (and, running, not
    asked yet): a queued job ends now. Whether it was."""
    query = update(TrainingJob).where(
        TrainingJob.id == job_id, TrainingJob.status == status
    )
    if status == JobStatus.QUEUED:
        values = asked | {
            "status": JobStatus.CANCELLED,
            "finished_at": asked["cancel_requested_at"],
        }
    else:
        query = query.where(TrainingJob.cancel_requested_at.is_(None))
        values = asked
    return bool(getattr(session.execute(query.values(**values)), "rowcount", 0))


def cancel_too_late(job: TrainingJob) -> bool:
    """Whether an admin asked to cancel the training once its model was
    being registered: it ended done all the same."""
    return job.status == JobStatus.DONE and job.cancel_requested_at is not None
