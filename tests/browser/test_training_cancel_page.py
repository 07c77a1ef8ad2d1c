"""Cancelling a training on the Suggestions page in Chromium: the Cancel
button under the progress bar (made by the script for a training started
there, the page's form after a reload) stops the running training at its
next beat, and the card then says who cancelled it; no model is
registered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import RegisteredSuggester, TrainingJob
from tests.browser.annotating import log_in
from tests.browser.axe import serious_violations
from tests.browser.training import shoot

pytestmark = pytest.mark.browser


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
    shoot(page, "trainctl", "running")
    cancel.click()
    expect(page.locator("#training-cancel button")).to_have_text("Cancelling…")
    expect(page.locator("#training-cancel button")).to_be_focused()
    shoot(page, "trainctl", "cancelling")
    ends_cancelled(page, held_training)
    shoot(page, "trainctl", "cancelled")


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
    shoot(page, "trainctl", "running-reloaded")
    page.get_by_role("button", name="Cancel training").click()
    assert page.url.endswith(f"/projects/{project.id}/suggestions")
    ends_cancelled(page, held_training)
