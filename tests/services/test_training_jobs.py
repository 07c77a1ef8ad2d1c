"""Training jobs: checked and queued (one per project), run with the epochs
as progress to a registered model with its held-out figures, failed with a
reason, and a dead worker's job marked failed instead of staying running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from annotator.extensions import db
from annotator.models import RegisteredSuggester, TrainingJob
from annotator.services import training_jobs
from annotator.services.errors import FieldRefused, NotFoundError, ServiceError
from annotator.services.jobs.recovery import (
    Worker,
    claimed_since,
    recover_every_kind,
    recover_worker,
)
from annotator.services.jobs.running import now
from annotator.services.suggesters import spancat, training
from tests.gold_data import make_gold_project
from tests.services.test_export_jobs import dead_pid


@pytest.fixture
def gold(project, users):
    make_gold_project(project, users["reviewer"], documents=12)
    return project


@pytest.fixture
def models_dir(app):
    return Path(app.config["MODEL_DIR"])


def submit(project, users, **options):
    return training_jobs.submit_training(db.session, project, users["padmin"], options)


def status_of(job_id):
    db.session.expire_all()
    job = db.session.get(TrainingJob, job_id)
    return job.status, job.error


# ---------------------------------------------------------------- submit


def test_a_submitted_training_is_queued_with_its_options(gold, users):
    job = submit(gold, users, epochs=3, seed=4)
    stored = db.session.get(TrainingJob, job.id)
    assert stored.status == "queued"
    assert stored.options == {"layer": "gold", "epochs": 3, "seed": 4, "held_out": 0.2}
    assert (stored.epochs_done, stored.epochs_total) == (0, 3)
    assert stored.requested_by.username == "padmin"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"layer": "annotators"}, "layer"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": "ten"}, "epochs"),
        ({"epochs": True}, "epochs"),
        ({"epochs": 201}, "epochs"),
        ({"seed": -1}, "seed"),
        ({"rate": 0.1}, "rate"),
    ],
)
def test_bad_options_are_refused_naming_the_field(gold, users, options, field):
    with pytest.raises(FieldRefused) as refused:
        submit(gold, users, **options)
    assert refused.value.field == field
    assert db.session.scalars(select(TrainingJob)).all() == []


def test_too_little_gold_is_refused_before_queueing(project, users):
    make_gold_project(project, users["reviewer"], documents=3)
    with pytest.raises(training.NotEnoughGoldError, match="training needs at least"):
        submit(project, users)
    assert db.session.scalars(select(TrainingJob)).all() == []


def test_no_gold_layer_is_refused(project, users):
    with pytest.raises(ServiceError, match="no gold layer yet"):
        submit(project, users)


def test_without_spacy_the_refusal_names_the_extra(gold, users, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)
    assert not spancat.spacy_available()
    with pytest.raises(ServiceError, match=r"install framing-annotator\[ml\]"):
        submit(gold, users)


def test_one_training_per_project_at_a_time(gold, other_project, users):
    first = submit(gold, users, epochs=2)
    with pytest.raises(training_jobs.TrainingBusy) as busy:
        submit(gold, users)
    assert f"already queued (job {first.id})" in str(busy.value)
    assert len(db.session.scalars(select(TrainingJob)).all()) == 1


def test_the_database_holds_one_unfinished_training_per_project(gold, users):
    """Two requests that both passed the check: the second insert fails."""
    first = submit(gold, users)
    db.session.add(
        TrainingJob(project_id=gold.id, options={}, status="running", epochs_total=1)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    set_job(first.id, status="failed")
    db.session.add(
        TrainingJob(project_id=gold.id, options={}, status="queued", epochs_total=1)
    )
    db.session.commit()


# ---------------------------------------------------------------- run


def test_a_training_runs_to_a_registered_model_with_its_figures(
    gold, users, models_dir, monkeypatch
):
    seen = []
    real_write = training_jobs.EpochTracker.write

    def spy(self, **values):
        real_write(self, **values)
        if "epoch_examples_total" in values or not {"epochs_done", "status"} & set(
            values
        ):
            return  # a heartbeat (a minibatch, scoring the documents)
        with db.engine.connect() as connection:
            row = connection.execute(
                select(TrainingJob.status, TrainingJob.epochs_done)
            ).one()
        seen.append(tuple(row))

    monkeypatch.setattr(training_jobs.EpochTracker, "write", spy)
    job = submit(gold, users, epochs=3, seed=1)
    done = training_jobs.run_training(db.session, job.id, models_dir, every=0)
    assert (done.status, done.error) == ("done", "")
    # Each epoch is seen from another connection while training runs.
    assert seen == [("running", 1), ("running", 2), ("running", 3), ("done", 3)]
    folder = Path(done.model_path)
    assert folder.parent.parent == models_dir
    assert (folder / spancat.METRICS_FILE).is_file()
    assert done.metrics["version"] == done.model_version
    assert set(done.metrics["per_label"]) == {
        "claim",
        "denial",
        "hedge",
        "false_flag_warning",
    }
    assert done.metrics["counts"]["documents_held_out"] >= 1
    row = db.session.scalars(
        select(RegisteredSuggester).where(RegisteredSuggester.kind == "spancat")
    ).one()
    assert (row.version, row.active) == (done.model_version, True)
    assert row.config == {"path": str(folder)}
    data = training_jobs.training_data(done)
    assert data["progress"] == {
        "done": 3,
        "total": 3,
        "epoch_documents_done": 0,
        "epoch_documents_total": None,
    }
    assert data["metrics"]["per_label"]["hedge"] == done.metrics["per_label"]["hedge"]
    assert "model_path" not in data
    assert "worker_pid" not in data
    # Finished: the project may train again.
    assert submit(gold, users).status == "queued"


def test_a_failed_training_says_why_and_frees_the_project(
    gold, users, models_dir, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ServiceError("training failed: the disk is full")

    monkeypatch.setattr(training, "train_model", refuse)
    job = submit(gold, users)
    failed = training_jobs.run_training(db.session, job.id, models_dir)
    assert (failed.status, failed.error) == (
        "failed",
        "training failed: the disk is full",
    )
    assert failed.model_version is None
    assert submit(gold, users).status == "queued"


def test_a_training_runs_once(gold, users, models_dir, monkeypatch):
    monkeypatch.setattr(
        training,
        "train_model",
        lambda *a, **k: (_ for _ in ()).throw(ServiceError("x")),
    )
    job = submit(gold, users)
    training_jobs.run_training(db.session, job.id, models_dir)
    with pytest.raises(ServiceError, match=f"training job {job.id} is failed"):
        training_jobs.run_training(db.session, job.id, models_dir)


def test_get_training_is_scoped_to_its_project(gold, other_project, users):
    job = submit(gold, users)
    assert training_jobs.get_training(db.session, gold, job.id).id == job.id
    with pytest.raises(NotFoundError):
        training_jobs.get_training(db.session, other_project, job.id)


# ---------------------------------------------------------------- recovery


def set_job(job_id, **values):
    db.session.execute(
        update(TrainingJob).where(TrainingJob.id == job_id).values(values)
    )
    db.session.commit()


def test_looking_at_a_dead_workers_training_shows_it_failed(gold, users):
    job = submit(gold, users)
    set_job(job.id, status="running", worker_pid=dead_pid())
    seen = training_jobs.get_training(db.session, gold, job.id)
    assert (seen.status, seen.error) == ("failed", "worker stopped")
    # The slot is free again.
    assert submit(gold, users).status == "queued"


def test_a_worker_killed_mid_training_leaves_the_job_failed(
    gold, users, models_dir, app
):
    """A real worker process trains and is killed with SIGKILL after its
    first epoch; the next look marks the job failed, and no model folder is
    left in place."""
    job = submit(gold, users, epochs=50)
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from annotator import create_app\n"
        "from annotator.extensions import db\n"
        "from annotator.services import training_jobs\n"
        "class Killed(training_jobs.EpochTracker):\n"
        "    def __call__(self, done, total, loss):\n"
        "        self.write(epochs_done=done)\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "training_jobs.EpochTracker.__call__ = Killed.__call__\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1],"
        " 'SECRET_KEY': 'x' * 40})\n"
        "with app.app_context():\n"
        "    training_jobs.run_training(db.session, int(sys.argv[2]),"
        " Path(sys.argv[3]))\n"
    )
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    worker = subprocess.run(
        [sys.executable, "-c", script, url, str(job.id), str(models_dir)],
        check=False,
        capture_output=True,
        env={"ANNOTATOR_INSTANCE_PATH": str(models_dir.parent / "instance2")},
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr
    db.session.expire_all()
    stored = db.session.get(TrainingJob, job.id)
    assert (stored.status, stored.epochs_done) == ("running", 1)
    listed = training_jobs.list_trainings(db.session, gold)
    assert [(j.status, j.error) for j in listed] == [("failed", "worker stopped")]
    models = list(models_dir.rglob("metrics.json")) if models_dir.exists() else []
    assert models == []


def test_recovery_marks_only_this_kinds_dead_jobs(gold, users):
    job = submit(gold, users)
    set_job(job.id, worker_pid=dead_pid())
    found = recover_every_kind(db.session)
    assert found == {TrainingJob: [job.id]}
    assert status_of(job.id) == ("failed", "worker stopped")


def test_a_worker_known_to_have_ended_has_its_jobs_ended_with_the_reason(gold, users):
    """The web process that saw its training child die ends the child's
    training at once with what happened; another worker's job is left
    alone, and one an admin had asked to cancel ends cancelled, as asked."""
    host = Worker.this().host
    gone, other = dead_pid(), dead_pid()
    job = submit(gold, users)
    set_job(job.id, status="running", worker_pid=gone)
    reason = "the training process crashed (SIGSEGV) while it ran this training"
    assert recover_worker(db.session, TrainingJob, Worker(host, other), reason) == []
    assert status_of(job.id) == ("running", "")
    ended = recover_worker(db.session, TrainingJob, Worker(host, gone), reason)
    assert ended == [job.id]
    assert status_of(job.id) == ("failed", reason)
    asked = submit(gold, users)
    set_job(asked.id, status="running", worker_pid=other, cancel_requested_at=now())
    recover_worker(db.session, TrainingJob, Worker(host, other), reason)
    assert status_of(asked.id) == ("cancelled", "")


def test_whether_a_worker_claimed_a_job_since_it_started(gold, users):
    host, pid = Worker.this().host, dead_pid()
    before = now()
    job = submit(gold, users)
    child = Worker(host, pid)
    assert not claimed_since(db.session, TrainingJob, child, before)
    set_job(job.id, status="running", worker_pid=pid, started_at=now())
    assert claimed_since(db.session, TrainingJob, child, before)
    set_job(job.id, status="failed")  # whatever became of it
    assert claimed_since(db.session, TrainingJob, child, before)
    assert not claimed_since(db.session, TrainingJob, Worker(host, pid + 1), before)
    later = now() + timedelta(seconds=5)
    assert not claimed_since(db.session, TrainingJob, child, later)


def test_scoring_the_documents_after_training_keeps_the_job_alive(
    gold, users, models_dir, monkeypatch
):
    """Registering the model scores every document of the project (the
    uncertainty queue order), which on a large project takes minutes after
    the last epoch. A page polling meanwhile must not take the silence for
    a dead worker: the job beats while it scores and ends done."""
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace

    from sqlalchemy.orm import Session

    from annotator.services.jobs.recovery import recover_stale
    from annotator.services.suggestions import uncertainty

    folder = models_dir / "fake-model"
    folder.mkdir(parents=True)
    report = SimpleNamespace(
        version="v-slow", path=folder, epochs=1, to_dict=lambda: {"version": "v-slow"}
    )
    monkeypatch.setattr(training, "train_model", lambda *a, **k: report)
    job = submit(gold, users, epochs=1)
    calls = []

    class SlowModel:
        name, version = "spancat", "v-slow"

        def suggest(self, text, labels):
            calls.append(text)
            if len(calls) == 1:  # the documents so far took ten minutes
                long_ago = datetime.now(UTC) - timedelta(minutes=10)
                with db.engine.begin() as connection:
                    connection.execute(
                        update(TrainingJob)
                        .where(TrainingJob.id == job.id)
                        .values(heartbeat_at=long_ago)
                    )
            elif len(calls) == 2:  # the Suggestions page polls
                with Session(bind=db.engine) as other:
                    recover_stale(other, TrainingJob)
            return []

    monkeypatch.setattr(uncertainty, "load_suggester", lambda *a: SlowModel())
    done = training_jobs.run_training(db.session, job.id, models_dir, every=0)
    assert len(calls) == 12
    assert (done.status, done.error) == ("done", "")
    assert done.model_version == "v-slow"


# ---------------------------------------------------------------- failed: no model left


def test_a_training_that_fails_after_writing_its_model_removes_the_folder(
    gold, users, models_dir, monkeypatch
):
    """An error once the model folder is written (here, registering it):
    the job fails and the half-done model is not left behind, unused, in
    the models folder; the project's folder and others' models stay."""
    kept = models_dir / "another-model"
    kept.mkdir(parents=True)
    (kept / "metrics.json").write_text("{}")

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(training_jobs.train.training, "register_model", broken)
    job = submit(gold, users, epochs=1)
    failed = training_jobs.run_training(db.session, job.id, models_dir)
    assert (failed.status, failed.error) == (
        "failed",
        "the training stopped on an unexpected error",
    )
    files = {
        p.relative_to(models_dir).as_posix()
        for p in models_dir.rglob("*")
        if p.is_file()
    }
    assert files == {"another-model/metrics.json"}
    assert list(models_dir.rglob("*-spancat")) == []


def test_a_training_refused_a_taken_folder_leaves_that_folder_alone(
    gold, users, models_dir, monkeypatch
):
    """The folder it would write is already there (another training's, made
    the same second): the training fails and that folder is untouched."""
    taken = models_dir / "alpha" / "taken-spancat"
    taken.mkdir(parents=True)
    (taken / "metrics.json").write_text('{"version": "theirs"}')
    monkeypatch.setattr(training, "default_model_folder", lambda *a: taken)
    job = submit(gold, users, epochs=1)
    failed = training_jobs.run_training(db.session, job.id, models_dir)
    assert failed.status == "failed"
    assert (taken / "metrics.json").read_text() == '{"version": "theirs"}'


def test_two_trainings_started_the_same_second_both_keep_their_model(
    gold, users, models_dir, monkeypatch
):
    """The model folder is named by the second a training starts; a second
    training that second gets a numbered folder of its own instead of
    failing on the first one's."""
    from datetime import UTC, datetime

    same_second = datetime(2026, 12, 4, 7, 0, 0, tzinfo=UTC)
    named_by_time = training.default_model_folder
    monkeypatch.setattr(
        training,
        "default_model_folder",
        lambda folder, project, _now: named_by_time(folder, project, same_second),
    )
    first, second = (
        training_jobs.run_training(
            db.session, submit(gold, users, epochs=1).id, models_dir
        )
        for _ in range(2)
    )
    assert (first.status, second.status) == ("done", "done")
    assert Path(first.model_path).name == "20261204T070000Z-spancat"
    assert Path(second.model_path).name == "20261204T070000Z-2-spancat"
    assert (Path(first.model_path) / "metrics.json").is_file()
    assert (Path(second.model_path) / "metrics.json").is_file()


