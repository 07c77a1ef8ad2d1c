"""`annotator serve` marks failed the export and training jobs whose worker
died with the last server, before it starts serving."""

from sqlalchemy import update

from annotator import server
from annotator.cli import cli
from annotator.extensions import db
from annotator.models import ExportJob, TrainingJob
from annotator.services import export_jobs
from annotator.services.exports import ExportSettings
from annotator.services.jobs.recovery import Worker


def test_serve_marks_a_dead_workers_job_failed_before_serving(
    runner, project, users, monkeypatch
):
    served = []
    monkeypatch.setattr(server, "run_gunicorn", lambda *args: served.append(args))
    job = export_jobs.submit_job(
        db.session, project, users["reviewer"], ExportSettings()
    )
    alive = export_jobs.submit_job(
        db.session, project, users["reviewer"], ExportSettings()
    )
    db.session.execute(
        update(ExportJob)
        .where(ExportJob.id == job.id)
        .values(status="running", worker_pid=2**30)  # no such process
    )
    db.session.commit()
    job_id, alive_id = job.id, alive.id
    result = runner.invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert f"Export jobs {job_id}: worker stopped, marked failed." in result.output
    assert len(served) == 1
    stopped = db.session.get(ExportJob, job_id)
    assert (stopped.status, stopped.error) == ("failed", "worker stopped")
    assert db.session.get(ExportJob, alive_id).status == "queued"


def test_serve_marks_a_dead_workers_training_failed_too(runner, project, monkeypatch):
    monkeypatch.setattr(server, "run_gunicorn", lambda *args: None)
    job = TrainingJob(
        project_id=project.id,
        options={"layer": "gold"},
        status="running",
        epochs_total=20,
        worker_host=Worker.this().host,
        worker_pid=2**30,  # no such process
    )
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    result = runner.invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert f"Training jobs {job_id}: worker stopped, marked failed." in result.output
    assert "Export jobs" not in result.output
    stopped = db.session.get(TrainingJob, job_id)
    assert (stopped.status, stopped.error) == ("failed", "worker stopped")


def test_serve_forks_its_workers_with_no_database_connection_open(
    runner, project, monkeypatch
):
    pooled = []

    def run(*args):
        pool = db.engine.pool
        pooled.append(pool.checkedin() + pool.checkedout())

    monkeypatch.setattr(server, "run_gunicorn", run)
    db.session.commit()
    db.session.begin()
    db.session.connection()  # the serving process holds one, as it would
    result = runner.invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert pooled == [0]
