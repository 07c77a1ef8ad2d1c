"""Accounts: creating users and checking passwords."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from annotator.models import AuditEvent, User
from annotator.services import audit
from annotator.services.errors import ServiceError, rolls_back

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD_LENGTH = 10
#: Longer passwords are refused: the strength estimate is quadratic in length.
MAX_PASSWORD_LENGTH = 256
#: zxcvbn's score (0-4) a password needs: 3 is an estimated 10^8 guesses or
#: more, which puts every password of its 30,000 common passwords, keyboard
#: walks, repeats and dates out of reach.
MIN_PASSWORD_SCORE = 3
#: scrypt at werkzeug's work factor (N=2**15, r=8, p=1): about 0.1 s a hash,
#: the cost of every login. The tests lower it for their own users
#: (tests/conftest.py); tests/services/test_password_hashing.py checks that a
#: real account's password is stored with this one.
HASH_METHOD = "scrypt:32768:8:1"
#: Failed logins allowed per username within the window before logins pause.
MAX_FAILED_LOGINS = 10
FAILED_LOGIN_WINDOW = timedelta(minutes=15)


def hash_password(password: str) -> str:
    """The stored form of ``password``: salted, with HASH_METHOD."""
    return generate_password_hash(password, method=HASH_METHOD)


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the user does not exist (or has no password), so
    that a wrong username takes as long as a wrong password."""
    return generate_password_hash("not-a-real-password", method=method)


_dummy_hash(HASH_METHOD)


