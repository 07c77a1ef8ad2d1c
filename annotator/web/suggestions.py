"""The suggestions API of the annotation page (routes on the ``api``
blueprint): the caller's suggestions on a document, accept and reject, and
undoing either.
CSRF token in the X-CSRFToken header, like every write of the page."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from annotator.extensions import current_session
from annotator.models import Project, Role
from annotator.services import suggestions
from annotator.web.annotate import project_document
from annotator.web.api import BASE, SPAN, TAGS, VERSIONED, _user, blueprint
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import require_membership
from annotator.web.v1.docs import INTEGER, STRING, array, obj, operation
from annotator.web.v1.docs import json_body as body

ONE = f"{BASE}/suggestions/<suggestion_id>"
SUGGESTION = obj(
    ["id", "start", "end", "label", "score", "suggester", "version"],
    id=STRING,
    start={**INTEGER, "description": "code points, from 0"},
    end={**INTEGER, "description": "code points, end exclusive"},
    label=STRING,
    score={"type": "number", "minimum": 0, "maximum": 1},
    suggester=STRING,
    version=STRING,
)


@blueprint.get(f"{BASE}/suggestions")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "The caller's suggestions on the document (none on calibration documents)",
    response=obj(["suggestions"], suggestions=array(SUGGESTION)),
    tags=TAGS,
)
def list_suggestions(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    found = suggestions.suggestions_for(current_session(), project, document, _user())
    return jsonify(suggestions=found)


@blueprint.post(f"{ONE}/accept")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Accept a suggestion: it becomes the caller's span (origin suggested)",
    body=body(VERSIONED),
    status=201,
    response=obj(["span", "version"], span=SPAN, version=INTEGER),
    tags=TAGS,
)
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
@operation(
    "Reject a suggestion: not offered to the caller again",
    body=body(VERSIONED),
    response=obj(["version"], version=INTEGER),
    tags=TAGS,
)
def reject_suggestion(
    project: Project, document_id: int, suggestion_id: str
) -> ResponseReturnValue:
    document = project_document(project, document_id)
    version = suggestions.reject_suggestion(
        current_session(), project, document, _user(), suggestion_id, json_body()
    )
    return jsonify(version=version)


@blueprint.delete(f"{ONE}/decision")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "Undo the caller's accept or reject: the suggestion is offered again and "
    "the span an acceptance made is deleted (with its links)",
    body=body(VERSIONED),
    response=obj(
        ["version", "deleted_span", "deleted_links"],
        version=INTEGER,
        deleted_span={"type": ["integer", "null"]},
        deleted_links=array(INTEGER),
    ),
    tags=TAGS,
)
def undo_decision(
    project: Project, document_id: int, suggestion_id: str
) -> ResponseReturnValue:
    document = project_document(project, document_id)
    undone = suggestions.undo_decision(
        current_session(), document, _user(), suggestion_id, json_body()
    )
    return jsonify(undone)
