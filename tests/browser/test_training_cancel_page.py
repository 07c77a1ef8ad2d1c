"""Cancelling a training on the Suggestions page in Chromium: the Cancel
button under the progress bar (made by the script for a training started
there, the page's form after a reload) stops the running training at its
next beat, and the card then says who cancelled it; no model is
registered."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import RegisteredSuggester, TrainingJob
from annotator.services import training_jobs
from annotator.services.jobs import running
from annotator.web import training_runner
from tests.browser.annotating import log_in
from tests.browser.axe import serious_violations
from tests.gold_data import make_gold_project

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots/trainctl")


@pytest.fixture
def held_training(app, project, users, monkeypatch):
    """Trainings run in the background thread, beating at every minibatch,
    and wait after the first epoch until the test lets them go on."""
    make_gold_project(project, users["reviewer"], documents=12)
    app.config["TRAINING_JOBS_INLINE"] = False
    monkeypatch.setattr(running, "PROGRESS_EVERY", 0.0)
    gate = threading.Event()
    real_call = training_jobs._EpochTracker.__call__

    def held(self, done, total, loss):
        real_call(self, done, total, loss)
        if done == 1:
            gate.wait(60)

    monkeypatch.setattr(training_jobs._EpochTracker, "__call__", held)
    yield gate
    gate.set()
    assert training_runner.runner(app).wait(60)


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1400, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#training-heading").scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"{name}-{width}x{height}.png", full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def start(page, project):
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/suggestions")
    page.get_by_label("Epochs").fill("8")
    page.get_by_role("button", name="Train a model").click()
    expect(page.locator("#training-status")).to_contain_text(
        "Training: 1 of 8 epochs done.", timeout=60000
    )


def ends_cancelled(page, gate):
    status = page.locator("#training-status")
    expect(status).to_contain_text("Cancelling: the training stops")
    gate.set()
    expect(page.locator("#training-cancelled")).to_contain_text(
        "was cancelled by padmin at", timeout=60000
    )
    expect(page.get_by_role("button", name="Cancel training")).to_have_count(0)
    expect(page.get_by_role("button", name="Train a model")).to_be_enabled()
    db.session.expire_all()
    job = db.session.scalars(select(TrainingJob)).one()
    assert (job.status, job.model_version) == ("cancelled", None)
    kinds = db.session.scalars(select(RegisteredSuggester.kind)).all()
    assert "spancat" not in kinds
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_a_training_started_on_the_page_is_cancelled_there(
    page, project, held_training
):
    start(page, project)
    cancel = page.get_by_role("button", name="Cancel training")
    expect(cancel).to_be_visible()
    assert serious_violations(page) == []
    shoot(page, "running")
    cancel.click()
    expect(page.locator("#training-cancel button")).to_have_text("Cancelling…")
    expect(page.locator("#training-cancel button")).to_be_focused()
    shoot(page, "cancelling")
    ends_cancelled(page, held_training)
    shoot(page, "cancelled")


def test_the_pages_cancel_form_works_after_a_reload(page, project, held_training):
    start(page, project)
    # As if the second epoch were under way: 16 of its 40 documents done.
    db.session.execute(
        update(TrainingJob).values(epoch_examples_done=16, epoch_examples_total=40)
    )
    db.session.commit()
    page.reload()
    expect(page.locator("#training-progress-text")).to_have_text(
        "Training: 1 of 8 epochs done. Epoch 2: 16 of 40 documents."
    )
    expect(page.locator("#training-progress")).to_have_js_property("value", 1.4)
    form = page.locator("form#training-cancel")
    expect(form).to_have_attribute("method", "post")
    expect(page.locator("#training-check-again")).to_have_count(0)
    shoot(page, "running-reloaded")
    page.get_by_role("button", name="Cancel training").click()
    assert page.url.endswith(f"/projects/{project.id}/suggestions")
    ends_cancelled(page, held_training)
