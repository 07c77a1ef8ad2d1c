"""A training started from the web runs in a child process, not a thread of
the web worker (spaCy holds the GIL: annotators would wait behind it): the
child claims the job through the database queue, trains, registers the
model, and the job ends done with a model whose suggestions are served; the
web process's queued trainings keep beating while it waits, and a child that
dies does not stop them from running."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from annotator import training_process
from annotator.extensions import db
from annotator.models import (
    DocumentUncertainty,
    RegisteredSuggester,
    Role,
    TrainingJob,
)
from annotator.services import projects, training_jobs
from annotator.services.jobs.recovery import recover_stale
from annotator.services.suggesters import spancat
from annotator.web import training_runner
from tests.conftest import csrf_token, login
from tests.gold_data import make_gold_project
from tests.services.test_export_jobs import dead_pid


@pytest.fixture
def gold(project, users):
    make_gold_project(project, users["reviewer"], documents=12)
    return project


@pytest.fixture
def other_gold(other_project, users):
    projects.add_member(
        db.session, other_project, users["reviewer"], Role.REVIEWER, None
    )
    make_gold_project(other_project, users["reviewer"], documents=12)
    return other_project


def running_pid(job_id):
    """The process id of the child running ``job_id``, once it has trained
    an epoch (waiting up to 2 minutes)."""
    for _ in range(1200):
        db.session.expire_all()
        stored = db.session.get(TrainingJob, job_id)
        if stored.status == "running" and stored.epochs_done >= 1:
            pid = stored.worker_pid
            db.session.rollback()
            assert pid not in (None, os.getpid())
            return pid
        db.session.rollback()
        time.sleep(0.1)
    raise AssertionError(f"training job {job_id} did not start")


@pytest.fixture
def background(app):
    """Trainings run as on a server: in the background, not in the request."""
    app.config["TRAINING_JOBS_INLINE"] = False
    return app


def test_a_training_from_the_web_runs_in_a_child_process(
    client, gold, users, background
):
    login(client, "padmin")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    response = client.post(
        f"/api/v1/projects/{gold.id}/trainings", json={"epochs": 2}, headers=headers
    )
    assert response.status_code == 202
    job = response.get_json()
    assert job["status"] == "queued"
    assert training_runner.runner(background).wait(300)
    ended = client.get(job["url"]).get_json()
    assert (ended["status"], ended["error"]) == ("done", None)
    assert ended["progress"]["done"] == 2
    db.session.expire_all()
    stored = db.session.get(TrainingJob, job["id"])
    # Claimed and run by another process than this (the web) one.
    assert stored.worker_pid not in (None, os.getpid())
    row = db.session.scalars(
        select(RegisteredSuggester).where(RegisteredSuggester.kind == "spancat")
    ).one()
    assert (row.version, row.active) == (ended["model_version"], True)
    # Registering it scored every document with the model the child wrote
    # (the uncertainty queue order), and that model loads here too.
    scored = db.session.scalars(select(DocumentUncertainty)).all()
    assert len(scored) == 12
    assert {r.suggester_version for r in scored} == {ended["model_version"]}
    model = spancat.load_spancat(Path(row.config["path"]))
    assert model.version == ended["model_version"]


def test_the_child_gets_the_apps_settings_not_on_its_command_line(
    background, monkeypatch
):
    """The database URL (it may hold a password) and the secret key go on
    the child's standard input: its command line, which ``ps`` shows to
    every user of the machine, holds neither."""
    settings = training_process.child_settings(background)
    for key in ("SQLALCHEMY_DATABASE_URI", "MODEL_DIR", "SECRET_KEY"):
        assert settings[key] == background.config[key]
    started = []
    real = subprocess.Popen

    def spy(args, **options):
        started.append(list(args))
        return real(args, **options)

    monkeypatch.setattr(subprocess, "Popen", spy)
    assert training_process.run_child(background).code == 0
    [command] = started
    assert command[1:] == ["-m", "annotator.training_process"]
    shown = " ".join(command)
    assert background.config["SQLALCHEMY_DATABASE_URI"] not in shown
    assert background.config["SECRET_KEY"] not in shown


def test_queued_trainings_of_the_web_process_beat_while_the_child_runs(
    gold, users, background, monkeypatch
):
    """A training queued to this web process waits while the child trains
    another project's: the waiting runner beats it, so after a long wait it
    is not taken for a dead worker's job."""
    job = training_jobs.submit_training(db.session, gold, users["padmin"], {})
    long_ago = datetime.now(UTC) - timedelta(minutes=10)

    def child(app, waiting, every):
        db.session.execute(
            update(TrainingJob)
            .where(TrainingJob.id == job.id)
            .values(heartbeat_at=long_ago)
        )
        db.session.commit()
        waiting()  # the child runs past the first wait
        return training_process.ChildEnd(os.getpid(), 0, datetime.now(UTC))

    monkeypatch.setattr(training_process, "run_child", child)
    training_runner.runner(background).wake()
    assert training_runner.runner(background).wait(30)
    assert recover_stale(db.session, TrainingJob) == []
    db.session.expire_all()
    assert db.session.get(TrainingJob, job.id).status == "queued"