def validate_username(username: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise ServiceError(
            f"username {username!r}: 1-64 letters, digits or . _ @ - characters"
        )


@rolls_back
def create_user(
    session: Session,
    username: str,
    password: str | None,
    *,
    is_admin: bool = False,
    demo: bool = False,
) -> User:
    """Create and commit a user; ``password=None`` makes an account that cannot
    log in (used for annotators whose work is imported). ``demo=True`` (the
    seed's demo accounts only, whose passwords are public) skips the password
    strength rule."""
    validate_username(username)
    if password is not None and not demo:
        check_password(password, username)
    existing = find_user(session, username)
    if existing is not None:
        raise _taken(username, existing.username)
    user = User(
        username=username,
        password_hash=hash_password(password) if password else None,
        is_admin=is_admin,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        # Another request created the same name (in some case) in between:
        # the unique index on lower(username) refused this one.
        session.rollback()
        raise _taken(username, None) from None
    return user


def _taken(username: str, existing: str | None) -> ServiceError:
    same = "" if existing in (None, username) else f" (as {existing!r})"
    return ServiceError(
        f"user {username!r} already exists{same}: usernames are unique ignoring case"
    )


def check_password(password: str, username: str) -> None:
    """ServiceError naming what is wrong unless ``password`` is long enough,
    does not contain the username and is hard to guess: zxcvbn (a maintained
    estimator with lists of common passwords, words, names, keyboard patterns
    and dates) must score it MIN_PASSWORD_SCORE or more, with the username as
    a word it knows."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"password: at least {MIN_PASSWORD_LENGTH} characters are required"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ServiceError(
            f"password: at most {MAX_PASSWORD_LENGTH} characters are allowed"
        )
    if len(username) >= 3 and username.lower() in password.lower():
        raise ServiceError("password: it must not contain the username")
    estimate = zxcvbn(password, user_inputs=[username])
    if estimate["score"] < MIN_PASSWORD_SCORE:
        feedback = estimate["feedback"]
        why = feedback["warning"] or "it is too easy to guess"
        hint = " ".join(feedback["suggestions"][:1])
        raise ServiceError(
            f"password: {why.rstrip('.')}; choose a longer or less common one"
            + (f" ({hint.rstrip('.')})" if hint else "")
        )


def end_sessions(user: User) -> None:
    """End every session of ``user`` (in the caller's transaction): each
    session carries the generation it was made in, and only the current one
    is accepted."""
    user.session_generation = (user.session_generation or 0) + 1


def log_out(session: Session, user: User) -> None:
    """Logging out ends every session of the user, on every device (a copied
    cookie included), and commits."""
    end_sessions(user)
    session.commit()


@rolls_back
def set_password(
    session: Session, user: User, password: str, actor: User | None = None
) -> None:
    """Set ``user``'s password (the strength rule of every password), end
    their sessions and commit. Set by a site admin (``actor``, on their own
    account too) it is recorded in the audit log."""
    check_password(password, user.username)
    user.password_hash = hash_password(password)
    end_sessions(user)
    if actor is not None:
        audit.record(
            session,
            actor_id=actor.id,
            project_id=None,
            entity="user",
            entity_id=user.id,
            action="reset-password",
            data={"username": user.username},
        )
    session.commit()


def user_by_id(session: Session, user_id: int) -> User | None:
    """The user with this id: every signed-in request reads it first, so the
    statement is built once (``session.get`` builds its own each time)."""
    return session.execute(_user_by_id(), {"user_id": user_id}).scalar_one_or_none()


@functools.cache
def _user_by_id() -> Select[User]:
    return select(User).where(User.id == bindparam("user_id"))


def find_user(session: Session, username: str) -> User | None:
    """The user whose name is ``username`` ignoring case (names are unique
    ignoring case, so ``Admin`` is ``admin``)."""
    return session.scalar(
        select(User)
        .where(func.lower(User.username) == username.lower())
        # A database from before names were unique ignoring case may hold
        # both `Alice` and `alice`: the exact name wins, then the oldest.
        .order_by((User.username == username).desc(), User.id)
        .limit(1)
    )


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
    stored = (
        user.password_hash if user and user.password_hash else _dummy_hash(HASH_METHOD)
    )
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


def _pause_key(username: str) -> str:
    """Failures count per name ignoring case, as names are matched: ``Admin``
    and ``ADMIN`` are the same guesses at ``admin``."""
    return username[:64].lower()


def _record_failure(session: Session, username: str, address: str | None) -> AuditEvent:
    return audit.record(
        session,
        actor_id=None,
        project_id=None,
        entity="login",
        entity_id=None,
        action="failed",
        data={"username": _pause_key(username), "address": address or ""},
    )


def check_login(
    session: Session,
    username: str,
    password: str,
    address: str | None,
    now: datetime | None = None,
) -> User | None:
    """The user if the password is right, None if wrong; LoginPaused when this
    name has failed MAX_FAILED_LOGINS times from this address in the window
    (before ``now``). Counted per username whether or not the account exists,
    so the pause says nothing about which names are real; per address too, so
    that guessing from one machine cannot lock the owner out from theirs; in
    the database, so every server worker sees the same count.

    Atomic under concurrent attempts: the attempt is first stored (and
    committed) as a failure, then the failures are counted, this one
    included, and only then is the password checked; a right password, or
    a refusal, takes its row back. Of any MAX_FAILED_LOGINS + 1 concurrent
    attempts, the last to store its row counts them all, so no more than the
    limit are ever
    checked (counting first and storing after let 40 parallel guesses check
    17 passwords against a limit of 10). The password is never recorded.
    """
    attempt = _record_failure(session, username, address)
    session.commit()
    moment = now or datetime.now(UTC)
    if _recent_failures(session, _pause_key(username), address or "", moment) > (
        MAX_FAILED_LOGINS
    ):
        # A refused attempt is not a failure: the pause ends a window after
        # the last password actually checked.
        session.delete(attempt)
        session.commit()
        raise LoginPaused(username)
    try:
        user = authenticate(session, username, password)
    except AccountDeactivated:
        user = None
        deactivated = True
    else:
        deactivated = False
    if user is not None or deactivated:
        session.delete(attempt)
        session.commit()
    if deactivated:
        raise AccountDeactivated(DEACTIVATED)
    return user


class LoginPaused(ServiceError):
    """Too many failed logins for this name from this address: wait."""
