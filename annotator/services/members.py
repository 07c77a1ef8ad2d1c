"""What the members page shows besides the member list: the accounts a site
admin may add, and what removing a member changes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.models import Assignment, Document, Membership, Project, Span, User
from annotator.services.accounts import find_user
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


def account_to_add(
    session: Session, project: Project, username: str, actor: User
) -> User | None:
    """The account ``actor`` may add to ``project`` under ``username``, else
    None. Site admins may add any account. A project admin may add only
    accounts that already share a project with them (or are members here):
    an unknown name and an account from elsewhere get the same answer, so the
    form cannot be used to find out which accounts exist."""
    user = find_user(session, username)
    if user is None or actor.is_admin:
        return user
    mine = select(Membership.project_id).where(Membership.user_id == actor.id)
    shared = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.user_id == user.id, Membership.project_id.in_(mine))
    )
    return user if shared else None


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
