"""The annotator's queue and annotation page."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.labels import LINK_RULES
from annotator.extensions import current_session
from annotator.models import Document, Project, Role, User
from annotator.services import annotations as annotation_service
from annotator.services import assignments
from annotator.services import guideline as guideline_service
from annotator.services import queue as queue_service
from annotator.services.annotations import CLOSED_STATUSES
from annotator.services.documents import find_document
from annotator.services.errors import NotFoundError
from annotator.services.labels import labels_json
from annotator.web.markdown import render_markdown
from annotator.web.security import require_membership

blueprint = Blueprint("annotate", __name__)


def _user() -> User:
    return cast(User, current_user._get_current_object())


def project_document(
    project: Project, document_id: int, *, text: bool = False
) -> Document:
    """The document with this id in this project, or 404. The text loads only
    when used (every API save looks the document up, and articles are long),
    or at once with ``text`` when the caller needs it anyway."""
    try:
        return find_document(current_session(), project, document_id, text=text)
    except NotFoundError:
        abort(404)


@blueprint.route("/projects/<int:project_id>/queue")
@require_membership(Role.ANNOTATOR)
def queue(project: Project) -> ResponseReturnValue:
    return render_template(
        "annotate/queue.html",
        project=project,
        work=queue_service.my_work(current_session(), project, _user()),
    )


@blueprint.route("/projects/<int:project_id>/next", methods=["POST"])
@require_membership(Role.ANNOTATOR)
def next_document(project: Project) -> ResponseReturnValue:
    document = assignments.next_document(current_session(), project, _user())
    if document is None:
        flash("No more documents for you in this project.", "info")
        return redirect(url_for("annotate.queue", project_id=project.id))
    return redirect(
        url_for("annotate.page", project_id=project.id, document_id=document.id)
    )


def page_payload(project: Project, document: Document, user: User) -> dict[str, Any]:
    session = current_session()
    return {
        "api": url_for(
            "api.annotation", project_id=project.id, document_id=document.id
        ).removesuffix("/annotation"),
        "document": {
            "id": document.id,
            "external_id": document.external_id,
            "title": document.title,
            "text": document.text,
        },
        "project": {
            "id": project.id,
            "name": project.name,
            "guideline": project.guideline,
        },
        "labels": labels_json(project),
        "link_rules": {kind: sorted(pairs) for kind, pairs in LINK_RULES.items()},
        "annotation": annotation_service.load_annotation(session, document, user),
        "sources": annotation_service.project_sources(session, project, user),
        "queue_url": url_for("annotate.queue", project_id=project.id),
        "next_url": url_for("annotate.next_document", project_id=project.id),
    }


@blueprint.route("/projects/<int:project_id>/documents/<int:document_id>/annotate")
@require_membership(Role.ANNOTATOR)
def page(project: Project, document_id: int) -> ResponseReturnValue:
    document = project_document(project, document_id)
    try:
        payload = page_payload(project, document, _user())
    except NotFoundError:
        abort(404)
    guideline = guideline_service.read_guideline(current_session(), project, _user())
    return render_template(
        "annotate/page.html",
        project=project,
        document=document,
        payload=payload,
        finished=payload["annotation"]["status"] in CLOSED_STATUSES,
        guideline=guideline,
        guideline_html=render_markdown(guideline.text),
        label_definitions=payload["labels"],
    )
