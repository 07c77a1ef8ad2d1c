"""Review: the queue, the side-by-side page of one document, per-annotator
quality, and the JSON API of the reviewer's decisions (CSRF token in the
X-CSRFToken header). Reviewers and admins of the project only."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.adjudication import Mode
from annotator.core.diff import GROUP_KIND_TEXT, GroupKind
from annotator.core.labels import LINK_RULES
from annotator.extensions import current_session
from annotator.models import Document, Project, Role, User
from annotator.services import adjudication as adjudication_service
from annotator.services import review as review_service
from annotator.services.documents import find_document
from annotator.services.errors import NotFoundError
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import refuse_while_annotating, require_membership
from annotator.web.v1.docs import INTEGER, obj, operation, query
from annotator.web.v1.docs import json_body as body

blueprint = Blueprint("review", __name__)
PAGE = "/projects/<int:project_id>/review"
API = "/api/projects/<int:project_id>/review/documents/<int:document_id>"
MODES = ("exact", "partial")
TAGS = ["review page"]
NAMES = query(
    "names",
    {"type": "string", "enum": ["shown", "hidden"]},
    "shown: name the annotators (default: letters)",
)
DECISION = obj(["version"], version={**INTEGER, "description": "the review's version"})


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _document(project: Project, document_id: int) -> Document:
    """The project's document, or 404; 403 while the caller annotates it."""
    try:
        found = find_document(current_session(), project, document_id)
    except NotFoundError:
        abort(404)
    refuse_while_annotating(found.id)
    return found


def _names_shown() -> bool:
    return request.args.get("names") == "shown"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@blueprint.route(PAGE)
@require_membership(Role.REVIEWER)
def queue(project: Project) -> ResponseReturnValue:
    label = request.args.get("label") or None
    try:
        found = review_service.queue_overview(current_session(), project, label)
    except review_service.InvalidDecision:
        abort(400)
    return render_template(
        "review/queue.html",
        project=project,
        entries=found.entries,
        waiting=found.waiting,
        label=label,
        kinds=[kind for kind in GroupKind if kind is not GroupKind.SAME],
        kind_text=GROUP_KIND_TEXT,
    )


@blueprint.route(f"{PAGE}/documents/<int:document_id>")
@require_membership(Role.REVIEWER)
def page(project: Project, document_id: int) -> ResponseReturnValue:
    document = _document(project, document_id)
    shown = _names_shown()
    state = review_service.document_review(current_session(), project, document, shown)
    payload = {
        "api": url_for("review.state", project_id=project.id, document_id=document.id),
        "queue_url": url_for("review.queue", project_id=project.id),
        "link_rules": {kind: sorted(pairs) for kind, pairs in LINK_RULES.items()},
        "state": state,
    }
    return render_template(
        "review/document.html",
        project=project,
        document=document,
        payload=payload,
        shown=shown,
    )


def _quality_mode() -> Mode:
    mode = request.args.get("mode", "exact")
    if mode not in MODES:
        abort(400, description=f"mode {mode!r}: one of {', '.join(MODES)}")
    return "partial" if mode == "partial" else "exact"


@blueprint.route(f"{PAGE}/quality")
@require_membership(Role.REVIEWER)
def quality(project: Project) -> ResponseReturnValue:
    mode = _quality_mode()
    report = review_service.annotator_quality(current_session(), project, mode)
    return render_template(
        "review/quality.html",
        project=project,
        report=report,
        mode=mode,
        labels=list(report.labels),
        number=_number,
    )


@blueprint.get("/api/projects/<int:project_id>/review/quality")
@require_membership(Role.REVIEWER)
@operation(
    "Per-annotator quality against the gold layer",
    parameters=[query("mode", {"type": "string", "enum": list(MODES)}, "Span match")],
    response=obj(["annotators"]),
    tags=TAGS,
)
def quality_json(project: Project) -> ResponseReturnValue:
    """The quality page's figures; an undefined one is ``{"value": null,
    "reason": ...}``."""
    mode = _quality_mode()
    report = review_service.annotator_quality(current_session(), project, mode)
    return jsonify(report.to_dict())


# --------------------------------------------------------------------------
# JSON API
# --------------------------------------------------------------------------


@blueprint.get(API)
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "Everything the review page shows of one document",
    parameters=[NAMES],
    response=obj(["document", "groups", "gold"]),
    tags=TAGS,
)
def state(project: Project, document_id: int) -> ResponseReturnValue:
    document = _document(project, document_id)
    return jsonify(
        review_service.document_review(
            current_session(), project, document, _names_shown()
        )
    )


def _decision_view(name: str) -> Callable[..., ResponseReturnValue]:
    def view(project: Project, document_id: int) -> ResponseReturnValue:
        document = _document(project, document_id)
        result = adjudication_service.decide(
            current_session(), project, document, _user(), name, json_body()
        )
        return jsonify(result)

    view.__name__ = f"decide_{name.replace('-', '_')}"
    return operation(
        f"Review decision: {name}",
        body=body(DECISION),
        response={"type": "object"},
        tags=TAGS,
    )(view)


for _name in adjudication_service.DECISIONS:
    blueprint.add_url_rule(
        f"{API}/{_name}",
        view_func=require_membership(Role.REVIEWER)(
            json_refusals(_decision_view(_name))
        ),
        methods=["POST"],
    )
