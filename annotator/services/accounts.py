"""Accounts: creating users and checking passwords."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from annotator.models import AuditEvent, User
from annotator.services import audit
from annotator.services.errors import ServiceError

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 8
# Checked against when the user does not exist, so that a wrong username takes
# as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
#: Failed logins allowed per username within the window before logins pause.
MAX_FAILED_LOGINS = 10
FAILED_LOGIN_WINDOW = timedelta(minutes=15)


def validate_username(username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise ServiceError(
            f"username {username!r}: 1-64 letters, digits or . _ @ - characters"
        )


def create_user(
    session: Session,
    username: str,
    password: str | None,
    *,
    is_admin: bool = False,
) -> User:
    """Create and commit a user; ``password=None`` makes an account that cannot
    log in (used for annotators whose work is imported)."""
    validate_username(username)
    if password is not None:
        check_password_rule(password)
    if find_user(session, username) is not None:
        raise ServiceError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=generate_password_hash(password) if password else None,
        is_admin=is_admin,
    )
    session.add(user)
    session.commit()
    return user


def check_password_rule(password: str) -> None:
    """ServiceError unless ``password`` is long enough for any account."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters are required"
        )


def set_password(session: Session, user: User, password: str) -> None:
    check_password_rule(password)
    user.password_hash = generate_password_hash(password)
    session.commit()


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def require_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise ServiceError(f"no user named {username!r}")
    return user


class AccountDeactivated(ServiceError):
    """The password is right but a site admin has deactivated the account."""


DEACTIVATED = "This account is deactivated: ask a site admin to reactivate it."


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password is right and the account may log in, else None;
    AccountDeactivated when the password is right for a deactivated account
    (only someone who knows the password learns that)."""
    user = find_user(session, username)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    password_ok = check_password_hash(stored, password)
    if user and user.password_hash and password_ok and not user.is_active:
        raise AccountDeactivated(DEACTIVATED)
    if user is None or not user.can_log_in or not password_ok:
        return None
    return user


def _recent_failures(
    session: Session, username: str, address: str, now: datetime
) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.entity == "login",
            AuditEvent.action == "failed",
            AuditEvent.created_at > now - FAILED_LOGIN_WINDOW,
            AuditEvent.data["username"].as_string() == username,
            AuditEvent.data["address"].as_string() == address,
        )
    )
    return int(count or 0)


def login_paused(
    session: Session, username: str, address: str | None, now: datetime | None = None
) -> bool:
    """True after MAX_FAILED_LOGINS failures for this name from this address
    in the window.

    Counted per username whether or not the account exists, so the pause says
    nothing about which names are real; per address too, so that guessing from
    one machine cannot lock the owner out from theirs. Kept in the database so
    that every server worker sees the same count.
    """
    moment = now or datetime.now(UTC)
    failures = _recent_failures(session, username[:64], address or "", moment)
    return failures >= MAX_FAILED_LOGINS


def record_failed_login(session: Session, username: str, address: str | None) -> None:
    """Audit a failed login (the password is never recorded) and commit."""
    audit.record(
        session,
        actor_id=None,
        project_id=None,
        entity="login",
        entity_id=None,
        action="failed",
        data={"username": username[:64], "address": address or ""},
    )
    session.commit()
