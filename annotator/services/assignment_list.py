"""Who holds which document of a project, as the API lists it; blind
annotation holds (:mod:`annotator.services.blind`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import Assignment, Document, Project, User
from annotator.services import blind


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    document_id: int
    user_id: int
    username: str
    status: str
    version: int
    updated_at: datetime


def project_assignments(
    session: Session, project: Project, viewer: User, *, everyone: bool
) -> list[AssignmentRow]:
    """The assignments of ``project`` by document, then username: the
    viewer's own only unless ``everyone``; on a document the viewer has open
    to annotate, only the viewer's (annotation is blind)."""
    query = (
        select(Assignment, User.username)
        .join(Document, Document.id == Assignment.document_id)
        .join(User, User.id == Assignment.user_id)
        .where(Document.project_id == project.id)
        .order_by(Assignment.document_id, User.username)
    )
    if not everyone:
        query = query.where(Assignment.user_id == viewer.id)
    hidden = blind.open_to(session, project, viewer) if everyone else frozenset()
    return [
        AssignmentRow(
            assignment.document_id,
            assignment.user_id,
            username,
            assignment.status,
            assignment.version,
            assignment.updated_at,
        )
        for assignment, username in session.execute(query)
        if assignment.document_id not in hidden or assignment.user_id == viewer.id
    ]