def test_the_child_is_waited_for_even_when_a_beat_fails(background):
    """A beat that fails meanwhile (the database away a moment) is logged;
    the runner still waits for its child rather than leave it unwatched and
    start a second one at the next training."""
    calls = []

    def failing():
        calls.append(1)
        raise RuntimeError("the database went away")

    ended = training_process.run_child(background, failing, every=0.01)
    assert ended.code == 0  # nothing was queued: the child ran none and ended
    assert calls


def test_a_killed_training_process_leaves_its_job_failed_not_running(
    gold, users, background
):
    """The child claims the job under its own process id; killed mid-way
    (SIGKILL: nothing of it runs after), the next look marks the job failed
    and the project may train again."""
    job = training_jobs.submit_training(
        db.session, gold, users["padmin"], {"epochs": 200}
    )
    ended = []
    waiter = threading.Thread(
        target=lambda: ended.append(training_process.run_child(background))
    )
    waiter.start()
    try:
        os.kill(running_pid(job.id), signal.SIGKILL)
    finally:
        waiter.join(120)
    assert [end.code for end in ended] == [-signal.SIGKILL]
    seen = training_jobs.get_training(db.session, gold, job.id)
    assert (seen.status, seen.error) == ("failed", "worker stopped")
    assert (
        training_jobs.submit_training(
            db.session, gold, users["padmin"], {"epochs": 1}
        ).status
        == "queued"
    )


def test_a_child_killed_on_one_training_goes_on_with_the_next_queued(
    gold, other_gold, users, background
):
    """The child running one project's training is killed (SIGKILL, as the
    out-of-memory killer does); that training ends failed, saying so, and is
    not retried, and another project's training queued behind it to this
    web process is run by a new child and ends done: the runner does not
    stop with the child (before, it waited unbeaten until recovery took it
    for a dead worker's)."""
    doomed = training_jobs.submit_training(
        db.session, gold, users["padmin"], {"epochs": 200}
    )
    behind = training_jobs.submit_training(
        db.session, other_gold, users["outsider"], {"epochs": 1}
    )
    runner = training_runner.runner(background)
    runner.wake()
    killed = running_pid(doomed.id)
    os.kill(killed, signal.SIGKILL)
    assert runner.wait(300)
    failed = training_jobs.get_training(db.session, gold, doomed.id)
    assert failed.status == "failed"
    assert failed.error == (
        "the training process was killed (SIGKILL, most often for want of "
        "memory) while it ran this training; see the server log"
    )
    done = training_jobs.get_training(db.session, other_gold, behind.id)
    assert (done.status, done.error) == ("done", "")
    assert done.worker_pid not in (None, killed, os.getpid())
    assert done.model_version


def test_a_child_that_dies_before_taking_a_training_is_not_started_again(
    gold, users, background, monkeypatch
):
    """A child that dies at once (it would every time: a crash on start)
    is not replaced in a loop: one child, and the training queued to this
    process ends failed with a reason an admin can read, at once rather
    than five minutes later as a dead worker's."""
    job = training_jobs.submit_training(db.session, gold, users["padmin"], {})
    started = []

    def crashing(app, waiting, every):
        started.append(datetime.now(UTC))
        return training_process.ChildEnd(dead_pid(), -signal.SIGSEGV, started[-1])

    monkeypatch.setattr(training_process, "run_child", crashing)
    runner = training_runner.runner(background)
    runner.wake()
    assert runner.wait(30)
    assert len(started) == 1
    seen = training_jobs.get_training(db.session, gold, job.id)
    assert (seen.status, seen.error) == (
        "failed",
        "the training process crashed (SIGSEGV) before it started this "
        "training; see the server log",
    )
    assert (
        training_jobs.submit_training(db.session, gold, users["padmin"], {}).status
        == "queued"
    )