def test_the_next_training_removes_what_a_killed_one_left_half_written(
    gold, users, models_dir
):
    """A training killed while writing its model leaves a hidden staging
    folder beside the models; the next training in the project removes one
    untouched for an hour, and leaves a recent one (a training still
    writing) alone."""
    from annotator.services.suggesters import files

    first = training_jobs.run_training(
        db.session, submit(gold, users, epochs=1).id, models_dir
    )
    project_models = Path(first.model_path).parent
    killed = project_models / f"{files.STAGING_PREFIX}model-killed-x1y2"
    writing = project_models / f"{files.STAGING_PREFIX}model-writing-x3y4"
    for folder in (killed, writing):
        (folder / spancat.MODEL_DIR).mkdir(parents=True)
        (folder / spancat.MODEL_DIR / "weights").write_bytes(b"\0" * 64)
    old = files.time.time() - files.STALE_STAGING_SECONDS - 60
    os.utime(killed, (old, old))
    second = training_jobs.run_training(
        db.session, submit(gold, users, epochs=1).id, models_dir
    )
    assert second.status == "done"
    assert not killed.exists()
    assert writing.exists()
    left = {p.name for p in project_models.iterdir()}
    assert left == {
        Path(first.model_path).name,
        Path(second.model_path).name,
        writing.name,
    }
