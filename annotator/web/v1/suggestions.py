"""How much suggestions steer a project's annotators (the same JSON as
``annotator suggestion-effect --json``)."""

from __future__ import annotations

from typing import cast

from flask import jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services.suggestions.effect import suggestion_effect
from annotator.web.errors import json_refusals
from annotator.web.security import require_membership
from annotator.web.v1 import api_v1
from annotator.web.v1.docs import INTEGER, STRING, array, obj, operation

PROJECT = "/projects/<int:project_id>"

EFFECT = obj(
    [
        "project",
        "settings",
        "labels",
        "n_gold_documents",
        "suggesters",
        "annotators",
        "agreement",
    ],
    project=obj(["id", "name"], id=INTEGER, name=STRING),
    settings={"type": "object"},
    labels=array(STRING),
    n_gold_documents=INTEGER,
    suggesters=array(
        {
            "type": "object",
            "description": "Per suggester (name and version): precision, "
            "recall and F1 against gold, overall and per label, with counts",
        }
    ),
    annotators=array(
        {
            "type": "object",
            "description": "Per annotator: acceptance and correction rates "
            "with their counts",
        }
    ),
    agreement={
        "type": "object",
        "description": "alpha-u with its bootstrap interval on documents "
        "every submitting annotator was shown suggestions on "
        "(with_suggestions) and on those the settings withheld them from "
        "every one (calibration); mixed: n_documents in neither group (a "
        "mix, or unknown), n_unknown of them with an unknown record, a note "
        "and unknown_note; none_proposed: n_documents where suggestions were "
        "on but nothing was proposed, counted apart, and a note",
    },
)


def _user() -> User:
    return cast(User, current_user._get_current_object())


@api_v1.get(f"{PROJECT}/suggestions/effect")
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "How much suggestions steer the annotators",
    response=EFFECT,
    tags=["review"],
)
def suggestion_effect_view(project: Project) -> ResponseReturnValue:
    """Each suggester scored against the gold layer, each annotator's
    acceptance and correction rates, and agreement with and without
    suggestions (docs/suggestions.md); the agreement part leaves out the
    documents the caller has open to annotate, as the Agreement page does."""
    found = suggestion_effect(current_session(), project, viewer=_user())
    return jsonify(found.to_dict())
