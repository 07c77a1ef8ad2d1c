"""A live server in a thread and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from annotator.extensions import db
from annotator.models import Project
from annotator.services import training_jobs
from annotator.services.jobs import running
from annotator.services.suggestions.settings import set_suggestions
from annotator.web import training_runner
from tests.browser.annotating import record_console_errors
from tests.gold_data import make_gold_project

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    context = browser.new_context(base_url=live_server)
    opened = record_console_errors(context.new_page())
    yield opened
    # A page a test left mid-navigation (a Skip or Submit that moved on) is
    # still fetching its modules: closing it then drops the server's answer
    # half-sent, and the unclosed static file is a ResourceWarning (an error
    # under filterwarnings). Let the page settle first.
    with contextlib.suppress(Exception):
        opened.wait_for_load_state("load", timeout=5000)
    context.close()


@pytest.fixture
def project(project: Project) -> Project:
    """The shared project with suggestions off: pages show the annotator's
    spans only, unless a test turns suggestions on (set_suggestions)."""
    set_suggestions(db.session, project, "off")
    return project


@pytest.fixture
def held_training(
    app: Any, project: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[threading.Event]:
    """Trainings run in the background thread, beating at every minibatch,
    and wait after the first epoch until the test sets the event (in the
    thread, not the child process a server uses: the event and the patches
    are this process's)."""
    make_gold_project(project, users["reviewer"], documents=12)
    app.config["TRAINING_JOBS_INLINE"] = False
    app.config["TRAINING_JOBS_IN_THREAD"] = True
    monkeypatch.setattr(running, "PROGRESS_EVERY", 0.0)
    gate = threading.Event()
    real_call = training_jobs.EpochTracker.__call__

    def held(self: Any, done: int, total: int, loss: float) -> None:
        real_call(self, done, total, loss)
        if done == 1:
            gate.wait(60)

    monkeypatch.setattr(training_jobs.EpochTracker, "__call__", held)
    yield gate
    gate.set()
    assert training_runner.runner(app).wait(60)
