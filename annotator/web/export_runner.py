"""The web process's export runner: one background thread per process that
runs queued export jobs, oldest first, until none is left.

The queue is the database (any process's runner may take any queued job,
and a job is claimed by one only), so the thread needs no queue of its own:
``wake`` starts it if it is not running, or tells it to look again before it
stops. With ``EXPORT_JOBS_INLINE`` (tests) a job runs in the request that
submits it instead.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, cast

from flask import Flask, current_app

from annotator.extensions import current_session, db
from annotator.services import export_jobs

log = logging.getLogger(__name__)
EXTENSION = "export_jobs.runner"


class Runner:
    """At most one export thread in this process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pending = False
        self.pid = os.getpid()

    def wake(self) -> None:
        """Run the queued jobs soon, in this process's export thread."""
        with self.lock:
            self.pending = True
            if self.pid != os.getpid():  # forked: the thread stayed behind
                self.thread, self.pid = None, os.getpid()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._loop, name="export-jobs", daemon=True
                )
                self.thread.start()

    def wait(self, timeout: float) -> bool:
        """Wait for the thread to stop (tests); whether it did."""
        with self.lock:
            thread = self.thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _loop(self) -> None:
        while True:
            with self.lock:
                if not self.pending:
                    self.thread = None
                    return
                self.pending = False
            self._drain()

    def _drain(self) -> None:
        with self.app.app_context():
            try:
                export_jobs.run_queued(current_session(), export_dir(self.app))
            except Exception:
                log.exception("the export runner stopped on an error")
            finally:
                db.session.remove()


def export_dir(app: Flask) -> Path:
    return Path(app.config["EXPORT_DIR"])


def runner(app: Flask) -> Runner:
    found = app.extensions.get(EXTENSION)
    if not isinstance(found, Runner):
        found = app.extensions[EXTENSION] = Runner(app)
    return found


def start(job_id: int) -> None:
    """Have the job ``job_id`` run: now, in this request, with
    EXPORT_JOBS_INLINE; otherwise in the background."""
    app: Flask = cast(Any, current_app)._get_current_object()
    if app.config.get("EXPORT_JOBS_INLINE"):
        export_jobs.run_job(current_session(), job_id, export_dir(app))
    else:
        runner(app).wake()
