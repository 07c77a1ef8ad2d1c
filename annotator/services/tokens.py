"""Personal API tokens: make one (shown once), list, revoke, and find the
user a token belongs to.

A token is ``fa_`` and 43 URL-safe characters (32 random bytes from
``secrets``). Only its SHA-256 is stored: a copy of the database gives no
working token. Tokens are independent of sessions and of the password: a
logout or a password change leaves them working (revoke them on the account
page); a deactivated account's tokens stop working while it is deactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from annotator.models import ApiToken, User
from annotator.services import audit
from annotator.services.errors import NotFoundError, ServiceError

TOKEN_PREFIX = "fa_"  # noqa: S105 (marks our tokens; not a secret)
#: ``fa_`` and the token's first six characters, shown to tell tokens apart.
DISPLAY_LENGTH = len(TOKEN_PREFIX) + 6
MAX_NAME_LENGTH = 100
#: ``last_used_at`` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_TOKEN_PATTERN = re.compile(r"fa_[A-Za-z0-9_-]{43}")


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ServiceError("name: give the token a name (what it is for)")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ServiceError(f"name: at most {MAX_NAME_LENGTH} characters")
    if not cleaned.isprintable():
        raise ServiceError("name: only printable characters")
    return cleaned


def create_token(session: Session, user: User, name: str) -> tuple[str, ApiToken]:
    """Make and commit a token for ``user``; the plain token is returned here
    and never again (the database keeps its hash only)."""
    cleaned = _clean_name(name)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=cleaned,
        prefix=plain[:DISPLAY_LENGTH],
        token_hash=_digest(plain),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        project_id=None,
        entity="api_token",
        entity_id=row.id,
        action="created",
        data={"name": cleaned, "prefix": row.prefix},
    )
    session.commit()
    return plain, row


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens: those in use first, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, actor: User, token_id: int) -> bool:
    """Revoke a token of ``actor``'s own (a site admin: anyone's) and commit;
    False if it was revoked already. NotFoundError for anybody else's, as for
    an id that does not exist."""
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != actor.id and not actor.is_admin):
        raise NotFoundError(f"no API token {token_id} of yours")
    if row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(UTC)
    audit.record(
        session,
        actor_id=actor.id,
        project_id=None,
        entity="api_token",
        entity_id=row.id,
        action="revoked",
        data={"name": row.name, "prefix": row.prefix, "user_id": row.user_id},
    )
    session.commit()
    return True


def authenticate(
    session: Session, plain: str, now: datetime | None = None
) -> User | None:
    """The user ``plain`` is a token of, or None if it is no token, revoked,
    or its user is deactivated. Looked up by hash, so the time taken says
    nothing about how much of a guess was right; notes the use (at most once
    a minute) and commits it."""
    if not _TOKEN_PATTERN.fullmatch(plain):
        return None
    digest = _digest(plain)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None or not row.user.is_active:
        return None
    _note_use(session, row, now or datetime.now(UTC))
    return row.user


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back stored UTC times without a zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _note_use(session: Session, row: ApiToken, now: datetime) -> None:
    used = _aware(row.last_used_at)
    if used is not None and now - used < LAST_USED_RESOLUTION:
        return  # noted less than a minute ago: no write on this request
    # A conditional UPDATE: of concurrent requests in the same minute, at
    # most one changes the row.
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == row.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
