"""One entry for the review API: a decision by its route name, on a
document the review queue holds (complete, nobody still working on it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from annotator.models import Document, Project, User
from annotator.services import submitted
from annotator.services.adjudication.claims import Decision
from annotator.services.errors import NotFoundError
from annotator.services.review import refuse

NOT_REVIEWABLE = (
    "this document is not complete (fewer annotators have submitted it than "
    "the project needs) or someone is still working on it: review it once "
    "their work is in"
)


def decide(
    session: Session,
    decisions: Mapping[str, Decision],
    name: str,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Make decision ``name`` (a key of ``decisions``) with body ``data``;
    refused (field ``status``) while the document is not reviewable."""
    chosen = decisions.get(name)
    if chosen is None:
        raise NotFoundError(f"no decision named {name!r}")
    if not submitted.is_reviewable(session, document):
        raise refuse("status", NOT_REVIEWABLE)
    return chosen(session, project, document, reviewer, data)
