"""Training on the Suggestions page in Chromium: the form starts a training
job, the status box shows the epochs while it runs, then the held-out
figures per label and the model in the suggesters table; a refused start is
shown without leaving the page."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services import training_jobs
from annotator.services.jobs import running
from annotator.web import training_runner
from tests.browser.annotating import log_in
from tests.browser.axe import serious_violations
from tests.gold_data import make_gold_project

pytestmark = pytest.mark.browser
SHOTS = Path("/work/shots/training")


@pytest.fixture
def held_training(app, project, users, monkeypatch):
    """Trainings run in the background thread, writing every epoch, and wait
    after the first until the test lets them go on."""
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
        width_used = page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width


def test_a_training_shows_its_epochs_then_the_figures(page, project, held_training):
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/suggestions")
    assert serious_violations(page) == []
    page.get_by_label("Epochs").fill("8")
    page.get_by_role("button", name="Train a model").click()

    status = page.locator("#training-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Training: 1 of 8 epochs done.", timeout=60000)
    bar = page.locator("#training-progress")
    expect(bar).to_have_attribute("max", "8")
    expect(bar).to_have_js_property("value", 1)
    expect(page.get_by_role("button", name="Train a model")).to_be_disabled()
    assert serious_violations(page) == []
    shoot(page, "running")

    held_training.set()
    figures = page.locator("#training-figures")
    expect(figures).to_be_visible(timeout=60000)
    expect(figures.locator("tbody tr")).to_have_count(4)
    expect(figures.locator("tbody tr").filter(has_text="Hedge")).to_have_count(1)
    expect(status).to_contain_text("is the project's spancat suggester")
    expect(page.locator("#suggesters")).to_contain_text("spancat")
    expect(page.get_by_role("button", name="Train a model")).to_be_enabled()
    assert serious_violations(page) == []
    assert page.console_errors == []
    shoot(page, "done")


def test_a_refused_start_is_shown_on_the_page(page, project, held_training):
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/suggestions")
    page.get_by_label("Epochs").fill("500")
    page.get_by_role("button", name="Train a model").click()
    status = page.locator("#training-status")
    expect(status).to_contain_text("Not started: epochs: a whole number, 1 to 200")
    expect(page.get_by_label("Epochs")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Train a model")).to_be_enabled()
    assert page.url.endswith(f"/projects/{project.id}/suggestions")
    assert training_jobs.list_trainings(db.session, project) == []
    shoot(page, "refused")
