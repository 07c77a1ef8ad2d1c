"""Site admins looking after accounts: the site-admin flag, a new password,
deactivating and reactivating. A deactivated account cannot log in, its open
sessions end on their next request and it is given no new documents; its
spans, reviews and exports stay as they are."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from annotator.models import Assignment, Membership, Project, Span, User
from annotator.services import audit
from annotator.services.accounts import check_password, end_sessions
from annotator.services.assignments import (
    DONE_STATUSES,
    OPEN_STATUSES,
    release_open_assignments,
)
from annotator.services.errors import ServiceError

NOT_YOURSELF = "you cannot {what} your own account: ask another site admin"


def _active_site_admins(session: Session) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.is_admin.is_(True), User.is_active.is_(True))
    )
    return int(count or 0)


def _record(session: Session, user: User, actor: User | None, action: str) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=None,
        entity="user",
        entity_id=user.id,
        action=action,
        data={"username": user.username},
    )


def set_site_admin(
    session: Session, user: User, is_admin: bool, actor: User | None
) -> bool:
    """Give or take the site-admin flag and commit; True if it changed.
    Nobody takes their own flag (the last admin could lock everyone out)."""
    if user.is_admin == is_admin:
        return False
    if not is_admin and actor is not None and actor.id == user.id:
        raise ServiceError(NOT_YOURSELF.format(what="take site admin from"))
    user.is_admin = is_admin
    _record(session, user, actor, "grant-admin" if is_admin else "revoke-admin")
    session.commit()
    return True


def reset_password(
    session: Session, user: User, password: str, actor: User | None
) -> None:
    """Set a new password chosen by an admin (the strength rule of every password)."""
    check_password(password, user.username)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    _record(session, user, actor, "reset-password")
    session.commit()


def deactivate_user(session: Session, user: User, actor: User | None) -> bool:
    """Stop ``user`` logging in and being given documents; commit. True if it
    changed. Their work stays. Refused for oneself and the last active site
    admin."""
    if not user.is_active:
        return False
    if actor is not None and actor.id == user.id:
        raise ServiceError(NOT_YOURSELF.format(what="deactivate"))
    if user.is_admin and _active_site_admins(session) <= 1:
        raise ServiceError(
            f"{user.username} is the last active site admin: make someone else "
            "a site admin first"
        )
    user.is_active = False
    end_sessions(user)
    release_open_assignments(session, user)
    _record(session, user, actor, "deactivate")
    session.commit()
    return True


def reactivate_user(session: Session, user: User, actor: User | None) -> bool:
    """Let ``user`` log in and take documents again; commit. True if it changed."""
    if user.is_active:
        return False
    user.is_active = True
    _record(session, user, actor, "reactivate")
    session.commit()
    return True


@dataclass(frozen=True, slots=True)
class AccountWork:
    """What an account holds, shown before it is deactivated: its projects and
    roles by project name, its open and finished documents and its spans."""

    memberships: tuple[tuple[str, str], ...]
    open_documents: int
    finished_documents: int
    spans: int


def account_work(session: Session, user: User) -> AccountWork:
    """Counts of the work ``user`` holds in every project (read only)."""
    memberships = session.execute(
        select(Project.name, Membership.role)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == user.id)
        .order_by(Project.name)
    ).all()
    by_status = dict(
        session.execute(
            select(Assignment.status, func.count())
            .where(Assignment.user_id == user.id)
            .group_by(Assignment.status)
        ).all()
    )
    spans = session.scalar(
        select(func.count()).select_from(Span).where(Span.annotator_id == user.id)
    )
    return AccountWork(
        memberships=tuple((name, str(role)) for name, role in memberships),
        open_documents=sum(by_status.get(status, 0) for status in OPEN_STATUSES),
        finished_documents=sum(by_status.get(status, 0) for status in DONE_STATUSES),
        spans=int(spans or 0),
    )
