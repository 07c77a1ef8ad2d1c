"""Running a training: a queued one (``run_training``: claim it), or one
``annotator train`` runs at once (``train_here``: recorded running from the
start). Either trains the spancat model into a new folder with progress and
beats (``progress``), registers it as the project's suggester, and records
how it ended (done, failed with a message a user can read, or cancelled).
Claiming, tracking and marking failed a job whose worker died are every
job's (``services/jobs``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from annotator.models import JobStatus, Project, RegisteredSuggester, TrainingJob
from annotator.services.errors import ServiceError
from annotator.services.jobs import running
from annotator.services.jobs.recovery import Worker, recover_stale
from annotator.services.suggesters import spancat, training
from annotator.services.suggesters.gold import TrainingData
from annotator.services.training_jobs.folders import discard_folder, remove_model
from annotator.services.training_jobs.progress import EpochTracker, TrainingCancelled
from annotator.services.training_jobs.submission import (
    refuse_while_training,
    start_training,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Trained:
    """What a training that ended done made: its report (held-out figures,
    the model's folder and version) and the registered suggester."""

    report: spancat.TrainReport
    registered: RegisteredSuggester


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
        job = session.get(TrainingJob, job_id)
        if job is None:
            return
        folder = training.default_model_folder(models_dir, job.project, running.now())
        _train(session, job_id, folder, tracker)

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


def train_here(
    session: Session,
    project: Project,
    folder: Path,
    options: dict[str, Any],
    *,
    echo: spancat.Progress | None = None,
    worker: Worker | None = None,
    every: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Trained:
    """``annotator train``: the training run in this process, into ``folder``,
    recorded as a running job of this process (``start_training``), so that
    the Suggestions page shows its progress and can cancel it, and no other
    training of the project starts beside it. ``options`` as a job stores
    them (layer, epochs, seed, held_out); ``echo`` hears every epoch.

    Refusals come before anything is recorded (ServiceError: another
    training queued or running, spaCy missing, the folder taken, too few
    spans). Answers what the training made (it ended done); ServiceError
    saying why when it ended otherwise (failed, cancelled on the page)."""
    refuse_while_training(session, project)
    data = training.ready_to_train(session, project, folder, options["layer"])
    worker = worker or Worker.this()
    job = start_training(session, project, options, worker)
    made: list[Trained] = []

    def work(tracker: EpochTracker) -> None:
        trained = _train(
            session, job.id, folder, tracker, echo=echo, data=data, interruptible=True
        )
        if trained is not None:
            made.append(trained)

    ended = running.run_tracked(
        session,
        TrainingJob,
        job.id,
        work,
        tracker=EpochTracker,
        worker=worker,
        every=every,
        clock=clock,
    )
    if ended.status == JobStatus.DONE and made:
        return made[0]
    if ended.status == JobStatus.CANCELLED:
        who = f" by {ended.cancelled_by.username}" if ended.cancelled_by else ""
        raise ServiceError(
            f"training job {ended.id} was cancelled{who} on the Suggestions "
            "page: no model was kept, the project's suggesters are as they were"
        )
    raise ServiceError(ended.error or f"training job {ended.id} ended {ended.status}")


#: How ``train_here`` ends a job its command's Ctrl-C stopped.
INTERRUPTED = "the training was interrupted"
INTERRUPTED_REGISTERED = (
    "the training was interrupted while the new model scored the documents "
    "for the queue order: the model is registered and in use, the queue "
    "order was not updated"
)


def _train(
    session: Session,
    job_id: int,
    folder: Path,
    tracker: EpochTracker,
    *,
    echo: spancat.Progress | None = None,
    data: TrainingData | None = None,
    interruptible: bool = False,
) -> Trained | None:
    """Train into ``folder`` and register the model; record how the job
    ended. What it made when it ended done, else None. ``data``: the layer's
    examples, when the caller has just read them. ``interruptible``: a
    Ctrl-C (KeyboardInterrupt) ends the job failed, keeps no unregistered
    model, and goes on up (``annotator train``; a web training's child is
    ended by its parent, which says which signal stopped it)."""
    job = session.get(TrainingJob, job_id)
    if job is None:
        return None
    project, options, actor = job.project, dict(job.options), job.requested_by
    existed = folder.exists()  # empty (checked): given back empty on failure
    report: spancat.TrainReport | None = None

    def progress(done: int, total: int, loss: float) -> None:
        if echo is not None:
            echo(done, total, loss)
        tracker(done, total, loss)

    def discard() -> bool:
        return discard_folder(
            session,
            project,
            folder,
            existed=existed,
            version=report.version if report is not None else None,
        )

    try:
        report = training.train_model(
            session,
            project,
            folder,
            layer=options["layer"],
            epochs=options["epochs"],
            seed=options["seed"],
            held_out=options["held_out"],
            progress=progress,
            step=tracker.step,
            data=data,
        )
        tracker.check_cancel()  # asked while the model was scored and written
        tracker.cancellable = False
        registered = training.register_model(
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
        if report is not None:
            remove_model(folder, existed)  # no model left behind
        tracker.cancellable = False
        tracker.finish(JobStatus.CANCELLED)
    except ServiceError as error:
        discard()
        tracker.finish(JobStatus.FAILED, error=str(error))
    except running.JobLost:
        raise
    except KeyboardInterrupt:
        if not interruptible:
            raise
        kept = discard()
        tracker.cancellable = False
        tracker.finish(
            JobStatus.FAILED, error=INTERRUPTED_REGISTERED if kept else INTERRUPTED
        )
        raise
    except Exception:
        log.exception("training job %s failed", job_id)
        discard()
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
        return Trained(report, registered)
    return None


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
