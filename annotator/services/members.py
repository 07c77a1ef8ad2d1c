"""What the members page shows besides the member list: the accounts a site
admin may add, and what removing a member changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.models import Assignment, Document, Membership, Project, Span, User
from annotator.services.assignments import DONE_STATUSES, OPEN_STATUSES


def addable_accounts(session: Session, project: Project) -> list[User]:
    """Active accounts that are not members of ``project`` yet, by username.
    For site admins only: everyone else must not enumerate accounts."""
    members = select(Membership.user_id).where(Membership.project_id == project.id)
    return list(
        session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.id.not_in(members))
            .order_by(User.username)
        )
    )


@dataclass(frozen=True, slots=True)
class MemberWork:
    """A member's work in one project: open and finished documents, spans."""

    open_documents: int
    finished_documents: int
    spans: int


def member_work(session: Session, project: Project, user: User) -> MemberWork:
    """Counts of ``user``'s work in ``project`` (read only)."""
    in_project = select(Document.id).where(Document.project_id == project.id)
    by_status = dict(
        session.execute(
            select(Assignment.status, func.count())
            .where(
                Assignment.user_id == user.id,
                Assignment.document_id.in_(in_project),
            )
            .group_by(Assignment.status)
        ).all()
    )
    spans = session.scalar(
        select(func.count())
        .select_from(Span)
        .where(Span.annotator_id == user.id, Span.document_id.in_(in_project))
    )
    return MemberWork(
        open_documents=sum(by_status.get(status, 0) for status in OPEN_STATUSES),
        finished_documents=sum(by_status.get(status, 0) for status in DONE_STATUSES),
        spans=int(spans or 0),
    )
