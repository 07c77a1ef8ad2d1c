"""``annotator train``: refuses clearly (no gold, too little gold, no spaCy,
a taken folder) and otherwise trains, prints the held-out figures and the
folder of a model that loads."""

import json
import re
import shutil
import sys
from pathlib import Path

from sqlalchemy import select

from annotator import cli_train
from annotator.cli import cli
from annotator.extensions import db
from annotator.models import DocumentUncertainty, RegisteredSuggester, TrainingJob
from annotator.services import assignments, training_jobs
from annotator.services.documents import import_files
from annotator.services.jobs.recovery import Worker
from annotator.services.suggesters import spancat, training
from annotator.services.suggestions.settings import set_suggestions
from tests.conftest import csrf_token, login
from tests.gold_data import make_gold_project


def train(runner, *args):
    return runner.invoke(cli, ["train", "Alpha", *args])


def test_train_is_listed_with_its_options(runner):
    assert "train" in runner.invoke(cli, ["--help"]).output
    text = runner.invoke(cli, ["train", "--help"]).output
    for option in ("--layer", "--out", "--epochs", "--seed"):
        assert option in text


def test_no_gold_layer_is_refused(runner, project):
    result = train(runner)
    assert result.exit_code == 1
    assert "no gold layer yet" in result.output


