"""Export jobs: submit, run with progress, done or failed, and a dead
worker's job marked failed instead of staying queued or running."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import ExportJob
from annotator.services import export_jobs, exports
from annotator.services.errors import FieldRefused, NotFoundError, ServiceError
from annotator.services.exports import ExportSettings, write_export
from tests.services.test_exports_service import seed_documents


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


@pytest.fixture
def export_dir(app):
    return Path(app.config["EXPORT_DIR"])


def submit(project, users, **settings):
    return export_jobs.submit_job(
        db.session, project, users["reviewer"], ExportSettings(**settings)
    )


def dead_pid():
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def folder_bytes(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# ---------------------------------------------------------------- submit


def test_a_submitted_job_is_queued_with_its_options_and_owner(seeded, users):
    job = submit(seeded, users, format="doccano", split=(0.5, 0.5, 0.0), seed=3)
    stored = db.session.get(ExportJob, job.id)
    assert stored.status == "queued"
    assert stored.requested_by.username == "reviewer"
    assert stored.options["format"] == "doccano"
    assert stored.options["split"] == [0.5, 0.5, 0.0]
    assert stored.options["seed"] == 3
    assert stored.worker_pid > 0
    assert stored.export_name is None


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"format": "csv"}, "format"),
        ({"layer": "best"}, "layer"),
        ({"labels": ("rumour",)}, "labels"),
        ({"min_annotators": 2}, "min_annotators"),
        ({"offsets": "codepoints"}, "offsets"),
        ({"layer": "gold"}, "layer"),
        ({"status": "adjudicated"}, "status"),
    ],
)
def test_bad_options_are_refused_naming_the_field_and_nothing_is_queued(
    seeded, users, settings, field
):
    with pytest.raises(FieldRefused) as refused:
        submit(seeded, users, **settings)
    assert refused.value.field == field
    assert db.session.scalars(select(ExportJob)).all() == []


def test_a_project_has_at_most_a_few_unfinished_jobs(seeded, users):
    for _ in range(export_jobs.MAX_UNFINISHED):
        submit(seeded, users)
    with pytest.raises(ServiceError, match="still waiting or running"):
        submit(seeded, users)


# ---------------------------------------------------------------- run


def test_a_job_runs_to_done_with_the_same_files_as_a_direct_export(
    seeded, users, export_dir, tmp_path
):
    options = {"format": "jsonl", "split": (0.5, 0.5, 0.0), "seed": 7}
    job = submit(seeded, users, **options)
    done = export_jobs.run_job(db.session, job.id, export_dir)
    assert done.status == "done"
    assert done.error == ""
    assert done.documents_done == done.documents_total == 2
    assert done.started_at is not None
    assert done.finished_at is not None
    folder = export_dir / exports.project_folder_name(seeded) / done.export_name
    direct = write_export(
        db.session,
        seeded,
        ExportSettings(**options),
        export_dir,
        out_dir=tmp_path / "direct",
    )
    assert folder_bytes(folder) == folder_bytes(direct.folder)
    assert [e.name for e in exports.list_exports(export_dir, seeded)] == [
        done.export_name
    ]


def test_progress_is_written_as_batches_are_read(
    seeded, users, export_dir, monkeypatch
):
    """With one document per batch, the row shows each step; a second
    session sees it while the export runs."""
    monkeypatch.setattr(exports.records, "BATCH_SIZE", 1)
    seen = []
    real_write = export_jobs._Tracker.write

    def spy(self, **values):
        real_write(self, **values)
        with db.engine.connect() as connection:
            row = connection.execute(
                select(ExportJob.documents_done, ExportJob.documents_total)
            ).one()
        seen.append(tuple(row))

    monkeypatch.setattr(export_jobs._Tracker, "write", spy)
    job = submit(seeded, users)
    export_jobs.run_job(db.session, job.id, export_dir, every=0)
    assert seen == [(0, 2), (1, 2), (2, 2), (2, 2)]


def test_progress_is_written_at_most_once_per_interval(
    seeded, users, export_dir, monkeypatch
):
    monkeypatch.setattr(exports.records, "BATCH_SIZE", 1)
    writes = []
    real_write = export_jobs._Tracker.write
    monkeypatch.setattr(
        export_jobs._Tracker,
        "write",
        lambda self, **values: writes.append(values) or real_write(self, **values),
    )
    job = submit(seeded, users)
    export_jobs.run_job(db.session, job.id, export_dir, every=3600)
    # The total at the start, the last batch, and the end: not the first batch.
    assert [w.get("documents_done") for w in writes] == [None, 2, 2]


def test_a_refused_export_ends_failed_with_its_reason_and_no_files(
    seeded, users, export_dir
):
    job = submit(seeded, users)
    # The label went away after the job was queued.
    db.session.execute(
        update(ExportJob).values(options=job.options | {"labels": ["rumour"]})
    )
    db.session.commit()
    failed = export_jobs.run_job(db.session, job.id, export_dir)
    assert failed.status == "failed"
    assert failed.error.startswith("unknown label 'rumour'")
    assert failed.export_name is None
    assert exports.list_exports(export_dir, seeded) == []


def test_a_write_error_ends_failed_saying_so_and_leaves_nothing(
    seeded, users, export_dir, monkeypatch
):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports.disk.os, "replace", full)
    job = submit(seeded, users)
    failed = export_jobs.run_job(db.session, job.id, export_dir)
    assert failed.status == "failed"
    assert failed.error == "could not write the export: No space left on device"
    root = export_dir / exports.project_folder_name(seeded)
    assert not root.exists() or list(root.iterdir()) == []


def test_a_job_runs_once(seeded, users, export_dir):
    job = submit(seeded, users)
    export_jobs.run_job(db.session, job.id, export_dir)
    with pytest.raises(ServiceError, match=f"export job {job.id} is done"):
        export_jobs.run_job(db.session, job.id, export_dir)
    assert len(exports.list_exports(export_dir, seeded)) == 1


def test_run_queued_runs_every_waiting_job_oldest_first(seeded, users, export_dir):
    first = submit(seeded, users, format="jsonl")
    second = submit(seeded, users, format="doccano")
    assert export_jobs.run_queued(db.session, export_dir) == 2
    db.session.expire_all()
    assert db.session.get(ExportJob, first.id).status == "done"
    assert db.session.get(ExportJob, second.id).status == "done"
    assert db.session.get(ExportJob, first.id).finished_at <= (
        db.session.get(ExportJob, second.id).started_at
    )


def test_a_job_taken_away_while_running_stops_and_leaves_no_files(
    seeded, users, export_dir, monkeypatch
):
    """Marked failed as stale while it ran (a slow worker on another host):
    its worker stops at the next progress write and keeps the failure."""
    monkeypatch.setattr(exports.records, "BATCH_SIZE", 1)
    job = submit(seeded, users)
    real_write = export_jobs._Tracker.write
    calls = []

    def take_away(self, **values):
        calls.append(values)
        if len(calls) == 2:
            self.session.execute(
                update(ExportJob).values(status="failed", error="worker stopped")
            )
            self.session.commit()
        real_write(self, **values)

    monkeypatch.setattr(export_jobs._Tracker, "write", take_away)
    ended = export_jobs.run_job(db.session, job.id, export_dir, every=0)
    assert (ended.status, ended.error) == ("failed", "worker stopped")
    assert exports.list_exports(export_dir, seeded) == []


# ---------------------------------------------------------------- reading


def test_get_job_is_scoped_to_its_project(seeded, other_project, users):
    job = submit(seeded, users)
    assert export_jobs.get_job(db.session, seeded, job.id).id == job.id
    with pytest.raises(NotFoundError):
        export_jobs.get_job(db.session, other_project, job.id)
    with pytest.raises(NotFoundError):
        export_jobs.get_job(db.session, seeded, job.id + 1)


def test_list_jobs_shows_the_newest_first(seeded, other_project, users):
    first, second = submit(seeded, users), submit(seeded, users)
    listed = export_jobs.list_jobs(db.session, seeded)
    assert [job.id for job in listed] == [second.id, first.id]
    assert export_jobs.list_jobs(db.session, other_project) == []


def test_job_data_holds_what_a_client_polls(seeded, users, export_dir):
    job = submit(seeded, users, format="doccano", offsets="codepoints")
    data = export_jobs.job_data(job)
    assert data["status"] == "queued"
    assert data["progress"] == {"done": 0, "total": None}
    assert data["options"]["offsets"] == "codepoints"
    assert data["error"] is None
    assert "worker_pid" not in data
    assert "worker_host" not in data
    done = export_jobs.job_data(export_jobs.run_job(db.session, job.id, export_dir))
    assert done["progress"] == {"done": 2, "total": 2}
    assert done["export_name"].endswith("-doccano")
    assert done["finished_at"].endswith("+00:00")


# ---------------------------------------------------------------- recovery


def set_job(job_id, **values):
    db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(values))
    db.session.commit()


def status_of(job_id):
    db.session.expire_all()
    job = db.session.get(ExportJob, job_id)
    return job.status, job.error


def test_a_running_job_whose_process_died_is_marked_failed(seeded, users):
    job = submit(seeded, users)
    set_job(job.id, status="running", worker_pid=dead_pid())
    assert export_jobs.recover_stale_jobs(db.session) == [job.id]
    assert status_of(job.id) == ("failed", "worker stopped")
    assert db.session.get(ExportJob, job.id).finished_at is not None


def test_a_job_whose_worker_stopped_beating_is_marked_failed(seeded, users):
    """On another host the process cannot be checked: the heartbeat can."""
    running, queued, fresh = (submit(seeded, users) for _ in range(3))
    old = datetime.now(UTC) - export_jobs.STALE_AFTER - timedelta(seconds=5)
    set_job(running.id, status="running", worker_host="elsewhere", heartbeat_at=old)
    set_job(queued.id, worker_host="elsewhere", heartbeat_at=old)
    set_job(fresh.id, worker_host="elsewhere", worker_pid=dead_pid())
    assert sorted(export_jobs.recover_stale_jobs(db.session)) == [
        running.id,
        queued.id,
    ]
    assert status_of(running.id) == ("failed", "worker stopped")
    assert status_of(queued.id) == ("failed", "worker stopped")
    assert status_of(fresh.id) == ("queued", "")


def test_live_workers_and_finished_jobs_are_left_alone(seeded, users, export_dir):
    done = submit(seeded, users)
    export_jobs.run_job(db.session, done.id, export_dir)
    set_job(done.id, worker_pid=dead_pid())
    alive = submit(seeded, users)
    set_job(alive.id, status="running")  # this process: alive
    assert export_jobs.recover_stale_jobs(db.session) == []
    assert status_of(done.id) == ("done", "")
    assert status_of(alive.id) == ("running", "")


def test_looking_at_a_dead_workers_job_shows_it_failed(seeded, users):
    job = submit(seeded, users)
    set_job(job.id, status="running", worker_pid=dead_pid())
    seen = export_jobs.get_job(db.session, seeded, job.id)
    assert (seen.status, seen.error) == ("failed", "worker stopped")


def test_a_worker_cannot_finish_a_job_recovered_as_failed(seeded, users, export_dir):
    job = submit(seeded, users)
    set_job(job.id, worker_pid=dead_pid())
    export_jobs.recover_stale_jobs(db.session)
    with pytest.raises(ServiceError, match="is failed, not queued"):
        export_jobs.run_job(db.session, job.id, export_dir)


def test_a_job_killed_mid_export_is_failed_on_the_next_start(
    seeded, users, export_dir, app
):
    """A real worker process claims the job and is killed with SIGKILL while
    it runs; the next start marks the job failed."""
    job = submit(seeded, users)
    script = (
        "import os, signal, sys\n"
        "from annotator import create_app\n"
        "from annotator.extensions import db\n"
        "from annotator.services import export_jobs\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1],"
        " 'SECRET_KEY': 'x' * 40})\n"
        "with app.app_context():\n"
        "    export_jobs.claim_job(db.session, int(sys.argv[2]),"
        " export_jobs.Worker.this())\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    worker = subprocess.run(
        [sys.executable, "-c", script, url, str(job.id)],
        check=False,
        capture_output=True,
        env={"ANNOTATOR_INSTANCE_PATH": str(export_dir.parent / "instance2")},
    )
    assert worker.returncode == -9, worker.stderr
    assert status_of(job.id) == ("running", "")
    assert export_jobs.recover_stale_jobs(db.session) == [job.id]
    assert status_of(job.id) == ("failed", "worker stopped")
