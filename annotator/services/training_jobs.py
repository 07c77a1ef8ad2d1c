"""Training the project's spancat suggester as a job: started by a project
admin, run outside the request, polled.

``submit_training`` makes the checks training itself makes first (spaCy
installed, a known layer, enough gold) so that a refusal is immediate, and
queues the job: at most one queued or running training per project (a
partial unique index holds it against two admins at once). ``run_training``
claims it and runs ``train_model`` with a progress callback that writes the
epochs done, and beats after every minibatch (written at most once a
second: an epoch may outlast ``recovery.STALE_AFTER``), registers the model
as the project's suggester as ``annotator train`` does, and records the
model's version and ``metrics.json``. Claiming, tracking and marking failed
a job whose worker died are every job's (``services/jobs``).

``cancel_training`` ends a queued training at once (``cancelled``) and asks
a running one to stop: its worker reads the request at its next written
beat, stops, removes any model folder it wrote, registers nothing and ends
it ``cancelled``. Once the model is being registered the request comes too
late and the training ends ``done``.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.core.spans import FieldError
from annotator.models import (
    JobStatus,
    Project,
    RegisteredSuggester,
    SuggesterKind,
    TrainingJob,
    User,
)
from annotator.models.job import UNFINISHED
from annotator.services import audit
from annotator.services.errors import (
    FieldRefused,
    NotFoundError,
    ServiceError,
    rolls_back,
)
from annotator.services.jobs import running
from annotator.services.jobs.recovery import Worker, recover_stale
from annotator.services.jobs.running import Tracker, common_data
from annotator.services.suggesters import spancat, training
from annotator.services.suggesters.gold import TRAINING_LAYERS
from annotator.services.suggestions import register_suggester

log = logging.getLogger(__name__)

#: More epochs than this is a typing slip, not a training.
MAX_EPOCHS = 200


class TrainingBusy(ServiceError):
    """The project already has a training queued or running."""


class TrainingEnded(ServiceError):
    """The training has ended (done, failed or cancelled): nothing to cancel."""


class TrainingCancelled(Exception):
    """An admin asked the running training to stop (raised at a beat)."""


def _options(options: dict[str, Any]) -> dict[str, Any]:
    """The training's options with defaults; FieldRefused naming a bad one."""
    known = {"layer", "epochs", "seed"}
    for key in options:
        if key not in known:
            raise FieldRefused(
                FieldError(key, f"unknown option; known: {', '.join(sorted(known))}")
            )
    layer = options.get("layer", "gold")
    if layer not in TRAINING_LAYERS:
        raise FieldRefused(FieldError("layer", f"one of {', '.join(TRAINING_LAYERS)}"))
    epochs = options.get("epochs", training.DEFAULT_EPOCHS)
    if not _whole(epochs) or not 1 <= epochs <= MAX_EPOCHS:
        raise FieldRefused(FieldError("epochs", f"a whole number, 1 to {MAX_EPOCHS}"))
    seed = options.get("seed", 0)
    if not _whole(seed) or not 0 <= seed < 2**31:
        raise FieldRefused(FieldError("seed", "a whole number, 0 to 2147483647"))
    return {
        "layer": layer,
        "epochs": epochs,
        "seed": seed,
        "held_out": training.DEFAULT_HELD_OUT,
    }


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    chosen = _options(options)
    if not spancat.spacy_available():
        raise ServiceError(f"training needs spaCy: {spancat.INSTALL}")
    refuse_while_training(session, project)
    training.enough_examples(session, project, chosen["layer"])
    session.rollback()  # the read's snapshot
    owner, made = worker or Worker.this(), running.now()
    job = TrainingJob(
        project_id=project.id,
        requested_by_id=user.id if user else None,
        options=chosen,
        status=JobStatus.QUEUED,
        epochs_done=0,
        epochs_total=chosen["epochs"],
        error="",
        created_at=made,
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


def training_data(job: TrainingJob) -> dict[str, Any]:
    """The training as the API shows it: progress in epochs (and, while it
    runs, documents within the epoch under way) and, once done,
    the model's version and held-out figures (no server paths); who asked
    to cancel it, and when, and whether that came too late (it ended done)."""
    metrics = job.metrics or {}
    under_way = job.status == JobStatus.RUNNING
    return common_data(job) | {
        "cancel_requested_at": running.iso(job.cancel_requested_at),
        "cancelled_by": job.cancelled_by.username if job.cancelled_by else None,
        "progress": {
            "done": job.epochs_done,
            "total": job.epochs_total,
            "epoch_documents_done": (job.epoch_examples_done or 0) if under_way else 0,
            "epoch_documents_total": job.epoch_examples_total if under_way else None,
        },
        "cancel_too_late": cancel_too_late(job),
        "model_version": job.model_version,
        "metrics": {
            "per_label": metrics.get("per_label", {}),
            "micro_f1": metrics.get("micro_f1"),
            "counts": metrics.get("counts", {}),
            "seconds": metrics.get("seconds"),
        }
        if job.metrics
        else None,
    }


# ---------------------------------------------------------------- running


class _EpochTracker(Tracker):
    """The training's progress callback: epochs done, with a heartbeat after
    every minibatch (``step``); each beat written also reads whether an
    admin asked to cancel (TrainingCancelled) until ``cancellable`` is
    turned off (the model is being registered)."""

    cancellable = True
    #: The epochs done and in all as last reported, written or not.
    epochs: tuple[int, int] | None = None

    def __call__(self, done: int, total: int, loss: float) -> None:
        self.epochs = (done, total)
        if self.due(done, total):
            self.write(epochs_done=done, epochs_total=total, epoch_examples_done=0)

    def step(self, done: int, total: int) -> None:
        """After a minibatch (``done`` of ``total`` documents of the epoch):
        the heartbeat with that progress, written at most every ``every``
        seconds, so a long epoch does not look like a dead worker. The
        epochs done go with it: an epoch's end within a second of a beat is
        not written, and the documents must not be counted in the epoch
        before."""
        if self.clock() - self.last >= self.every:
            epochs = {}
            if self.epochs is not None:
                epochs = {"epochs_done": self.epochs[0], "epochs_total": self.epochs[1]}
            self.write(epoch_examples_done=done, epoch_examples_total=total, **epochs)

    def write(self, **values: Any) -> None:
        super().write(**values)
        if self.cancellable and "status" not in values:
            self.check_cancel()

    def check_cancel(self) -> None:
        """TrainingCancelled if an admin asked to cancel the training."""
        asked = self.session.scalar(
            select(TrainingJob.cancel_requested_at).where(TrainingJob.id == self.job_id)
        )
        self.session.rollback()  # no read transaction left open
        if asked is not None:
            raise TrainingCancelled(self.job_id)


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

    def work(tracker: _EpochTracker) -> None:
        _train(session, job_id, models_dir, tracker)

    return running.run_claimed(
        session,
        TrainingJob,
        job_id,
        work,
        tracker=_EpochTracker,
        worker=worker,
        every=every,
        clock=clock,
    )


def _train(
    session: Session, job_id: int, models_dir: Path, tracker: _EpochTracker
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
        register_suggester(
            session,
            project,
            kind=SuggesterKind.SPANCAT,
            name=spancat.NAME,
            version=report.version,
            config={"path": str(report.path.resolve())},
            actor=actor,
            # Scoring every document for the queue order follows, with no
            # epochs to report: without beats a long one looks dead.
            beat=tracker.beat,
        )
    except TrainingCancelled:
        session.rollback()
        shutil.rmtree(folder, ignore_errors=True)  # no model left behind
        tracker.cancellable = False
        tracker.finish(JobStatus.CANCELLED)
    except ServiceError as error:
        _discard(session, project, folder, existed)
        tracker.finish(JobStatus.FAILED, error=str(error))
    except running.JobLost:
        raise
    except Exception:
        log.exception("training job %s failed", job_id)
        _discard(session, project, folder, existed)
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


def _discard(session: Session, project: Project, folder: Path, existed: bool) -> None:
    """Remove the model folder a failed training wrote, unless it was there
    before (another training's) or its model was registered before the
    failure (scoring the documents failed: the model stays in use)."""
    session.rollback()
    if existed or not folder.exists():
        return
    path = str(folder.resolve())
    registered = session.scalars(
        select(RegisteredSuggester.config).where(
            RegisteredSuggester.project_id == project.id,
            RegisteredSuggester.kind == SuggesterKind.SPANCAT,
        )
    ).all()
    session.rollback()
    if any(config.get("path") == path for config in registered):
        return
    shutil.rmtree(folder, ignore_errors=True)


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
