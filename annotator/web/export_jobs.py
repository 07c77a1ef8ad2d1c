"""Exports as jobs under ``/api/v1``: submit one (202 with the job and its
address), poll it, download the finished export as one zip.

Reviewers and admins of the project, as on the Exports page; another
project's job is a 404 like any unknown one. Writes take the CSRF token in
the ``X-CSRFToken`` header.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, current_app, jsonify, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import ExportJob, Project, Role, User
from annotator.services import export_jobs
from annotator.services import exports as export_service
from annotator.services.errors import ServiceError
from annotator.web import export_runner
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import refuse_while_annotating_in, require_membership
from annotator.web.v1.docs import (
    INTEGER,
    NULLABLE_STRING,
    STRING,
    array,
    obj,
    operation,
)
from annotator.web.v1.docs import json_body as body

blueprint = Blueprint("export_jobs", __name__, url_prefix="/api/v1")
BASE = "/projects/<int:project_id>/exports"
TAGS = ["exports"]
STATUS = {"type": "string", "enum": ["queued", "running", "done", "failed"]}
JOB = obj(
    ["id", "status", "progress", "url", "download_url"],
    id=INTEGER,
    status=STATUS,
    options={"type": "object"},
    progress=obj(["done", "total"], done=INTEGER, total=INTEGER),
    error=NULLABLE_STRING,
    url=STRING,
    download_url=NULLABLE_STRING,
)
OPTIONS = {
    "type": "object",
    "description": "The options of `annotator export`: format, layer, split, "
    "seed, offsets, doccano_shape ... (an unknown key is refused, naming it)",
}


def job_json(job: ExportJob) -> dict[str, Any]:
    """The job as the API answers it, with its address and, when done, the
    address of its zip."""
    data = export_jobs.job_data(job)
    data["url"] = url_for("export_jobs.show", project_id=job.project_id, job_id=job.id)
    data["download_url"] = data["export"] = None
    if job.status == export_jobs.DONE and job.export_name:
        data["download_url"] = url_for(
            "export_jobs.download", project_id=job.project_id, job_id=job.id
        )
        summary = export_service.export_summary(
            export_runner.export_dir(cast(Any, current_app)),
            job.project,
            job.export_name,
        )
        if summary is not None:
            data["export"] = {
                "name": summary.name,
                "archive": summary.archive,
                "format": summary.format,
                "layer": summary.layer,
                "documents": summary.documents,
                "spans": summary.spans,
            }
    return data


@blueprint.post(BASE)
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "Start an export job; poll its url until done, then fetch download_url",
    body=body(OPTIONS),
    status=202,
    response=JOB,
    tags=TAGS,
)
def submit(project: Project) -> ResponseReturnValue:
    refuse_while_annotating_in(project)
    settings = export_service.settings_from_json(json_body())
    user = cast(User, current_user._get_current_object())
    job = export_jobs.submit_job(current_session(), project, user, settings)
    export_runner.start(job.id)
    data = job_json(export_jobs.get_job(current_session(), project, job.id))
    response = jsonify(data)
    response.status_code = 202
    response.headers["Location"] = data["url"]
    return response


@blueprint.get(BASE)
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "The project's export jobs", response=obj(["jobs"], jobs=array(JOB)), tags=TAGS
)
def index(project: Project) -> ResponseReturnValue:
    jobs = export_jobs.list_jobs(current_session(), project)
    return jsonify(jobs=[job_json(job) for job in jobs])


@blueprint.get(f"{BASE}/<int:job_id>")
@require_membership(Role.REVIEWER)
@json_refusals
@operation("One export job: status, progress, download_url", response=JOB, tags=TAGS)
def show(project: Project, job_id: int) -> ResponseReturnValue:
    return jsonify(job_json(export_jobs.get_job(current_session(), project, job_id)))


@blueprint.get(f"{BASE}/<int:job_id>/download")
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "The finished job's export as one zip (409 until it is done)",
    response={"type": "string", "format": "binary"},
    media_type="application/zip",
    tags=TAGS,
)
def download(project: Project, job_id: int) -> ResponseReturnValue:
    """The finished job's export as one zip (409 until it is done)."""
    refuse_while_annotating_in(project)
    job = export_jobs.get_job(current_session(), project, job_id)
    if job.status != export_jobs.DONE or job.export_name is None:
        raise ServiceError(f"export job {job.id} is {job.status}, not done")
    # NotFoundError (404) when the export's folder has been removed since.
    archive = export_service.export_archive(
        export_runner.export_dir(cast(Any, current_app)), project, job.export_name
    )
    return send_file(
        archive.stream,
        mimetype="application/zip",
        as_attachment=True,
        download_name=archive.filename,
        max_age=0,
    )