def test_too_few_gold_spans_is_refused_saying_how_many_are_needed(
    runner, project, users, tmp_path
):
    make_gold_project(project, users["reviewer"], documents=3)
    result = train(runner, "--out", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert f"training needs at least {training.MIN_SPANS} spans" in result.output
    assert "the gold layer of Alpha has" in result.output
    assert not (tmp_path / "m").exists()


def test_missing_spacy_is_refused_naming_the_extra(runner, project, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)
    result = train(runner)
    assert result.exit_code == 1
    assert "install framing-annotator[ml]" in result.output


def test_an_unknown_project_is_refused(runner, project):
    result = runner.invoke(cli, ["train", "Nope"])
    assert result.exit_code == 1
    assert "Nope" in result.output


def test_an_occupied_out_folder_is_refused_before_reading(runner, project, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "mine.txt").write_text("keep")
    result = train(runner, "--out", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert "exists and is not an empty folder" in result.output


def test_train_prints_figures_and_writes_a_model_that_serves(
    runner, project, users, app, client
):
    make_gold_project(project, users["reviewer"], documents=30)
    result = train(runner, "--epochs", "6", "--seed", "2")
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert last.startswith("Model ")
    folder = Path(last.split(" written to ", 1)[1])
    models = Path(app.instance_path) / "models"
    assert folder.parent.parent == models
    assert folder.name.endswith("-spancat")
    metrics = json.loads((folder / spancat.METRICS_FILE).read_text("utf-8"))
    assert metrics["counts"]["documents_held_out"] == 6
    assert metrics["seed"] == 2
    hedge = metrics["per_label"]["hedge"]
    row = next(line for line in result.stdout.splitlines() if line.startswith("hedge"))
    assert row.split()[1:] == [
        f"{hedge['precision']:.3f}",
        f"{hedge['recall']:.3f}",
        f"{hedge['f1']:.3f}",
        str(hedge["gold"]),
    ]
    assert "epoch 6/6" in result.stderr
    suggester = spancat.load_spancat(folder)
    assert suggester.version == metrics["version"] in last
    text = "Witnesses reportedly discussed the report about the convoy."
    assert (10, 20, "hedge") in {
        (s.start, s.end, s.label) for s in suggester.suggest(text, ["hedge"])
    }
    # Registered as the project's model suggester: the annotation page's
    # API serves its suggestions (beside the cue rules').
    row = db.session.scalars(
        select(RegisteredSuggester).where(
            RegisteredSuggester.project_id == project.id,
            RegisteredSuggester.kind == "spancat",
        )
    ).one()
    assert (row.name, row.version, row.active) == ("spancat", metrics["version"], True)
    assert row.config == {"path": str(folder.resolve())}
    assert f"Registered as Alpha's suggester spancat {metrics['version']}" in last_but(
        result.stdout, 2
    )
    # Registering it scored every document for the uncertainty queue order.
    scored = db.session.scalars(select(DocumentUncertainty)).all()
    assert len(scored) == 30
    assert {r.suggester_version for r in scored} == {metrics["version"]}
    with_proposals = sum(r.margin is not None for r in scored)
    assert with_proposals > 0
    assert last_but(result.stdout, 1) == (
        "Scored 30 documents for the uncertainty queue order "
        f"({with_proposals} with proposals); the queue order is in-order."
    )
    import_files(db.session, project, [("new.txt", text.encode())])
    set_suggestions(db.session, project, "on")
    document = assignments.next_document(db.session, project, users["annotator"])
    assert document is not None
    assert document.text == text
    login(client, "annotator")
    response = client.get(
        f"/api/projects/{project.id}/documents/{document.id}/suggestions"
    )
    served = {
        (s["start"], s["end"], s["label"], s["version"])
        for s in response.get_json()["suggestions"]
        if s["suggester"] == "spancat"
    }
    assert (10, 20, "hedge", metrics["version"]) in served


def last_but(output, n):
    return output.splitlines()[-1 - n]


def test_train_waits_for_no_one_while_a_web_training_is_queued(
    runner, project, users, tmp_path
):
    """One training per project at a time, whoever started it: the command
    is refused while the page's training is queued, and nothing is written."""
    make_gold_project(project, users["reviewer"], documents=12)
    job = training_jobs.submit_training(db.session, project, users["padmin"], {})
    result = train(runner, "--out", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert f"a training of this project is already queued (job {job.id})" in (
        result.output
    )
    assert not (tmp_path / "m").exists()
    kinds = db.session.scalars(select(RegisteredSuggester.kind)).all()
    assert "spancat" not in kinds


# ------------------------------------------- the command's training is a job


def trainings_api(project):
    return f"/api/v1/projects/{project.id}/trainings"


def test_the_commands_training_is_listed_on_the_page_as_done(
    runner, project, users, client
):
    make_gold_project(project, users["reviewer"], documents=12)
    result = train(runner, "--epochs", "2", "--seed", "3")
    assert result.exit_code == 0, result.output
    version = result.stdout.splitlines()[-1].split()[1]
    login(client, "padmin")
    (job,) = client.get(trainings_api(project)).get_json()["trainings"]
    assert (job["status"], job["requested_by"], job["model_version"]) == (
        "done",
        None,
        version,
    )
    assert job["options"] == {"layer": "gold", "epochs": 2, "seed": 3, "held_out": 0.2}
    assert job["progress"]["done"] == job["progress"]["total"] == 2
    page = client.get(f"/projects/{project.id}/suggestions").get_data(as_text=True)
    assert f"Model <code>{version}</code> is the project's spancat" in page
    # A second one: the first is listed among the earlier trainings, as
    # the command's.
    assert train(runner, "--epochs", "1").exit_code == 0
    page = client.get(f"/projects/{project.id}/suggestions").get_data(as_text=True)
    assert re.search(
        r"<li>[^<]* UTC · <code>annotator train</code> · gold · done · model "
        f"<code>{version}</code>",
        page,
    )


def test_while_the_command_trains_the_page_shows_it_and_starts_no_other(
    runner, project, users, client, monkeypatch
):
    """The web sees the running training (progress, a Cancel button) and a
    second one, from the API, is refused naming it; the command goes on."""
    make_gold_project(project, users["reviewer"], documents=12)
    login(client, "padmin")
    seen = []

    def during(done, total, loss):
        if done != 1:
            return
        jobs = client.get(trainings_api(project)).get_json()["trainings"]
        headers = {"X-CSRFToken": csrf_token(client, "/")}
        second = client.post(trainings_api(project), json={}, headers=headers)
        page = client.get(f"/projects/{project.id}/suggestions")
        seen.append((jobs, second.status_code, second.get_json(), page))

    monkeypatch.setattr(cli_train, "_epoch", during)
    result = train(runner, "--epochs", "3")
    assert result.exit_code == 0, result.output
    ((jobs, status, refusal, page),) = seen
    (job,) = jobs
    assert (job["status"], job["progress"]["total"]) == ("running", 3)
    assert status == 409
    assert f"already running (job {job['id']})" in refusal["error"]
    text = page.get_data(as_text=True)
    # Each epoch is echoed before it is written: the first is not yet.
    assert "Training: 0 of 3 epochs done." in text
    assert "Started with <code>annotator train</code> on the command line at " in text
    assert "cancelling it here stops the command, unless its model is" in text
    assert "Cancel training" in text
    db.session.expire_all()
    jobs = db.session.scalars(select(TrainingJob)).all()
    assert [(j.id, j.status) for j in jobs] == [(job["id"], "done")]


def test_a_training_cancelled_on_the_page_stops_the_command_and_keeps_nothing(
    runner, project, users, client, monkeypatch, tmp_path
):
    """Cancelled once its model is written, before it is registered: the
    command stops, and the model it wrote is removed."""
    make_gold_project(project, users["reviewer"], documents=12)
    login(client, "padmin")
    out = tmp_path / "m"
    written = []
    write = training.train_model

    def cancel_once_written(*args, **kwargs):
        report = write(*args, **kwargs)
        written.append(sorted(p.name for p in out.iterdir()))
        (job,) = client.get(trainings_api(project)).get_json()["trainings"]
        headers = {"X-CSRFToken": csrf_token(client, "/")}
        answer = client.post(f"{job['url']}/cancel", json={}, headers=headers)
        assert answer.status_code == 202
        return report

    monkeypatch.setattr(training, "train_model", cancel_once_written)
    result = train(runner, "--epochs", "2", "--out", str(out))
    assert result.exit_code == 1
    assert "was cancelled by padmin on the Suggestions page: no model was kept" in (
        result.output
    )
    assert written == [[spancat.METRICS_FILE, spancat.MODEL_DIR]]
    assert not out.exists()
    assert "spancat" not in db.session.scalars(select(RegisteredSuggester.kind)).all()
    db.session.expire_all()
    (job,) = db.session.scalars(select(TrainingJob)).all()
    assert job.status == "cancelled"


def test_a_second_command_is_refused_while_one_runs(runner, project, users, tmp_path):
    """Two ``annotator train`` at once: the second sees the first's running
    job (a live process's) and is refused before it writes anything."""
    make_gold_project(project, users["reviewer"], documents=12)
    options = {"layer": "gold", "epochs": 5, "seed": 0, "held_out": 0.2}
    first = training_jobs.start_training(db.session, project, options, Worker.this())
    result = train(runner, "--out", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert f"a training of this project is already running (job {first.id})" in (
        result.output
    )
    assert not (tmp_path / "m").exists()
    db.session.expire_all()
    assert [j.id for j in db.session.scalars(select(TrainingJob))] == [first.id]


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_an_interrupted_command_leaves_its_training_failed_and_no_model(
    runner, project, users, monkeypatch, tmp_path
):
    """Ctrl-C once the model is written, as it is registered: the job ends
    failed and the folder given with --out is left as it was, empty."""
    make_gold_project(project, users["reviewer"], documents=12)
    out = tmp_path / "m"
    out.mkdir()
    monkeypatch.setattr(training, "register_model", interrupt)
    result = train(runner, "--epochs", "1", "--out", str(out))
    assert result.exit_code == 1
    assert "Aborted" in result.output
    assert out.is_dir()
    assert list(out.iterdir()) == []
    db.session.expire_all()
    (job,) = db.session.scalars(select(TrainingJob)).all()
    assert (job.status, job.error) == ("failed", "the training was interrupted")
    monkeypatch.undo()  # and the next one starts, into the same folder
    again = train(runner, "--epochs", "1", "--out", str(out))
    assert again.exit_code == 0, again.output
    assert (out / spancat.METRICS_FILE).is_file()


def test_interrupted_while_scoring_the_registered_model_stays_in_use(
    runner, project, users, monkeypatch
):
    make_gold_project(project, users["reviewer"], documents=12)
    register = training.register_model

    def interrupt_scoring(*args, **kwargs):
        register(*args, **{**kwargs, "beat": interrupt})

    monkeypatch.setattr(training, "register_model", interrupt_scoring)
    result = train(runner, "--epochs", "1")
    assert result.exit_code == 1
    db.session.expire_all()
    (job,) = db.session.scalars(select(TrainingJob)).all()
    assert job.status == "failed"
    assert "the model is registered and in use" in job.error
    (row,) = db.session.scalars(
        select(RegisteredSuggester).where(RegisteredSuggester.kind == "spancat")
    ).all()
    assert row.active
    assert Path(row.config["path"]).is_dir()


def test_a_folder_used_before_is_no_reason_to_keep_an_unregistered_model(
    runner, project, users, monkeypatch, tmp_path
):
    """An earlier model registered from the same --out folder (emptied since)
    does not make the interrupted one look registered: it is removed."""
    make_gold_project(project, users["reviewer"], documents=12)
    out = tmp_path / "m"
    assert train(runner, "--epochs", "1", "--out", str(out)).exit_code == 0
    shutil.rmtree(out)
    out.mkdir()
    monkeypatch.setattr(training, "register_model", interrupt)
    result = train(runner, "--epochs", "2", "--seed", "5", "--out", str(out))
    assert result.exit_code == 1
    assert list(out.iterdir()) == []
    db.session.expire_all()
    last = db.session.scalars(select(TrainingJob).order_by(TrainingJob.id)).all()[-1]
    assert (last.status, last.error) == ("failed", "the training was interrupted")
