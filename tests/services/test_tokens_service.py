"""Personal API tokens: shown once, stored as a hash, revoked by their owner
(or a site admin), refused once revoked or when the account is deactivated."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from annotator.extensions import db
from annotator.models import ApiToken, AuditEvent
from annotator.services import account_admin, accounts, tokens
from annotator.services.errors import NotFoundError, ServiceError


def test_a_new_token_finds_its_user_and_only_its_hash_is_stored(users):
    plain, _ = tokens.create_token(db.session, users["annotator"], "nightly export")
    assert plain.startswith("fa_")
    assert len(plain) == 46
    assert tokens.authenticate(db.session, plain) == users["annotator"]
    stored = db.session.execute(
        text("SELECT name, prefix, token_hash FROM api_tokens")
    ).all()
    assert stored == [
        ("nightly export", plain[:9], hashlib.sha256(plain.encode()).hexdigest())
    ]
    every_value = " ".join(
        str(value)
        for record in db.session.execute(text("SELECT * FROM api_tokens"))
        for value in record
    )
    assert plain not in every_value
    assert plain[9:] not in every_value


def test_two_tokens_differ(users):
    first, _ = tokens.create_token(db.session, users["annotator"], "a")
    second, _ = tokens.create_token(db.session, users["annotator"], "a")
    assert first != second


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "give the token a name"),
        ("  ", "give the token a name"),
        ("x" * 101, "at most 100"),
        ("tab\u0007bell", "printable"),
    ],
)
def test_a_token_needs_a_sensible_name(users, name, says):
    with pytest.raises(ServiceError, match=says):
        tokens.create_token(db.session, users["annotator"], name)
    assert db.session.scalars(select(ApiToken)).all() == []


@pytest.mark.parametrize(
    "guess",
    ["", "fa_", "not a token", "fa_" + "A" * 43, "Bearer fa_x", "fa_" + "é" * 43],
)
def test_anything_but_a_token_finds_nobody(users, guess):
    tokens.create_token(db.session, users["annotator"], "real")
    assert tokens.authenticate(db.session, guess) is None


def test_a_revoked_token_finds_nobody(users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    assert tokens.revoke_token(db.session, users["annotator"], row.id) is True
    assert tokens.authenticate(db.session, plain) is None
    assert tokens.revoke_token(db.session, users["annotator"], row.id) is False
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "api_token")
    ).all()
    assert sorted(actions) == ["created", "revoked"]


def test_users_revoke_only_their_own_tokens_but_site_admins_any(users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    with pytest.raises(NotFoundError):
        tokens.revoke_token(db.session, users["reviewer"], row.id)
    with pytest.raises(NotFoundError):
        tokens.revoke_token(db.session, users["reviewer"], row.id + 100)
    assert tokens.authenticate(db.session, plain) == users["annotator"]
    assert tokens.revoke_token(db.session, users["siteadmin"], row.id) is True
    assert tokens.authenticate(db.session, plain) is None


def test_a_deactivated_users_token_stops_working_until_reactivated(users):
    plain, _ = tokens.create_token(db.session, users["annotator"], "laptop")
    account_admin.deactivate_user(db.session, users["annotator"], users["siteadmin"])
    assert tokens.authenticate(db.session, plain) is None
    account_admin.reactivate_user(db.session, users["annotator"], users["siteadmin"])
    assert tokens.authenticate(db.session, plain) == users["annotator"]


def test_tokens_outlive_a_password_change_and_logout(users):
    """Tokens are independent of sessions: revoke them to end them."""
    plain, _ = tokens.create_token(db.session, users["annotator"], "laptop")
    accounts.set_password(db.session, users["annotator"], "kettle-orbit-sparrow")
    accounts.log_out(db.session, users["annotator"])
    assert tokens.authenticate(db.session, plain) == users["annotator"]


def _last_used(row_id):
    db.session.expire_all()
    used = db.session.get(ApiToken, row_id).last_used_at
    return used.replace(tzinfo=UTC) if used.tzinfo is None else used


def test_last_use_is_noted_at_most_once_a_minute(users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    assert row.last_used_at is None
    start = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    tokens.authenticate(db.session, plain, now=start)
    assert _last_used(row.id) == start
    tokens.authenticate(db.session, plain, now=start + timedelta(seconds=59))
    assert _last_used(row.id) == start
    later = start + timedelta(seconds=61)
    tokens.authenticate(db.session, plain, now=later)
    assert _last_used(row.id) == later


def test_list_shows_tokens_in_use_first_and_only_the_users_own(users):
    tokens.create_token(db.session, users["annotator"], "old")
    tokens.create_token(db.session, users["annotator"], "new")
    _, revoked = tokens.create_token(db.session, users["annotator"], "gone")
    tokens.create_token(db.session, users["reviewer"], "someone else's")
    tokens.revoke_token(db.session, users["annotator"], revoked.id)
    names = [row.name for row in tokens.list_tokens(db.session, users["annotator"])]
    assert names == ["new", "old", "gone"]


def test_deleting_a_user_deletes_their_tokens(users):
    tokens.create_token(db.session, users["annotator"], "laptop")
    db.session.delete(users["annotator"])
    db.session.commit()
    assert db.session.scalars(select(ApiToken)).all() == []
