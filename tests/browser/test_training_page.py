"""Training on the Suggestions page in Chromium: the form starts a training
job, the status box shows the epochs while it runs, then the held-out
figures per label and the model in the suggesters table; a refused start is
shown without leaving the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services import training_jobs
from tests.browser.annotating import log_in
from tests.browser.axe import serious_violations
from tests.browser.training import shoot

pytestmark = pytest.mark.browser


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
    shoot(page, "training", "running")

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
    shoot(page, "training", "done")


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
    shoot(page, "training", "refused")
