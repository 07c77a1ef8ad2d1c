"""A training beats after every minibatch (a long epoch is not a dead
worker), and an admin cancels one: a queued training ends at once, a
running one stops at its next beat with no model kept and nothing
registered; an ended one cannot be cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotator.extensions import db
from annotator.models import AuditEvent, RegisteredSuggester, TrainingJob
from annotator.services import training_jobs
from annotator.services.errors import NotFoundError
from annotator.services.jobs.recovery import recover_stale
from annotator.services.suggesters import training
from annotator.services.suggestions import registry, uncertainty
from tests.gold_data import make_gold_project
from tests.services.test_export_jobs import dead_pid

BATCHES = 6


@pytest.fixture
def gold(project, users):
    make_gold_project(project, users["reviewer"], documents=12)
    return project


@pytest.fixture
def models_dir(app):
    return Path(app.config["MODEL_DIR"])


def submit(project, users, **options):
    return training_jobs.submit_training(db.session, project, users["padmin"], options)


def silent_for_ten_minutes(job_id):
    """As if the minibatches so far had taken ten minutes."""
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    with db.engine.begin() as connection:
        connection.execute(
            update(TrainingJob)
            .where(TrainingJob.id == job_id)
            .values(heartbeat_at=long_ago)
        )


def polled(job_id):
    """What a page polling meanwhile sees (dead workers marked failed): the
    status and the documents done of the epoch under way."""
    with Session(bind=db.engine) as other:
        recover_stale(other, TrainingJob)
        job = other.get(TrainingJob, job_id)
        return job.status, job.epoch_examples_done, job.epoch_examples_total


def one_long_epoch(monkeypatch, during_batch):
    """train_model replaced by a first epoch of BATCHES minibatches calling
    ``during_batch(k)`` before each, then the real (short) training; the
    minibatches run are counted."""
    real = training.train_model
    ran = []

    def slow(session, project, folder, *, step=None, **options):
        for k in range(BATCHES):
            during_batch(k)
            ran.append(k)
            if step is not None:
                step((k + 1) * 8, BATCHES * 8)
        return real(session, project, folder, step=step, **options)

    monkeypatch.setattr(training, "train_model", slow)
    return ran


def spancat_rows():
    return db.session.scalars(
        select(RegisteredSuggester).where(RegisteredSuggester.kind == "spancat")
    ).all()


# ---------------------------------------------------------------- heartbeat


def test_an_epoch_longer_than_the_stale_timeout_keeps_the_job_alive(
    gold, users, models_dir, monkeypatch
):
    """Each minibatch beats: after ten silent minutes within the epoch, the
    next minibatch's beat tells a polling page the worker is alive (and how
    far the epoch is), so the job is not marked failed and the project's
    slot stays taken."""
    job = submit(gold, users, epochs=1)
    seen = []

    def during_batch(k):
        if k == 2:
            silent_for_ten_minutes(job.id)
        if k == 3:  # one minibatch (one beat) later
            seen.append(polled(job.id))
            with pytest.raises(training_jobs.TrainingBusy):
                training_jobs.refuse_while_training(db.session, gold)

    one_long_epoch(monkeypatch, during_batch)
    done = training_jobs.run_training(db.session, job.id, models_dir, every=0)
    assert seen == [("running", 24, 48)]  # 3 minibatches of 8 documents
    assert (done.status, done.error) == ("done", "")


# ---------------------------------------------------------------- cancel


def test_a_queued_training_is_cancelled_at_once(gold, users, models_dir):
    job = submit(gold, users, epochs=1)
    cancelled = training_jobs.cancel_training(db.session, gold, job.id, users["padmin"])
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_by.username == "padmin"
    assert cancelled.finished_at is not None
    data = training_jobs.training_data(cancelled)
    assert data["cancelled_by"] == "padmin"
    assert data["cancel_requested_at"] is not None
    assert training_jobs.run_queued_trainings(db.session, models_dir) == 0
    assert spancat_rows() == []
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "training_job")
    ).one()
    assert (event.action, event.entity_id, event.actor_id) == (
        "cancel",
        job.id,
        users["padmin"].id,
    )
    assert event.data == {"status": "queued"}
    # The project may train again.
    assert submit(gold, users, epochs=1).status == "queued"


def test_a_running_training_stops_at_its_next_beat(
    gold, users, models_dir, monkeypatch
):
    job = submit(gold, users, epochs=1)

    def during_batch(k):
        if k == 2:
            with Session(bind=db.engine) as other:
                asked = training_jobs.cancel_training(
                    other, other.get(type(gold), gold.id), job.id, users["padmin"]
                )
                assert asked.status == "running"
                assert asked.cancel_requested_at is not None

    ran = one_long_epoch(monkeypatch, during_batch)
    ended = training_jobs.run_training(db.session, job.id, models_dir, every=0)
    assert ran == [0, 1, 2]  # the beat after the third minibatch stopped it
    assert (ended.status, ended.error, ended.model_version) == ("cancelled", "", None)
    assert ended.cancelled_by.username == "padmin"
    assert spancat_rows() == []
    assert not any(p.is_file() for p in models_dir.rglob("*"))
    assert submit(gold, users, epochs=1).status == "queued"


def test_a_cancel_after_the_last_epoch_keeps_no_model(
    gold, users, models_dir, monkeypatch
):
    """Asked while the model was scored and written: the folder is removed
    and nothing registered."""
    job = submit(gold, users, epochs=1)
    real = training.train_model

    def then_cancel(session, project, folder, **options):
        report = real(session, project, folder, **options)
        assert folder.is_dir()
        with Session(bind=db.engine) as other:
            training_jobs.cancel_training(
                other, other.get(type(gold), gold.id), job.id, None
            )
        return report

    monkeypatch.setattr(training, "train_model", then_cancel)
    ended = training_jobs.run_training(db.session, job.id, models_dir)
    assert ended.status == "cancelled"
    assert spancat_rows() == []
    assert not any(p.is_file() for p in models_dir.rglob("*"))


@pytest.mark.parametrize("status", ["done", "failed", "cancelled"])
def test_an_ended_training_cannot_be_cancelled(gold, users, status):
    job = submit(gold, users, epochs=1)
    db.session.execute(
        update(TrainingJob).where(TrainingJob.id == job.id).values(status=status)
    )
    db.session.commit()
    with pytest.raises(training_jobs.TrainingEnded, match=f"already {status}"):
        training_jobs.cancel_training(db.session, gold, job.id, users["padmin"])
    assert db.session.get(TrainingJob, job.id).cancel_requested_at is None
    assert (
        db.session.scalars(
            select(AuditEvent.id).where(AuditEvent.entity == "training_job")
        ).all()
        == []
    )


def test_asking_twice_to_cancel_a_running_training_changes_nothing(gold, users):
    job = submit(gold, users, epochs=1)
    db.session.execute(
        update(TrainingJob).where(TrainingJob.id == job.id).values(status="running")
    )
    db.session.commit()
    first = training_jobs.cancel_training(db.session, gold, job.id, users["padmin"])
    asked = first.cancel_requested_at
    again = training_jobs.cancel_training(db.session, gold, job.id, users["siteadmin"])
    assert (again.status, again.cancel_requested_at) == ("running", asked)
    assert again.cancelled_by.username == "padmin"


def test_another_projects_training_is_not_found(gold, other_project, users):
    job = submit(gold, users, epochs=1)
    with pytest.raises(NotFoundError):
        training_jobs.cancel_training(
            db.session, other_project, job.id, users["padmin"]
        )
    assert db.session.get(TrainingJob, job.id).status == "queued"


def test_a_minibatch_beat_in_a_new_epoch_says_which_epoch_it_is(
    gold, users, models_dir, monkeypatch
):
    """The end of an epoch comes less than a second after the last
    minibatch's beat, so it is not written; the next epoch's first beat must
    still say one epoch is done, or the page reads 'Epoch 1: 8 of 16
    documents' in the second epoch and its bar goes back."""
    job = submit(gold, users, epochs=2)
    now = [0.0]
    real = training.train_model
    seen = []

    def two_epochs(session, project, folder, *, progress=None, step=None, **options):
        for at, call in (
            (1.5, lambda: step(16, 16)),  # written: a second since the claim
            (1.6, lambda: progress(1, 2, 0.5)),  # not due yet: not written
            (3.0, lambda: step(8, 16)),  # epoch 2's first minibatch, written
        ):
            now[0] = at
            call()
        with Session(bind=db.engine) as other:
            seen.append(training_jobs.training_data(other.get(TrainingJob, job.id)))
        return real(session, project, folder, progress=progress, step=step, **options)

    monkeypatch.setattr(training, "train_model", two_epochs)
    training_jobs.run_training(
        db.session, job.id, models_dir, every=1.0, clock=lambda: now[0]
    )
    progress = seen[0]["progress"]
    assert (progress["done"], progress["total"]) == (1, 2)
    assert (progress["epoch_documents_done"], progress["epoch_documents_total"]) == (
        8,
        16,
    )


