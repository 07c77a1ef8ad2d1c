"""Accounts: creating users and checking passwords."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from annotator.models import User
from annotator.services.errors import ServiceError

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 8
# Checked against when the user does not exist, so that a wrong username takes
# as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


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
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters are required"
        )
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


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters are required"
        )
    user.password_hash = generate_password_hash(password)
    session.commit()


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def require_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise ServiceError(f"no user named {username!r}")
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the password is right and the account may log in, else None."""
    user = find_user(session, username)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    password_ok = check_password_hash(stored, password)
    if user is None or not user.can_log_in or not password_ok:
        return None
    return user
