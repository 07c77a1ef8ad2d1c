"""The suggestions API of the annotation page (routes on the ``api``
blueprint): the caller's suggestions on a document, accept and reject.
CSRF token in the X-CSRFToken header, like every write of the page."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from annotator.extensions import current_session
from annotator.models import Project, Role
from annotator.services import suggestions
from annotator.web.annotate import project_document
from annotator.web.api import BASE, _user, blueprint
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import require_membership

ONE = f"{BASE}/suggestions/<suggestion_id>"


@blueprint.get(f"{BASE}/suggestions")
@require_membership(Role.ANNOTATOR)
@json_refusals
def list_suggestions(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    found = suggestions.suggestions_for(current_session(), project, document, _user())
    return jsonify(suggestions=found)


@blueprint.post(f"{ONE}/accept")
@require_membership(Role.ANNOTATOR)
@json_refusals
def accept_suggestion(
    project: Project, document_id: int, suggestion_id: str
) -> ResponseReturnValue:
    document = project_document(project, document_id)
    span, version = suggestions.accept_suggestion(
        current_session(), project, document, _user(), suggestion_id, json_body()
    )
    return jsonify(span=span, version=version), 201


@blueprint.post(f"{ONE}/reject")
@require_membership(Role.ANNOTATOR)
@json_refusals
def reject_suggestion(
    project: Project, document_id: int, suggestion_id: str
) -> ResponseReturnValue:
    document = project_document(project, document_id)
    version = suggestions.reject_suggestion(
        current_session(), project, document, _user(), suggestion_id, json_body()
    )
    return jsonify(version=version)
