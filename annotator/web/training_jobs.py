"""Trainings of the project's spancat suggester as jobs under ``/api/v1``:
start one (202 with the job and its address), poll it, list them, cancel
one (202: a queued one is cancelled at once, a running one stops at its
next heartbeat; 409 naming its status once it has ended).

Project admins only, as on the Suggestions page; another project's job is a
404 like any unknown one. Writes take the CSRF token in the ``X-CSRFToken``
header. A second start while one is queued or running is a 409 naming it.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, jsonify, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import Project, Role, TrainingJob, User
from annotator.services import training_jobs
from annotator.web import training_runner
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import require_membership
from annotator.web.v1.docs import (
    INTEGER,
    NULLABLE_INTEGER,
    NULLABLE_STRING,
    STRING,
    array,
    obj,
    operation,
)
from annotator.web.v1.docs import json_body as body

blueprint = Blueprint("training_jobs", __name__, url_prefix="/api/v1")
BASE = "/projects/<int:project_id>/trainings"
TAGS = ["suggestions"]
STATUS = {
    "type": "string",
    "enum": ["queued", "running", "done", "failed", "cancelled"],
}
JOB = obj(
    ["id", "status", "progress", "url", "model_version", "metrics"],
    id=INTEGER,
    status=STATUS,
    cancel_requested_at={
        "type": ["string", "null"],
        "description": "When an admin asked to cancel it (ISO 8601, UTC)",
    },
    cancelled_by=NULLABLE_STRING,
    cancel_too_late={
        "type": "boolean",
        "description": "An admin asked to cancel it once its model was being "
        "registered: the cancel came too late, the training ended done",
    },
    options={"type": "object"},
    progress=obj(
        ["done", "total"],
        done=INTEGER,
        total=NULLABLE_INTEGER,
        epoch_documents_done=INTEGER,
        epoch_documents_total=NULLABLE_INTEGER,
    ),
    error=NULLABLE_STRING,
    url=STRING,
    model_version=NULLABLE_STRING,
    metrics={
        "type": ["object", "null"],
        "description": "Once done: per_label {precision, recall, f1, gold, "
        "predicted, correct} on the held-out documents, micro_f1, counts",
    },
)
OPTIONS = obj(
    (),
    layer={"type": "string", "enum": ["gold", "majority"]},
    epochs={"type": "integer", "minimum": 1, "maximum": training_jobs.MAX_EPOCHS},
    seed={"type": "integer", "minimum": 0},
)


def job_json(job: TrainingJob) -> dict[str, Any]:
    """The training as the API answers it, with its address."""
    data = training_jobs.training_data(job)
    data["url"] = url_for(
        "training_jobs.show", project_id=job.project_id, job_id=job.id
    )
    return data


@blueprint.post(BASE)
@require_membership(Role.ADMIN)
@json_refusals
@operation(
    "Start training the project's spancat suggester on its gold layer; poll "
    "url until done (409 while another training is queued or running)",
    body=body(OPTIONS),
    status=202,
    response=JOB,
    tags=TAGS,
)
def submit(project: Project) -> ResponseReturnValue:
    options = json_body()
    user = cast(User, current_user._get_current_object())
    job = training_jobs.submit_training(current_session(), project, user, options)
    training_runner.start(job.id)
    data = job_json(training_jobs.get_training(current_session(), project, job.id))
    response = jsonify(data)
    response.status_code = 202
    response.headers["Location"] = data["url"]
    return response


@blueprint.get(BASE)
@require_membership(Role.ADMIN)
@json_refusals
@operation(
    "The project's trainings, newest first",
    response=obj(["trainings"], trainings=array(JOB)),
    tags=TAGS,
)
def index(project: Project) -> ResponseReturnValue:
    jobs = training_jobs.list_trainings(current_session(), project)
    return jsonify(trainings=[job_json(job) for job in jobs])


@blueprint.get(f"{BASE}/<int:job_id>")
@require_membership(Role.ADMIN)
@json_refusals
@operation(
    "One training: status, progress in epochs, and once done the model's "
    "version and held-out figures",
    response=JOB,
    tags=TAGS,
)
def show(project: Project, job_id: int) -> ResponseReturnValue:
    job = training_jobs.get_training(current_session(), project, job_id)
    return jsonify(job_json(job))


@blueprint.post(f"{BASE}/<int:job_id>/cancel")
@require_membership(Role.ADMIN)
@json_refusals
@operation(
    "Cancel a queued or running training: a queued one is cancelled at once, "
    "a running one stops at its next heartbeat (poll url until it is "
    "cancelled) and keeps no model; 409 once it has ended",
    status=202,
    response=JOB,
    tags=TAGS,
)
def cancel(project: Project, job_id: int) -> ResponseReturnValue:
    user = cast(User, current_user._get_current_object())
    job = training_jobs.cancel_training(current_session(), project, job_id, user)
    response = jsonify(job_json(job))
    response.status_code = 202
    return response
