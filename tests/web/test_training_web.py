"""Training from the web: the Suggestions page and /api/v1 start a training
job (202 + Location), show its epochs and then the held-out figures, answer
a second start clearly, name the extra to install without spaCy, and only
to the project's admins."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import RegisteredSuggester, TrainingJob
from annotator.services import training_jobs
from annotator.web import training_runner
from tests.conftest import csrf_token, login
from tests.gold_data import make_gold_project
from tests.services.test_export_jobs import dead_pid


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


def api(project, job_id=None):
    base = f"/api/v1/projects/{project.id}/trainings"
    return base if job_id is None else f"{base}/{job_id}"


def page(project):
    return f"/projects/{project.id}/suggestions"


def start(client, project, options, token=True):
    headers = {"X-CSRFToken": csrf_token(client, "/")} if token else {}
    return client.post(api(project), json=options, headers=headers)


# ---------------------------------------------------------------- API


def test_the_api_trains_and_answers_the_figures(client, gold, users):
    login(client, "padmin")
    response = start(client, gold, {"epochs": 2, "seed": 3})
    assert response.status_code == 202
    job = response.get_json()
    assert response.headers["Location"].endswith(api(gold, job["id"]))
    assert job["url"] == api(gold, job["id"])
    assert job["status"] == "done"  # TRAINING_JOBS_INLINE in the tests
    assert job["progress"] == {
        "done": 2,
        "total": 2,
        "epoch_documents_done": 0,
        "epoch_documents_total": None,
    }
    assert job["options"] == {"layer": "gold", "epochs": 2, "seed": 3, "held_out": 0.2}
    hedge = job["metrics"]["per_label"]["hedge"]
    assert set(hedge) >= {"precision", "recall", "f1", "gold"}
    polled = client.get(job["url"]).get_json()
    assert polled["model_version"] == job["model_version"]
    listed = client.get(api(gold)).get_json()["trainings"]
    assert [j["id"] for j in listed] == [job["id"]]
    row = db.session.scalars(
        select(RegisteredSuggester).where(RegisteredSuggester.kind == "spancat")
    ).one()
    assert (row.version, row.active) == (job["model_version"], True)


def test_a_second_start_while_one_waits_is_a_409_naming_it(client, gold, held):
    login(client, "padmin")
    first = start(client, gold, {"epochs": 2})
    assert first.status_code == 202
    assert first.get_json()["status"] == "queued"
    second = start(client, gold, {})
    assert second.status_code == 409
    job_id = first.get_json()["id"]
    assert f"already queued (job {job_id})" in second.get_json()["error"]


def test_bad_options_are_a_400_naming_the_field(client, gold):
    login(client, "padmin")
    response = start(client, gold, {"epochs": "many"})
    assert response.status_code == 400
    assert response.get_json()["field"] == "epochs"
    assert db.session.scalars(select(TrainingJob)).all() == []


def test_too_little_gold_is_refused_at_once(client, project):
    login(client, "padmin")
    response = start(client, project, {})
    assert response.status_code == 400
    assert response.get_json()["field"] == "layer"
    assert "no gold layer yet" in response.get_json()["error"]


def test_without_spacy_the_api_names_the_extra(client, gold, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)
    login(client, "padmin")
    response = start(client, gold, {})
    assert response.status_code == 409
    assert "install framing-annotator[ml]" in response.get_json()["error"]


@pytest.mark.parametrize(("username", "status"), [("reviewer", 403), ("outsider", 404)])
def test_only_the_projects_admins_train(client, gold, username, status):
    login(client, username)
    assert start(client, gold, {}).status_code == status
    assert client.get(api(gold)).status_code == status
    assert client.get(page(gold)).status_code == status


def test_a_start_without_the_csrf_token_is_refused(client, gold):
    login(client, "padmin")
    response = start(client, gold, {}, token=False)
    assert response.status_code == 400
    assert db.session.scalars(select(TrainingJob)).all() == []


def test_anonymous_callers_are_refused(client, gold):
    assert client.get(api(gold)).status_code == 401


def test_another_projects_training_is_a_404(client, gold, other_project, held):
    login(client, "padmin")
    job = start(client, gold, {}).get_json()
    assert client.get(api(other_project, job["id"])).status_code == 404
    assert client.get(api(gold, job["id"] + 1)).status_code == 404


# ---------------------------------------------------------------- the page


def test_the_form_without_script_follows_the_training(app, client, gold, held):
    """The page shows the queued job and a link to look again (no automatic
    refresh), then, once the job ran, the figures per label."""
    login(client, "padmin")
    token = csrf_token(client, page(gold))
    response = client.post(
        f"{page(gold)}/training",
        data={"layer": "gold", "epochs": "2", "csrf_token": token},
    )
    assert response.status_code == 302
    shown = client.get(page(gold)).get_data(True)
    assert "Training waiting to start" in shown
    assert re.search(r"Requested by padmin at [0-9-]+ [0-9:]+ UTC\.</p>", shown)
    assert f'<a href="{page(gold)}">Check again</a>' in shown
    assert 'http-equiv="refresh"' not in shown
    assert re.search(r'<progress id="training-progress"[^>]*max="2"', shown)
    assert 'aria-live="polite"' in shown
    training_jobs.run_queued_trainings(db.session, Path(app.config["MODEL_DIR"]))
    shown = client.get(page(gold)).get_data(True)
    assert "Check again" not in shown
    assert "Held-out figures per label" in shown
    job = db.session.scalars(select(TrainingJob)).one()
    assert f"Model <code>{job.model_version}</code> is the project" in shown
    hedge = job.metrics["per_label"]["hedge"]
    row = re.search(r'<th scope="row">Hedge</th>(.*?)</tr>', shown, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells[:3] == [f"{hedge[k]:.3f}" for k in ("precision", "recall", "f1")]


def test_a_second_start_on_the_page_says_one_is_running(client, gold, held):
    login(client, "padmin")
    token = csrf_token(client, page(gold))
    form = {"layer": "gold", "epochs": "2", "csrf_token": token}
    assert client.post(f"{page(gold)}/training", data=form).status_code == 302
    again = client.post(f"{page(gold)}/training", data=form)
    assert again.status_code == 409
    assert "Not started: a training of this project is already queued" in (
        again.get_data(True)
    )


def test_bad_epochs_on_the_page_are_a_400_naming_the_field(client, gold):
    login(client, "padmin")
    token = csrf_token(client, page(gold))
    response = client.post(
        f"{page(gold)}/training",
        data={"layer": "gold", "epochs": "0", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Number must be between 1 and 200" in response.get_data(True)


def test_without_spacy_the_page_says_which_extra_instead_of_a_button(
    client, gold, monkeypatch
):
    monkeypatch.setitem(sys.modules, "spacy", None)
    login(client, "padmin")
    shown = client.get(page(gold)).get_data(True)
    assert "Training needs spaCy" in shown
    assert "pip install &#39;framing-annotator[ml]&#39;" in shown
    assert "Train a model</button>" not in shown


def test_a_dead_workers_training_shows_failed_on_the_page(client, gold, held):
    login(client, "padmin")
    job = start(client, gold, {}).get_json()
    db.session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == job["id"])
        .values(status="running", worker_pid=dead_pid())
    )
    db.session.commit()
    shown = client.get(page(gold)).get_data(True)
    assert "failed: worker stopped" in shown
    assert "Check again" not in shown
    # The project may train again.
    assert start(client, gold, {}).status_code == 202
