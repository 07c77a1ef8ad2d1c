"""Trainings started from the web run in a child process, not a thread of
the web worker: spaCy training is CPU-bound Python that holds the GIL, and
every request of the worker running it would wait behind it for minutes.

The web side (``run_child``) starts ``python -m annotator.training_process``
with the app's settings on its standard input (the database URL may hold a
password: never on the command line, where ``ps`` shows it) and waits for it,
calling ``waiting`` every ``every`` seconds meanwhile. The child
(``main``) builds the app from those settings and runs the queued trainings
through the database queue (``training_jobs.run_queued_trainings``), as a
thread would: it claims each job under its own process id, so a killed child
leaves a job whose worker is gone, which recovery ends (``services/jobs``):
the web side, told how the child ended, ends it with a message that says so
and goes on with the trainings still queued (``web/training_runner``).
It runs at a lower CPU priority than the web workers (``NICENESS``).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

#: How much lower than the web worker's the child's CPU priority is.
NICENESS = 10

#: The settings a child needs to be the same app on the same data.
CHILD_SETTINGS = (
    "SQLALCHEMY_DATABASE_URI",
    "SQLALCHEMY_ENGINE_OPTIONS",
    "MODEL_DIR",
    "EXPORT_DIR",
    "SECRET_KEY",
    "TESTING",
)


#: Signals that end a process which has crashed, rather than one stopped.
CRASHES = frozenset(
    {signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE}
)


@dataclass(frozen=True, slots=True)
class ChildEnd:
    """How a training child ended: its process id, its exit code (negative:
    the signal that ended it) and when it was started (UTC)."""

    pid: int
    code: int
    started: datetime

    @property
    def abnormal(self) -> bool:
        return self.code != 0


def stopped_message(code: int, *, held: bool = True) -> str:
    """What a user reads on a training whose child ended with ``code``: the
    one it ran (``held``), or one queued that it never started."""
    when = "while it ran this training" if held else "before it started this training"
    return f"the training process {_how(code)} {when}; see the server log"


def _how(code: int) -> str:
    if code >= 0:
        return f"ended with exit code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return f"was stopped by signal {-code}"
    if -code == signal.SIGKILL:
        # What the kernel's out-of-memory killer sends: on a training, the
        # likeliest cause by far, worth saying to the admin.
        return f"was killed ({name}, most often for want of memory)"
    if -code in CRASHES:
        return f"crashed ({name})"
    return f"was stopped ({name})"


def child_settings(app: Flask) -> dict[str, Any]:
    """The app's settings a training child is made with (JSON values only:
    an engine option that is an object stays the child's default)."""
    settings: dict[str, Any] = {}
    for key in CHILD_SETTINGS:
        if key not in app.config:
            continue
        try:
            json.dumps(app.config[key])
        except TypeError:
            log.warning("%s is not passed to the training process", key)
            continue
        settings[key] = app.config[key]
    return settings


def run_child(
    app: Flask, waiting: Callable[[], None] | None = None, every: float = 30.0
) -> ChildEnd:
    """Run the queued trainings in a child process and wait for it; how it
    ended. ``waiting`` is called every ``every`` seconds until it ends."""
    # The same code as this process's (a checkout, not another install).
    here = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))
    env = {
        **os.environ,
        "ANNOTATOR_INSTANCE_PATH": app.instance_path,
        "PYTHONPATH": path,
    }
    started = datetime.now(UTC)
    child = subprocess.Popen(
        [sys.executable, "-m", "annotator.training_process"],
        stdin=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        if child.stdin is not None:  # always, with stdin=PIPE
            with child.stdin:
                child.stdin.write(json.dumps(child_settings(app)))
    except BrokenPipeError:
        pass  # it died at once: its exit code says how
    while True:
        try:
            code = child.wait(timeout=every)
        except subprocess.TimeoutExpired:
            _call(waiting)
            continue
        if code != 0:
            log.error("the training process %s ended with code %s", child.pid, code)
        return ChildEnd(child.pid, code, started)


def _call(waiting: Callable[[], None] | None) -> None:
    """``waiting``, its error logged: the child is waited for whatever it
    raises (a second child must not start beside one left unwatched)."""
    if waiting is None:
        return
    try:
        waiting()
    except Exception:
        log.exception("while the training process ran")


def main() -> None:
    """The child: the app from the settings on standard input, then every
    queued training, oldest first."""
    from annotator.app import create_app
    from annotator.extensions import current_session, db
    from annotator.services import training_jobs

    logging.basicConfig(level=logging.INFO)
    # Below the web workers: where processors are scarce, annotators' requests
    # come first and the training takes the time left.
    os.nice(NICENESS)
    settings = json.loads(sys.stdin.read())
    # The child runs what is queued: never inline, never another child.
    settings["TRAINING_JOBS_INLINE"] = False
    app = create_app(settings)
    with app.app_context():
        try:
            ran = training_jobs.run_queued_trainings(
                current_session(), Path(app.config["MODEL_DIR"])
            )
        finally:
            db.session.remove()
    log.info("training process %s ran %s training(s)", os.getpid(), ran)


if __name__ == "__main__":
    main()
