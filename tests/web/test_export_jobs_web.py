"""Exports as jobs through /api/v1: submit (202), poll, download, and the
refusals: bad options name the field, other projects' jobs are 404s."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from annotator.extensions import db
from annotator.models import ExportJob, Role
from annotator.services import export_jobs, exports
from annotator.services.exports import ExportSettings, write_export
from annotator.services.projects import add_member
from annotator.web import export_runner
from tests.conftest import csrf_token, login
from tests.services.test_exports_service import seed_documents


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


@pytest.fixture
def export_dir(app):
    return Path(app.config["EXPORT_DIR"])


def jobs_url(project):
    return f"/api/v1/projects/{project.id}/exports"


class Client:
    def __init__(self, client, username):
        login(client, username)
        self.client = client
        self.token = csrf_token(client, "/")

    def submit(self, project, options, token=True):
        headers = {"X-CSRFToken": self.token} if token else {}
        return self.client.post(jobs_url(project), json=options, headers=headers)

    def post_raw(self, project, data):
        return self.client.post(
            jobs_url(project),
            data=data,
            headers={"X-CSRFToken": self.token, "Content-Type": "application/json"},
        )

    def get(self, url):
        return self.client.get(url)


def queue_job(project, users):
    return export_jobs.submit_job(
        db.session, project, users["reviewer"], ExportSettings()
    )


def zip_members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()
        }


def folder_bytes(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


# ---------------------------------------------------------------- lifecycle


def test_submit_answers_202_with_the_job_then_poll_and_download(
    client, seeded, export_dir, tmp_path
):
    api = Client(client, "reviewer")
    options = {"format": "doccano", "split": [0.5, 0.5, 0], "seed": 3}
    response = api.submit(seeded, options)
    assert response.status_code == 202
    job = response.get_json()
    assert response.headers["Location"] == job["url"]
    assert job["url"] == f"{jobs_url(seeded)}/{job['id']}"
    assert job["status"] == "done"  # EXPORT_JOBS_INLINE in the tests
    assert job["requested_by"] == "reviewer"

    polled = api.get(job["url"])
    assert polled.status_code == 200
    polled = polled.get_json()
    assert polled["status"] == "done"
    assert polled["progress"] == {"done": 2, "total": 2}
    assert polled["error"] is None
    assert polled["download_url"] == f"{job['url']}/download"
    assert polled["export"]["documents"] == 2
    assert polled["export"]["archive"].endswith(".zip")

    with api.get(polled["download_url"]) as download:
        assert download.status_code == 200
        assert download.mimetype == "application/zip"
        disposition = download.headers["Content-Disposition"]
        assert polled["export"]["archive"] in disposition
        members = zip_members(download.data)
    direct = write_export(
        db.session,
        seeded,
        ExportSettings(format="doccano", split=(0.5, 0.5, 0.0), seed=3),
        export_dir,
        out_dir=tmp_path / "direct",
    )
    assert members == folder_bytes(direct.folder)


def test_the_job_list_shows_the_projects_jobs_newest_first(client, seeded):
    api = Client(client, "padmin")
    first = api.submit(seeded, {}).get_json()
    second = api.submit(seeded, {"format": "conll"}).get_json()
    listed = api.get(jobs_url(seeded)).get_json()["jobs"]
    assert [job["id"] for job in listed] == [second["id"], first["id"]]


def test_a_background_job_is_polled_until_done(app, client, seeded):
    """Without EXPORT_JOBS_INLINE the job runs in the process's export
    thread; the answer comes before it is done."""
    app.config["EXPORT_JOBS_INLINE"] = False
    api = Client(client, "reviewer")
    response = api.submit(seeded, {"format": "jsonl"})
    assert response.status_code == 202
    job = response.get_json()
    assert job["status"] in {"queued", "running", "done"}
    deadline = time.monotonic() + 60
    while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
        time.sleep(0.1)
        job = api.get(job["url"]).get_json()
    assert job["status"] == "done", job
    assert job["download_url"]
    assert export_runner.runner(app).wait(30)


def test_a_failed_job_says_why(client, seeded, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports.disk.os, "replace", full)
    api = Client(client, "reviewer")
    job = api.submit(seeded, {}).get_json()
    assert job["status"] == "failed"
    assert job["error"] == "could not write the export: No space left on device"
    assert job["download_url"] is None
    refused = api.get(f"{job['url']}/download")
    assert refused.status_code == 409
    assert refused.get_json()["error"] == f"export job {job['id']} is failed, not done"


def test_a_dead_workers_job_reads_failed(client, seeded, users):
    job = queue_job(seeded, users)
    db.session.get(ExportJob, job.id).worker_pid = 2**30  # no such process
    db.session.commit()
    api = Client(client, "reviewer")
    polled = api.get(f"{jobs_url(seeded)}/{job.id}").get_json()
    assert (polled["status"], polled["error"]) == ("failed", "worker stopped")


def test_a_queued_job_cannot_be_downloaded_yet(client, seeded, users):
    job = queue_job(seeded, users)
    api = Client(client, "reviewer")
    polled = api.get(f"{jobs_url(seeded)}/{job.id}").get_json()
    assert polled["status"] == "queued"
    assert polled["progress"] == {"done": 0, "total": None}
    response = api.get(f"{jobs_url(seeded)}/{job.id}/download")
    assert response.status_code == 409


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"format": "xml"}, "format", "unknown export format 'xml'"),
        ({"layer": "best"}, "layer", "layer 'best': one of"),
        ({"layer": ["gold"]}, "layer", "layer: a string, not a list"),
        ({"status": {"a": 1}}, "status", "status: a string, not an object"),
        ({"labels": ["rumour"]}, "labels", "unknown label 'rumour'"),
        ({"labels": [1]}, "labels", "labels: a list of label names"),
        ({"split": "1e308,1e308,0"}, "split", "must be between 0 and 1"),
        ({"split": [0.5, 0.5]}, "split", "three ratios"),
        ({"split": [0.5, "x", 0.5]}, "split", "split: a number"),
        ({"seed": "x"}, "seed", "seed: a whole number, not 'x'"),
        ({"seed": 2**40}, "seed", "at most"),
        ({"seed": True}, "seed", "a whole number"),
        ({"min_annotators": 2}, "min_annotators", "majority layer only"),
        ({"min_agreement": "lots"}, "min_agreement", "a number"),
        ({"min_agreement": 2}, "min_agreement", "a number up to 1"),
        ({"real_names": "yes"}, "real_names", "true or false"),
        ({"offsets": "codepoints"}, "offsets", "doccano format only"),
        ({"layer": "gold"}, "layer", "no gold layer yet"),
        ({"colour": "red"}, "colour", "not an export option"),
    ],
)
def test_bad_options_answer_400_naming_the_field(
    client, seeded, export_dir, options, field, message
):
    api = Client(client, "reviewer")
    response = api.submit(seeded, options)
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field
    assert message in body["error"]
    assert db.session.query(ExportJob).count() == 0
    assert not export_dir.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 30000,
        b'{"format": "jsonl", "format": "conll"}',
        b"[]",
        b"not json",
        b'{"seed": NaN}',
    ],
)
def test_bodies_that_are_not_one_plain_object_answer_400(client, seeded, raw):
    api = Client(client, "reviewer")
    response = api.post_raw(seeded, raw)
    assert response.status_code == 400
    assert response.get_json()["error"]
    assert db.session.query(ExportJob).count() == 0


def test_too_many_waiting_jobs_answer_409(client, seeded, users):
    for _ in range(export_jobs.MAX_UNFINISHED):
        queue_job(seeded, users)
    response = Client(client, "reviewer").submit(seeded, {})
    assert response.status_code == 409
    assert "still waiting or running" in response.get_json()["error"]


def test_without_the_csrf_token_a_session_cannot_submit(client, seeded):
    response = Client(client, "reviewer").submit(seeded, {}, token=False)
    assert response.status_code == 400
    assert db.session.query(ExportJob).count() == 0


def test_annotators_get_403_and_anonymous_users_401(client, seeded, users):
    job = queue_job(seeded, users)
    anonymous = client.get(f"{jobs_url(seeded)}/{job.id}")
    assert anonymous.status_code == 401
    api = Client(client, "annotator")
    assert api.submit(seeded, {}).status_code == 403
    for url in (jobs_url(seeded), f"{jobs_url(seeded)}/{job.id}"):
        assert api.get(url).status_code == 403


def test_another_projects_job_is_404_even_for_a_member_of_both(
    client, seeded, other_project, users
):
    add_member(db.session, other_project, users["reviewer"], Role.REVIEWER, None)
    job = queue_job(seeded, users)
    api = Client(client, "reviewer")
    elsewhere = f"{jobs_url(other_project)}/{job.id}"
    for url in (elsewhere, f"{elsewhere}/download"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.is_json
    assert api.get(f"{jobs_url(seeded)}/{job.id + 1}").status_code == 404
    assert api.get(f"{jobs_url(seeded)}/{2**31}").status_code == 404
    assert api.get(jobs_url(other_project)).get_json()["jobs"] == []


def test_non_members_get_404(client, seeded, users):
    job = queue_job(seeded, users)
    api = Client(client, "outsider")
    assert api.submit(seeded, {}).status_code == 404
    assert api.get(f"{jobs_url(seeded)}/{job.id}").status_code == 404


def test_a_reviewer_annotating_in_the_project_cannot_export(client, seeded, users):
    """Annotation is blind: a reviewer with a document open to annotate
    may not export others' spans."""
    from annotator.services import assignments

    add_member(db.session, seeded, users["reviewer"], Role.REVIEWER, None)
    assignments.next_document(db.session, seeded, users["reviewer"])
    response = Client(client, "reviewer").submit(seeded, {})
    if response.status_code == 202:
        pytest.fail("a reviewer who is annotating could export")
    assert response.status_code == 403


# ---------------------------------------------------------------- the page


def test_the_form_without_script_follows_a_background_job(app, client, seeded):
    """The page shows the job's progress and a link to look again (no
    automatic refresh), then, once the job is done, the export."""
    app.config["EXPORT_JOBS_INLINE"] = False
    monkey_runner = export_runner.runner(app)
    monkey_runner.wake = lambda: None  # the job waits until the test runs it
    login(client, "reviewer")
    url = f"/projects/{seeded.id}/exports"
    token = csrf_token(client, url)
    response = client.post(
        url, data={"format": "jsonl", "layer": "annotators", "csrf_token": token}
    )
    assert response.status_code == 302
    assert "job=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(True)
    assert "Export waiting to start" in page
    location = response.headers["Location"].split("#")[0].replace("&", "&amp;")
    assert f'<a href="{location}">Check again</a>' in page
    assert 'http-equiv="refresh"' not in page
    assert "<progress" in page
    export_jobs.run_queued(db.session, Path(app.config["EXPORT_DIR"]))
    page = client.get(response.headers["Location"]).get_data(True)
    assert "Your export is ready" in page
    assert "Check again" not in page
