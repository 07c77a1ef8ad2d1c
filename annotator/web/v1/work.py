"""Who annotates what, and the annotations of one document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import annotations as annotation_service
from annotator.services import layers as layer_service
from annotator.services.assignment_list import project_assignments
from annotator.services.projects import has_role
from annotator.web.annotate import project_document
from annotator.web.errors import json_refusals
from annotator.web.security import refuse_while_annotating, require_membership
from annotator.web.v1 import api_v1, params
from annotator.web.v1.docs import (
    BOOLEAN,
    INTEGER,
    STRING,
    array,
    obj,
    operation,
    query,
)

PROJECT = "/projects/<int:project_id>"
ASSIGNMENT_STATUS = {
    "type": "string",
    "enum": ["todo", "in_progress", "submitted", "skipped"],
}


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _rfc3339(moment: datetime) -> str:
    """Stored times are UTC without a zone; say so."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _reviews() -> bool:
    return has_role(g.role, Role.REVIEWER)


ASSIGNMENT = obj(
    ["document_id", "user_id", "username", "status", "version"],
    document_id=INTEGER,
    user_id=INTEGER,
    username=STRING,
    status=ASSIGNMENT_STATUS,
    version=INTEGER,
    updated_at={"type": "string", "format": "date-time"},
)


@api_v1.get(f"{PROJECT}/assignments")
@require_membership(Role.ANNOTATOR)
@operation("Who holds which document", response=array(ASSIGNMENT), tags=["work"])
def assignments(project: Project) -> ResponseReturnValue:
    """Annotators see their own assignments; reviewers and admins everyone's,
    except on a document they have open to annotate themselves (blind)."""
    rows = project_assignments(current_session(), project, _user(), everyone=_reviews())
    return jsonify(
        [
            {
                "document_id": row.document_id,
                "user_id": row.user_id,
                "username": row.username,
                "status": row.status,
                "version": row.version,
                "updated_at": _rfc3339(row.updated_at),
            }
            for row in rows
        ]
    )


SPAN = obj(
    ["start", "end", "label"],
    start={**INTEGER, "description": "code points, from 0"},
    end={**INTEGER, "description": "code points, exclusive"},
    label=STRING,
)
OWN = obj(
    ["version", "status", "spans", "links"],
    version=INTEGER,
    status=ASSIGNMENT_STATUS,
    skip_reason=STRING,
    spans=array(
        {
            "allOf": [
                SPAN,
                obj(["id"], id=INTEGER, attributes={"type": "object"}, note=STRING),
            ]
        }
    ),
    links=array(
        obj(
            ["id", "source", "target", "kind"],
            id=INTEGER,
            source=INTEGER,
            target=INTEGER,
            kind=STRING,
        )
    ),
)
LAYER = obj(
    ["key", "name", "state", "readable", "spans"],
    key={**STRING, "description": "gold, or the annotator's letter"},
    name=STRING,
    state=STRING,
    readable={**BOOLEAN, "description": "false: not submitted, no spans shown"},
    spans=array(
        {"allOf": [SPAN, obj(["text"], text=STRING, source=STRING, note=STRING)]}
    ),
)
ANNOTATIONS = obj(
    ["document_id", "view"],
    document_id=INTEGER,
    view={"type": "string", "enum": ["own", "layers"]},
    own=OWN,
    status=STRING,
    layers=array(LAYER),
)


def _layer_json(layer: layer_service.Layer) -> dict[str, Any]:
    return {
        "key": layer.key,
        "name": layer.name,
        "state": layer.state,
        "readable": layer.readable,
        "spans": [
            {
                "start": span.start,
                "end": span.end,
                "label": span.label,
                "text": span.words,
                "source": span.source,
                "note": span.note,
            }
            for span in layer.spans
        ],
    }


@api_v1.get(f"{PROJECT}/documents/<int:document_id>/annotations")
@require_membership(Role.ANNOTATOR)
@json_refusals
@operation(
    "A document's annotations",
    parameters=[
        query(
            "names",
            {"type": "string", "enum": ["shown", "hidden"]},
            "Reviewers: name the annotators (default: letters, as on the review page)",
        )
    ],
    response=ANNOTATIONS,
    tags=["work"],
)
def document_annotations(project: Project, document_id: int) -> ResponseReturnValue:
    """Annotators get their own annotation (``view: own``; 404 when the
    document is not assigned to them). Reviewers and admins get every
    submitted annotator's layer and the gold layer (``view: layers``), and
    403 while they have the document open to annotate themselves (blind)."""
    document = project_document(project, document_id)
    session = current_session()
    if not _reviews():
        own = annotation_service.load_annotation(session, document, _user())
        return jsonify(document_id=document.id, view="own", own=own)
    refuse_while_annotating(document.id)
    shown = params.choice("names", ("shown", "hidden"), "hidden") == "shown"
    found = layer_service.document_layers(session, project, document, show_names=shown)
    return jsonify(
        document_id=document.id,
        view="layers",
        status=str(found.progress.status),
        layers=[_layer_json(layer) for layer in found.layers],
    )
