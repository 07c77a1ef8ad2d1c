"""Training jobs in the web process: the training kind's runner
(``job_runner``, its own thread, so a training does not hold up exports)
runs them in a child process (``annotator.training_process``) and waits for
it, so a training's CPU-bound Python does not hold the web worker's GIL and
annotators' requests stay quick; at most one child per web process (the
runner has one thread).

A child that ends abnormally (killed for want of memory, crashed) does not
stop the runner: the training it ran ends failed with a message that says
how, and is not retried (it may kill the next child too); a new child takes
the trainings still queued. A child that died before it took any training is
not replaced (the next would likely die the same way): the trainings queued
to this process end failed, saying so, rather than wait unbeaten until
recovery takes them for a dead worker's.

``TRAINING_JOBS_IN_THREAD`` runs them in the runner's thread instead (the
benchmark's comparison); with ``TRAINING_JOBS_INLINE`` (tests) they run in
the request that submits them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from annotator import training_process
from annotator.models import JobStatus, TrainingJob
from annotator.services import training_jobs
from annotator.services.jobs import recovery, running
from annotator.services.jobs.recovery import Worker
from annotator.web import job_runner

#: How often the waiting runner beats the trainings queued for this process.
WAIT_BEAT = 30.0


def models_dir(app: Flask) -> Path:
    """Where models are written: ``MODEL_DIR`` (instance/models), as
    ``annotator train`` writes them."""
    return Path(app.config["MODEL_DIR"])


def _run_one(session: Session, job_id: int, app: Flask) -> object:
    return training_jobs.run_training(session, job_id, models_dir(app))


def _run_queued(session: Session, app: Flask) -> object:
    if app.config.get("TRAINING_JOBS_IN_THREAD"):
        return training_jobs.run_queued_trainings(session, models_dir(app))
    here = Worker.this()

    def waiting() -> None:
        # Trainings submitted to this process wait behind the child's: they
        # are this process's, alive, not a dead worker's.
        try:
            running.beat_queued(session, TrainingJob, here)
        except Exception:
            session.rollback()  # the next beat starts afresh
            raise

    children = 0
    while True:
        ended = training_process.run_child(app, waiting, every=WAIT_BEAT)
        children += 1
        if not ended.abnormal or not _go_on_after(session, here, ended):
            return children


def _go_on_after(
    session: Session, here: Worker, ended: training_process.ChildEnd
) -> bool:
    """After a child that ended abnormally: the training it ran ends failed
    (or cancelled, if asked) with a message that says how; whether another
    child should take the trainings still queued. Only after a child that
    had taken a training, which has ended: so each new child follows one
    training less in the queue, never a tight loop of children that die at
    once. Otherwise the trainings queued to this process end failed too."""
    child = Worker(here.host, ended.pid)
    error = training_process.stopped_message(ended.code)
    recovery.recover_worker(session, TrainingJob, child, error)
    if recovery.claimed_since(session, TrainingJob, child, ended.started):
        return running.next_queued(session, TrainingJob) is not None
    never = training_process.stopped_message(ended.code, held=False)
    recovery.recover_worker(
        session, TrainingJob, here, never, statuses=(JobStatus.QUEUED,)
    )
    return False


TRAININGS = job_runner.JobKind(
    "training", "TRAINING_JOBS_INLINE", _run_one, _run_queued
)


def runner(app: Flask) -> job_runner.Runner:
    return job_runner.runner(app, TRAININGS)


def start(job_id: int) -> None:
    """Have the training job ``job_id`` run (see ``job_runner.start``)."""
    job_runner.start(TRAININGS, job_id)
