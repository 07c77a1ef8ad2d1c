"""Export jobs in the web process: run by the export kind's runner
(``job_runner``); with ``EXPORT_JOBS_INLINE`` (tests) in the request that
submits them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from annotator.services import export_jobs
from annotator.web import job_runner


def export_dir(app: Flask) -> Path:
    return Path(app.config["EXPORT_DIR"])


def _run_one(session: Session, job_id: int, app: Flask) -> object:
    return export_jobs.run_job(session, job_id, export_dir(app))


def _run_queued(session: Session, app: Flask) -> object:
    return export_jobs.run_queued(session, export_dir(app))


EXPORTS = job_runner.JobKind("export", "EXPORT_JOBS_INLINE", _run_one, _run_queued)


def runner(app: Flask) -> job_runner.Runner:
    return job_runner.runner(app, EXPORTS)


def start(job_id: int) -> None:
    """Have the export job ``job_id`` run (see ``job_runner.start``)."""
    job_runner.start(EXPORTS, job_id)
