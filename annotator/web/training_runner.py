"""Training jobs in the web process: run by the training kind's runner
(``job_runner``, its own thread, so a training does not hold up exports);
with ``TRAINING_JOBS_INLINE`` (tests) in the request that submits them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from annotator.services import training_jobs
from annotator.web import job_runner


def models_dir(app: Flask) -> Path:
    """Where models are written: ``MODEL_DIR`` (instance/models), as
    ``annotator train`` writes them."""
    return Path(app.config["MODEL_DIR"])


def _run_one(session: Session, job_id: int, app: Flask) -> object:
    return training_jobs.run_training(session, job_id, models_dir(app))


def _run_queued(session: Session, app: Flask) -> object:
    return training_jobs.run_queued_trainings(session, models_dir(app))


TRAININGS = job_runner.JobKind(
    "training", "TRAINING_JOBS_INLINE", _run_one, _run_queued
)


def runner(app: Flask) -> job_runner.Runner:
    return job_runner.runner(app, TRAININGS)


def start(job_id: int) -> None:
    """Have the training job ``job_id`` run (see ``job_runner.start``)."""
    job_runner.start(TRAININGS, job_id)