# ---------------------------------------------------------------- edge cases


def test_a_dead_workers_training_with_a_cancel_pending_ends_cancelled(gold, users):
    """The admin asked to cancel; the worker died before its next beat: the
    training ends cancelled, as asked, not failed with 'worker stopped'."""
    job = submit(gold, users, epochs=1)
    db.session.execute(
        update(TrainingJob).where(TrainingJob.id == job.id).values(status="running")
    )
    db.session.commit()
    training_jobs.cancel_training(db.session, gold, job.id, users["padmin"])
    db.session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == job.id)
        .values(worker_pid=dead_pid())
    )
    db.session.commit()
    seen = training_jobs.get_training(db.session, gold, job.id)
    assert (seen.status, seen.error) == ("cancelled", "")
    assert seen.cancelled_by.username == "padmin"
    assert seen.finished_at is not None
    # Another job whose worker died, with no cancel asked, still failed.
    other = submit(gold, users, epochs=1)
    db.session.execute(
        update(TrainingJob)
        .where(TrainingJob.id == other.id)
        .values(status="running", worker_pid=dead_pid())
    )
    db.session.commit()
    failed = training_jobs.get_training(db.session, gold, other.id)
    assert (failed.status, failed.error) == ("failed", "worker stopped")


def test_a_cancel_once_the_model_is_registered_comes_too_late(
    gold, users, models_dir, monkeypatch
):
    """Asked while the new model scores the documents (it is registered):
    the training ends done, the model is in use, and the job says the cancel
    came too late."""
    job = submit(gold, users, epochs=1)
    real = uncertainty.refresh_uncertainty

    def cancel_then_score(session, project, found, **options):
        with Session(bind=db.engine) as other:
            asked = training_jobs.cancel_training(
                other, other.get(type(gold), gold.id), job.id, users["padmin"]
            )
            assert (asked.status, asked.cancel_requested_at is not None) == (
                "running",
                True,
            )
        return real(session, project, found, **options)

    monkeypatch.setattr(registry, "refresh_uncertainty", cancel_then_score)
    ended = training_jobs.run_training(db.session, job.id, models_dir, every=0)
    assert (ended.status, ended.error) == ("done", "")
    assert [row.version for row in spancat_rows()] == [ended.model_version]
    assert Path(ended.model_path).is_dir()
    data = training_jobs.training_data(ended)
    assert data["cancel_too_late"] is True
    assert data["cancelled_by"] == "padmin"
