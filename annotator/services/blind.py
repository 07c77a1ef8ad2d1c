"""The blind viewer: a member never sees others' work on a document they have
open themselves to annotate (todo or in progress), even as a reviewer. Pages
that show others' spans or names ask here first."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from annotator.models import Assignment, Document, Project, User
from annotator.services.assignments import OPEN_STATUSES


def _opened_by(user: User, project: Project) -> Select[int]:
    """The ids of ``project``'s documents ``user`` has open to annotate."""
    return (
        select(Assignment.document_id)
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Document.project_id == project.id,
            Assignment.user_id == user.id,
            Assignment.status.in_(OPEN_STATUSES),
        )
    )


def open_to(session: Session, project: Project, user: User) -> frozenset[int]:
    """Ids of the documents of ``project`` that ``user`` has open to annotate:
    while they do, they may not see others' work on them."""
    return frozenset(session.scalars(_opened_by(user, project)))


def is_annotating(session: Session, document_id: int, user: User) -> bool:
    """Whether ``user`` has this document open to annotate: while they do, they
    must not see anyone else's spans on it (blind annotation), even as a
    reviewer."""
    found = session.scalar(
        select(Assignment.id).where(
            Assignment.document_id == document_id,
            Assignment.user_id == user.id,
            Assignment.status.in_(OPEN_STATUSES),
        )
    )
    return found is not None


def annotating_in(session: Session, project: Project, user: User) -> bool:
    """Whether ``user`` has any document of the project open to annotate."""
    return session.scalar(_opened_by(user, project).limit(1)) is not None
