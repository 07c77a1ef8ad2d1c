"""The JSON API of the annotation page. CSRF token in the X-CSRFToken header."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import annotations as annotation_service
from annotator.web.annotate import project_document
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import require_membership

blueprint = Blueprint("api", __name__, url_prefix="/api")
BASE = "/projects/<int:project_id>/documents/<int:document_id>"


def _user() -> User:
    return cast(User, current_user._get_current_object())


@blueprint.get(f"{BASE}/annotation")
@require_membership(Role.ANNOTATOR)
@json_refusals
def annotation(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    return jsonify(
        annotation_service.load_annotation(current_session(), document, _user())
    )


@blueprint.post(f"{BASE}/spans")
@require_membership(Role.ANNOTATOR)
@json_refusals
def create_span(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id, text=True)
    span, version = annotation_service.create_span(
        current_session(), project, document, _user(), json_body()
    )
    return jsonify(span=span, version=version), 201


@blueprint.patch(f"{BASE}/spans/<int:span_id>")
@require_membership(Role.ANNOTATOR)
@json_refusals
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
def create_link(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    link, version = annotation_service.create_link(
        current_session(), document, _user(), json_body()
    )
    return jsonify(link=link, version=version), 201


@blueprint.delete(f"{BASE}/links/<int:link_id>")
@require_membership(Role.ANNOTATOR)
@json_refusals
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
def set_status(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    status, version = annotation_service.set_status(
        current_session(), document, _user(), json_body()
    )
    return jsonify(status=status, version=version)
