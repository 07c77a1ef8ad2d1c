"""Running a queued training: claim it, train the spancat model into a new
folder with progress and beats (``progress``), register it as the project's
suggester as ``annotator train`` does, and record how it ended (done,
failed with a message a user can read, or cancelled). Claiming, tracking
and marking failed a job whose worker died are every job's
(``services/jobs``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from annotator.models import JobStatus, TrainingJob
from annotator.services.errors import ServiceError
from annotator.services.jobs import running
from annotator.services.jobs.recovery import Worker, recover_stale
from annotator.services.suggesters import training
from annotator.services.training_jobs.folders import discard_folder, remove_folder
from annotator.services.training_jobs.progress import EpochTracker, TrainingCancelled

log = logging.getLogger(__name__)


def run_training(
    session: Session,
    job_id: int,
    models_dir: Path,
    *,
    worker: Worker | None = None,
    every: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> TrainingJob:
    """Claim the queued training ``job_id`` and run it into a new folder
    under ``models_dir``; it ends ``done`` (model registered as the
    project's suggester), ``failed`` with a message a user can read, or
    ``cancelled`` (no model kept, nothing registered).
    ServiceError if the job is not queued."""

    def work(tracker: EpochTracker) -> None:
        _train(session, job_id, models_dir, tracker)

    return running.run_claimed(
        session,
        TrainingJob,
        job_id,
        work,
        tracker=EpochTracker,
        worker=worker,
        every=every,
        clock=clock,
    )


def _train(
    session: Session, job_id: int, models_dir: Path, tracker: EpochTracker
) -> None:
    job = session.get(TrainingJob, job_id)
    if job is None:
        return
    project, options, actor = job.project, dict(job.options), job.requested_by
    folder = training.default_model_folder(models_dir, project, running.now())
    existed = folder.exists()  # then it is not this training's to remove
    try:
        report = training.train_model(
            session,
            project,
            folder,
            layer=options["layer"],
            epochs=options["epochs"],
            seed=options["seed"],
            held_out=options["held_out"],
            progress=tracker,
            step=tracker.step,
        )
        tracker.check_cancel()  # asked while the model was scored and written
        tracker.cancellable = False
        training.register_model(
            session,
            project,
            report,
            actor=actor,
            # Scoring every document for the queue order follows, with no
            # epochs to report: without beats a long one looks dead.
            beat=tracker.beat,
        )
    except TrainingCancelled:
        session.rollback()
        remove_folder(folder)  # no model left behind
        tracker.cancellable = False
        tracker.finish(JobStatus.CANCELLED)
    except ServiceError as error:
        discard_folder(session, project, folder, existed)
        tracker.finish(JobStatus.FAILED, error=str(error))
    except running.JobLost:
        raise
    except Exception:
        log.exception("training job %s failed", job_id)
        discard_folder(session, project, folder, existed)
        tracker.finish(
            JobStatus.FAILED, error="the training stopped on an unexpected error"
        )
    else:
        tracker.finish(
            JobStatus.DONE,
            epochs_done=report.epochs,
            model_path=str(report.path.resolve()),
            model_version=report.version,
            metrics=report.to_dict(),
        )


def run_queued_trainings(
    session: Session, models_dir: Path, worker: Worker | None = None
) -> int:
    """Run queued trainings, oldest first, until none is left (after marking
    dead workers' jobs failed); the number run."""
    worker = worker or Worker.this()
    recover_stale(session, TrainingJob)
    return running.run_every_queued(
        session,
        TrainingJob,
        lambda job_id: run_training(session, job_id, models_dir, worker=worker),
    )
