"""Site admins looking after accounts: the site-admin flag, deactivating and
reactivating (a new password is accounts.set_password with the admin as
actor). A deactivated account cannot log in, its open
sessions end on their next request and it is given no new documents; its
spans, reviews and exports stay as they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from annotator.models import Assignment, Membership, Project, Span, User
from annotator.services import audit
from annotator.services.accounts import end_sessions
from annotator.services.assignments import (
    DONE_STATUSES,
    OPEN_STATUSES,
    release_open_assignments,
)
from annotator.services.errors import LastAdmin, ServiceError, rolls_back

NOT_YOURSELF = "you cannot {what} your own account: ask another site admin"


def _keep_a_site_admin(session: Session, user: User, change: dict[str, bool]) -> bool:
    """Apply ``change`` to ``user``'s row unless that would leave no active
    site admin; True if applied. Atomic under concurrent requests: the
    active site admins' rows are locked first (PostgreSQL: FOR UPDATE, so a
    second request waits and then counts what the first left), and the
    count is part of the UPDATE's own condition (SQLite runs one writer at
    a time, and a single statement sees the latest rows), so two requests
    cannot each take a different last-but-one admin."""
    session.flush()
    session.scalars(
        select(User.id)
        .where(User.is_admin.is_(True), User.is_active.is_(True))
        .with_for_update()
    ).all()
    other = aliased(User)
    others = (
        select(func.count())
        .select_from(other)
        .where(
            other.is_admin.is_(True),
            other.is_active.is_(True),
            other.id != user.id,
        )
        .scalar_subquery()
    )
    done = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.is_admin.is_(False), User.is_active.is_(False), others >= 1),
        )
        .values(**change)
        .execution_options(synchronize_session=False)
    )
    session.refresh(user)
    return bool(cast(CursorResult[Any], done).rowcount)


def _last_admin(user: User) -> LastAdmin:
    return LastAdmin(
        f"{user.username} is the last active site admin: make someone else "
        "a site admin first"
    )


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


@rolls_back
def set_site_admin(
    session: Session, user: User, is_admin: bool, actor: User | None
) -> bool:
    """Give or take the site-admin flag and commit; True if it changed.
    Nobody takes their own flag, and the last active site admin keeps it
    (checked atomically: see _keep_a_site_admin)."""
    if user.is_admin == is_admin:
        return False
    if not is_admin and actor is not None and actor.id == user.id:
        raise ServiceError(NOT_YOURSELF.format(what="take site admin from"))
    if is_admin:
        user.is_admin = True
    elif not _keep_a_site_admin(session, user, {"is_admin": False}):
        raise _last_admin(user)
    _record(session, user, actor, "grant-admin" if is_admin else "revoke-admin")
    session.commit()
    return True


@rolls_back
def deactivate_user(session: Session, user: User, actor: User | None) -> bool:
    """Stop ``user`` logging in and being given documents; commit. True if it
    changed. Their work stays. Refused for oneself and the last active site
    admin (checked atomically: see _keep_a_site_admin)."""
    if not user.is_active:
        return False
    if actor is not None and actor.id == user.id:
        raise ServiceError(NOT_YOURSELF.format(what="deactivate"))
    if not _keep_a_site_admin(session, user, {"is_active": False}):
        raise _last_admin(user)
    end_sessions(user)
    release_open_assignments(session, user)
    _record(session, user, actor, "deactivate")
    session.commit()
    return True


@rolls_back
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
