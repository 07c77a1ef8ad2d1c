"""The web process's job runners: per kind of job (exports, trainings), one
background thread per process that runs queued jobs, oldest first, until
none is left.

The queue is the database (any process's runner may take any queued job,
and a job is claimed by one only), so the thread needs no queue of its own:
``wake`` starts it if it is not running, or tells it to look again before it
stops. A kind has its own thread, so a training of minutes does not hold up
an export. With the kind's ``inline`` setting (tests) a job runs in the
request that submits it instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy.orm import Session

from annotator.extensions import current_session, db

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job as the runner sees it: its name, the setting that runs
    jobs inline, and how to run one job or every queued one."""

    name: str
    inline: str
    run_one: Callable[[Session, int, Flask], object]
    run_queued: Callable[[Session, Flask], object]


class Runner:
    """At most one thread per kind of job in this process."""

    def __init__(self, app: Flask, kind: JobKind) -> None:
        self.app = app
        self.kind = kind
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pending = False
        self.pid = os.getpid()

    def wake(self) -> None:
        """Run the queued jobs soon, in this process's thread for the kind."""
        with self.lock:
            self.pending = True
            if self.pid != os.getpid():  # forked: the thread stayed behind
                self.thread, self.pid = None, os.getpid()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._loop, name=f"{self.kind.name}-jobs", daemon=True
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
                self.kind.run_queued(current_session(), self.app)
            except Exception:
                log.exception("the %s runner stopped on an error", self.kind.name)
            finally:
                db.session.remove()


def runner(app: Flask, kind: JobKind) -> Runner:
    """This app's runner of ``kind`` (made on first use)."""
    key = f"{kind.name}_jobs.runner"
    found = app.extensions.get(key)
    if not isinstance(found, Runner):
        found = app.extensions[key] = Runner(app, kind)
    return found


def start(kind: JobKind, job_id: int) -> None:
    """Have the job ``job_id`` of ``kind`` run: now, in this request, when
    the kind's inline setting is on; otherwise in the background."""
    app: Flask = cast(Any, current_app)._get_current_object()
    if app.config.get(kind.inline):
        kind.run_one(current_session(), job_id, app)
    else:
        runner(app, kind).wake()
