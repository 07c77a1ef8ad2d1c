"""Agreement (the same JSON as ``annotator agreement --json``) and where
review stands."""

from __future__ import annotations

from typing import Any, cast

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.agreement.results import SCHEMA_VERSION
from annotator.extensions import current_session
from annotator.models import AdjudicationStatus, Project, Role, User
from annotator.services import agreement as agreement_service
from annotator.services import review as review_service
from annotator.services.review_state import review_state
from annotator.web.errors import json_refusals
from annotator.web.security import require_membership
from annotator.web.v1 import api_v1, params
from annotator.web.v1.docs import (
    INTEGER,
    NULLABLE_STRING,
    STRING,
    array,
    obj,
    operation,
    query,
)

PROJECT = "/projects/<int:project_id>"


def _user() -> User:
    return cast(User, current_user._get_current_object())


AGREEMENT = {
    "type": "object",
    "description": f"Schema {SCHEMA_VERSION} of docs/agreement.md, the same "
    "document as `annotator agreement --json`",
    "required": ["schema", "project", "coverage", "warnings", "verdicts"],
}
UNIT = query(
    "unit",
    {"type": "string", "enum": list(agreement_service.UNITS)},
    "Units of the coding diagnostics (default char)",
)


@api_v1.get(f"{PROJECT}/agreement")
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "Inter-annotator agreement", parameters=[UNIT], response=AGREEMENT, tags=["review"]
)
def agreement(project: Project) -> ResponseReturnValue:
    """From submitted annotations, leaving out the documents the caller has
    open to annotate (blind), as the Agreement page does."""
    unit = params.choice("unit", tuple(agreement_service.UNITS), "char") or "char"
    summary = agreement_service.project_agreement(
        current_session(), project, unit, viewer=_user()
    )
    return jsonify(summary.to_dict())


ENTRY = obj(
    ["document_id", "status", "n_groups", "n_disagreements"],
    document_id=INTEGER,
    external_id=STRING,
    title=STRING,
    status={"type": "string", "enum": [s.value for s in AdjudicationStatus]},
    n_annotators=INTEGER,
    n_groups=INTEGER,
    n_disagreements=INTEGER,
    n_gold=INTEGER,
    n_undecided={
        "type": ["integer", "null"],
        "description": "groups not decided yet (every label); null once adjudicated",
    },
    kinds={"type": "object", "additionalProperties": INTEGER},
)
REVIEW = obj(
    ["documents", "in_review", "adjudicated", "undecided_groups", "waiting"],
    documents=array(ENTRY),
    in_review=INTEGER,
    adjudicated=INTEGER,
    undecided_groups=INTEGER,
    waiting=NULLABLE_STRING,
)


def _entry_json(
    entry: review_service.QueueEntry, undecided: int | None
) -> dict[str, Any]:
    return {
        "document_id": entry.document_id,
        "external_id": entry.external_id,
        "title": entry.title,
        "status": str(entry.status),
        "n_annotators": entry.n_annotators,
        "n_groups": entry.n_groups,
        "n_disagreements": entry.n_disagreements,
        "n_gold": entry.n_gold,
        "n_undecided": undecided,
        "kinds": {str(kind): count for kind, count in entry.kinds.items()},
    }


@api_v1.get(f"{PROJECT}/review")
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "Where review stands: the review queue",
    parameters=[query("label", STRING, "Only groups with a span of this label")],
    response=REVIEW,
    tags=["review"],
)
def review(project: Project) -> ResponseReturnValue:
    """The documents ready for review, most disagreements first, each with
    its status (open or adjudicated), its groups, how many disagree and how
    many are undecided; ``waiting`` says what waits for more annotators."""
    found = review_state(current_session(), project, params.text("label"))
    entries = [
        _entry_json(entry, found.undecided.get(entry.document_id))
        for entry in found.queue.entries
    ]
    done = sum(entry["status"] == AdjudicationStatus.ADJUDICATED for entry in entries)
    return jsonify(
        documents=entries,
        in_review=len(entries) - done,
        adjudicated=done,
        undecided_groups=sum(found.undecided.values()),
        waiting=found.queue.waiting,
    )
