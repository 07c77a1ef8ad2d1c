"""The JSON API of the annotation page. CSRF token in the X-CSRFToken header."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import annotations as annotation_service
from annotator.services.documents import find_document
from annotator.web.annotate import project_document
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import require_membership
from annotator.web.v1.docs import INTEGER, STRING, array, obj, operation
from annotator.web.v1.docs import json_body as body

blueprint = Blueprint("api", __name__, url_prefix="/api")
BASE = "/projects/<int:project_id>/documents/<int:document_id>"
TAGS = ["annotation page"]
VERSION = {**INTEGER, "description": "the version the change was made on"}
SPAN_BODY = obj(
    ["version", "start", "end", "label"],
    version=VERSION,
    start={**INTEGER, "description": "code points, from 0"},
    end={**INTEGER, "description": "code points, exclusive"},
    label=STRING,
    attributes={"type": "object"},
    note=STRING,
)
SPAN = obj(["id", "start", "end", "label"], id=INTEGER, start=INTEGER, end=INTEGER)
VERSIONED = obj(["version"], version=VERSION)
ANNOTATION = obj(
    ["version", "status", "spans", "links"],
    version=INTEGER,
    status=STRING,
    spans=array(SPAN),
    links=array({"type": "object"}),
)


def _user() -> User:
    return cast(User, current_user._get_current_object())


@blueprint.get(f"{BASE}/annotation")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "The caller's own annotation of the document", response=ANNOTATION, tags=TAGS
)
def annotation(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    return jsonify(
        annotation_service.load_annotation(current_session(), document, _user())
    )


@blueprint.post(f"{BASE}/spans")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Add a span",
    body=body(SPAN_BODY),
    status=201,
    response=obj(["span", "version"], span=SPAN, version=INTEGER),
    tags=TAGS,
)
def create_span(project: Project, document_id: int) -> ResponseReturnValue:
    try:
        data = json_body()
    except HTTPException:
        # The service looks the document up with the rest of the save: a
        # body refused before that still answers 404 for a document outside
        # the project (the service's refusal, as for a body that parses).
        find_document(current_session(), project, document_id, text=False)
        raise
    span, version = annotation_service.create_span(
        current_session(), project, document_id, _user(), data
    )
    return jsonify(span=span, version=version), 201


@blueprint.patch(f"{BASE}/spans/<int:span_id>")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Change a span",
    body=body(VERSIONED),
    response=obj(["span", "version"], span=SPAN, version=INTEGER),
    tags=TAGS,
)
def update_span(
    project: Project, document_id: int, span_id: int
) -> ResponseReturnValue:
    document = project_document(project, document_id)
    span, version = annotation_service.update_span(
        current_session(), project, document, _user(), span_id, json_body()
    )
    return jsonify(span=span, version=version)


@blueprint.delete(f"{BASE}/spans/<int:span_id>")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Delete a span and its links",
    body=body(VERSIONED),
    response=obj(["version"], version=INTEGER, deleted_links=array(INTEGER)),
    tags=TAGS,
)
def delete_span(
    project: Project, document_id: int, span_id: int
) -> ResponseReturnValue:
    document = project_document(project, document_id)
    links, version = annotation_service.delete_span(
        current_session(), document, _user(), span_id, json_body()
    )
    return jsonify(version=version, deleted_links=links)


@blueprint.post(f"{BASE}/links")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Link two spans",
    body=body(
        obj(
            ["version", "source", "target", "kind"],
            version=VERSION,
            source=INTEGER,
            target=INTEGER,
            kind=STRING,
        )
    ),
    status=201,
    response=obj(["link", "version"], link={"type": "object"}, version=INTEGER),
    tags=TAGS,
)
def create_link(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    link, version = annotation_service.create_link(
        current_session(), document, _user(), json_body()
    )
    return jsonify(link=link, version=version), 201


@blueprint.delete(f"{BASE}/links/<int:link_id>")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Delete a link",
    body=body(VERSIONED),
    response=obj(["version"], version=INTEGER),
    tags=TAGS,
)
def delete_link(
    project: Project, document_id: int, link_id: int
) -> ResponseReturnValue:
    document = project_document(project, document_id)
    version = annotation_service.delete_link(
        current_session(), document, _user(), link_id, json_body()
    )
    return jsonify(version=version)


@blueprint.post(f"{BASE}/status")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Submit, skip or reopen the document",
    body=body(obj(["version", "status"], version=VERSION, status=STRING)),
    response=obj(["status", "version"], status=STRING, version=INTEGER),
    tags=TAGS,
)
def set_status(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    status, version = annotation_service.set_status(
        current_session(), document, _user(), json_body()
    )
    return jsonify(status=status, version=version)
