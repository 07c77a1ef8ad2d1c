"""Cancelling a training from the web: the API (202 with the job, 409 once
it has ended, 404 for another project's job, admins only, session + CSRF
or a token) and the Suggestions page's "Cancel training" button, which
works without script and shows the cancelled training."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import AuditEvent, TrainingJob
from annotator.services import tokens, training_jobs
from annotator.web import training_runner
from tests.conftest import csrf_token, login
from tests.gold_data import make_gold_project


@pytest.fixture
def gold(project, users):
    make_gold_project(project, users["reviewer"], documents=12)
    return project


@pytest.fixture
def held(app):
    """Jobs wait in the queue until the test runs them."""
    app.config["TRAINING_JOBS_INLINE"] = False
    training_runner.runner(app).wake = lambda: None
    return app


@pytest.fixture
def queued(gold, users, held):
    return training_jobs.submit_training(
        db.session, gold, users["padmin"], {"epochs": 1}
    ).id


def cancel_url(project, job_id):
    return f"/api/v1/projects/{project.id}/trainings/{job_id}/cancel"


def page(project):
    return f"/projects/{project.id}/suggestions"


def form_url(project, job_id):
    return f"{page(project)}/training/{job_id}/cancel"


def cancel(client, project, job_id, token=True):
    headers = {"X-CSRFToken": csrf_token(client, "/")} if token else {}
    return client.post(cancel_url(project, job_id), json={}, headers=headers)


def set_status(job_id, status):
    db.session.execute(
        update(TrainingJob).where(TrainingJob.id == job_id).values(status=status)
    )
    db.session.commit()


def stored(job_id):
    db.session.expire_all()
    return db.session.get(TrainingJob, job_id)


# ---------------------------------------------------------------- API


def test_the_api_cancels_a_queued_training_at_once(client, gold, queued):
    login(client, "padmin")
    response = cancel(client, gold, queued)
    assert response.status_code == 202
    job = response.get_json()
    assert (job["id"], job["status"], job["cancelled_by"]) == (
        queued,
        "cancelled",
        "padmin",
    )
    assert job["cancel_requested_at"] is not None
    assert job["finished_at"] is not None
    assert client.get(job["url"]).get_json()["status"] == "cancelled"


def test_the_api_asks_a_running_training_to_stop(client, gold, queued):
    set_status(queued, "running")
    login(client, "padmin")
    response = cancel(client, gold, queued)
    assert response.status_code == 202
    job = response.get_json()
    assert job["status"] == "running"
    assert job["cancel_requested_at"] is not None
    assert stored(queued).cancel_requested_at is not None


@pytest.mark.parametrize("status", ["done", "failed", "cancelled"])
def test_an_ended_training_is_a_409_naming_its_status(client, gold, queued, status):
    set_status(queued, status)
    login(client, "padmin")
    response = cancel(client, gold, queued)
    assert response.status_code == 409
    assert response.get_json()["error"] == (
        f"training job {queued} is already {status}: only a queued or running "
        "training can be cancelled"
    )


def test_another_projects_training_is_a_404(client, gold, other_project, queued):
    login(client, "padmin")
    assert cancel(client, other_project, queued).status_code == 404
    assert cancel(client, gold, queued + 1).status_code == 404
    assert stored(queued).status == "queued"


@pytest.mark.parametrize(("username", "status"), [("reviewer", 403), ("outsider", 404)])
def test_only_the_projects_admins_cancel(client, gold, queued, username, status):
    login(client, username)
    assert cancel(client, gold, queued).status_code == status
    token = csrf_token(client, "/")
    refused = client.post(form_url(gold, queued), data={"csrf_token": token})
    assert refused.status_code == status
    assert stored(queued).status == "queued"


def test_anonymous_callers_are_refused(client, gold, queued):
    headers = {"X-CSRFToken": csrf_token(client)}
    response = client.post(cancel_url(gold, queued), json={}, headers=headers)
    assert response.status_code == 401
    assert stored(queued).status == "queued"


def test_a_session_needs_the_csrf_token(client, gold, queued):
    login(client, "padmin")
    assert cancel(client, gold, queued, token=False).status_code == 400
    assert client.post(form_url(gold, queued)).status_code == 400
    assert stored(queued).status == "queued"


def test_a_token_cancels_without_csrf(client, gold, queued, users):
    plain, _ = tokens.create_token(db.session, users["padmin"], "script")
    response = client.post(
        cancel_url(gold, queued),
        json={},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 202
    assert response.get_json()["status"] == "cancelled"


# ---------------------------------------------------------------- the page


def test_the_page_cancels_without_script_and_shows_who(client, gold, queued):
    login(client, "padmin")
    shown = client.get(page(gold)).get_data(True)
    form = re.search(r'<form method="post" id="training-cancel".*?</form>', shown, re.S)
    assert form is not None
    assert f'action="{form_url(gold, queued)}"' in form.group(0)
    assert 'name="csrf_token"' in form.group(0)
    assert "Cancel training</button>" in form.group(0)
    token = csrf_token(client, page(gold))
    response = client.post(form_url(gold, queued), data={"csrf_token": token})
    assert response.status_code == 302
    shown = client.get(page(gold)).get_data(True)
    assert "Training cancelled." in shown
    assert re.search(
        r'<p id="training-cancelled">The training started [-0-9: ]+ UTC was '
        r"cancelled by padmin at [-0-9: ]+ UTC",
        shown,
    )
    assert "Cancel training</button>" not in shown
    assert "Check again" not in shown
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "training_job")
    ).one()
    assert (event.action, event.entity_id) == ("cancel", queued)


def test_a_running_training_shows_it_is_stopping(client, gold, queued):
    set_status(queued, "running")
    login(client, "padmin")
    token = csrf_token(client, page(gold))
    client.post(form_url(gold, queued), data={"csrf_token": token})
    shown = client.get(page(gold)).get_data(True)
    assert "Cancelling: the training stops after its current step" in shown
    assert "Cancel training</button>" not in shown
    assert "Check again" in shown  # still running until its next beat


def test_the_documents_done_within_an_epoch_are_shown(client, gold, queued):
    db.session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == queued)
        .values(
            status="running",
            epochs_done=1,
            epoch_examples_done=6,
            epoch_examples_total=8,
        )
    )
    db.session.commit()
    login(client, "padmin")
    shown = client.get(page(gold)).get_data(True)
    assert "Training: 1 of 1 epochs done. Epoch 2: 6 of 8 documents." in shown
    assert re.search(r'<progress id="training-progress"[^>]*value="1.750"', shown)
    job = client.get(f"/api/v1/projects/{gold.id}/trainings/{queued}").get_json()
    assert job["progress"] == {
        "done": 1,
        "total": 1,
        "epoch_documents_done": 6,
        "epoch_documents_total": 8,
    }


def test_cancelling_an_ended_training_on_the_page_says_why(client, gold, queued):
    set_status(queued, "done")
    login(client, "padmin")
    token = csrf_token(client, page(gold))
    response = client.post(form_url(gold, queued), data={"csrf_token": token})
    assert response.status_code == 409
    assert f"Not cancelled: training job {queued} is already done" in (
        response.get_data(True)
    )


def test_a_cancelled_training_is_listed_as_cancelled(app, client, gold, queued):
    training_jobs.cancel_training(
        db.session, gold, queued, db.session.get(TrainingJob, queued).requested_by
    )
    later = training_jobs.submit_training(db.session, gold, None, {"epochs": 1})
    training_jobs.run_training(db.session, later.id, Path(app.config["MODEL_DIR"]))
    login(client, "padmin")
    shown = client.get(page(gold)).get_data(True)
    earlier = re.search(r'<div id="earlier-trainings">.*?</div>', shown, re.S).group(0)
    assert "· cancelled by padmin" in earlier


def ended_done_after_a_cancel(client, gold, queued):
    """padmin asks to cancel a running training, which then ends done (the
    cancel came while its model was being registered)."""
    set_status(queued, "running")
    login(client, "padmin")
    assert cancel(client, gold, queued).status_code == 202
    db.session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == queued)
        .values(status="done", model_version="v-late", metrics={"micro_f1": 0.5})
    )
    db.session.commit()


def test_a_cancel_that_came_too_late_is_said_on_the_page_and_the_api(
    client, gold, queued
):
    """Asked while the model was being registered: the training ended done,
    and both the page and the API say the cancel came too late."""
    ended_done_after_a_cancel(client, gold, queued)
    job = client.get(f"/api/v1/projects/{gold.id}/trainings/{queued}").get_json()
    assert (job["status"], job["cancel_too_late"]) == ("done", True)
    assert job["cancelled_by"] == "padmin"
    text = client.get(page(gold)).get_data(as_text=True)
    assert re.search(
        r'id="training-cancel-too-late">The cancel asked by padmin at [^<]*'
        r"came too late",
        text,
    )
    assert "Cancelling:" not in text


def test_the_page_says_too_late_only_as_the_services_rule_decides(
    client, gold, queued, monkeypatch
):
    """Whether a cancel came too late is decided once, by the service (the
    API's ``cancel_too_late``): the page shows what it decided, and does not
    decide again from the job's columns."""
    ended_done_after_a_cancel(client, gold, queued)
    monkeypatch.setattr(training_jobs, "cancel_too_late", lambda job: False)
    text = client.get(page(gold)).get_data(as_text=True)
    assert 'id="training-done"' in text
    assert "came too late" not in text
