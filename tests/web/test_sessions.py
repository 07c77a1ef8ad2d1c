"""Sessions that end: logout, a password change and deactivation end every
session of the user, a copied cookie included; an idle session ends."""

import time
from datetime import timedelta

import pytest

from annotator import create_app
from annotator.config import ConfigurationError
from annotator.extensions import db
from annotator.services import account_admin, accounts
from annotator.web import bearer
from tests.conftest import csrf_token, login


def _copy_cookie(app, client):
    """A second client holding the same session cookie (a copied cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(client):
    return client.get("/").status_code == 200


def test_logout_ends_every_session_of_the_user(app, client, users):
    login(client, "annotator")
    other_device = app.test_client()
    login(other_device, "annotator")
    thief = _copy_cookie(app, client)
    assert _signed_in(thief)
    assert _signed_in(other_device)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(client)
    assert not _signed_in(thief)
    assert not _signed_in(other_device)
    fresh = app.test_client()
    login(fresh, "annotator")
    assert _signed_in(fresh)  # a new login works
    assert not _signed_in(thief)  # and does not revive the old cookie


def test_a_password_change_ends_the_sessions(app, client, users):
    login(client, "annotator")
    accounts.set_password(db.session, users["annotator"], "kettle-orbit-sparrow")
    assert not _signed_in(client)


def test_an_admin_reset_or_deactivation_ends_the_sessions(app, client, users):
    login(client, "annotator")
    accounts.set_password(
        db.session, users["annotator"], "kettle-orbit-sparrow", users["siteadmin"]
    )
    assert not _signed_in(client)
    login(client, "reviewer")
    account_admin.deactivate_user(db.session, users["reviewer"], users["siteadmin"])
    assert not _signed_in(client)


def test_other_users_sessions_stay(app, client, users):
    login(client, "annotator")
    other = app.test_client()
    login(other, "reviewer")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert _signed_in(other)


def test_an_idle_session_ends(app, client, users):
    login(client, "annotator")
    assert _signed_in(client)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    time.sleep(2.2)
    assert not _signed_in(client)


def test_the_lifetime_is_configured_with_csrf_tokens_ending_with_it(
    app, tmp_path, monkeypatch
):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=14)
    assert app.config["WTF_CSRF_TIME_LIMIT"] == 14 * 24 * 3600
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ANNOTATOR_SESSION_IDLE_DAYS", "2")
    configured = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert configured.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=2)
    assert configured.config["WTF_CSRF_TIME_LIMIT"] == 2 * 24 * 3600
    monkeypatch.setenv("ANNOTATOR_SESSION_IDLE_DAYS", "0")
    with pytest.raises(ConfigurationError, match="SESSION_IDLE_DAYS"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _sets_session_cookie(response):
    return any(
        value.startswith("session=") for value in response.headers.getlist("Set-Cookie")
    )


def test_an_unchanged_session_cookie_is_renewed_once_a_minute(
    client, users, monkeypatch
):
    """Not signed again on every request (that was 3-4 % of a save's CPU),
    but once the cookie is REFRESH_AFTER_SECONDS old."""
    login(client, "annotator")
    client.get("/")  # the page's CSRF token may be stored in the session first
    assert not _sets_session_cookie(client.get("/"))
    assert _signed_in(client)
    later = time.time() + bearer.REFRESH_AFTER_SECONDS + 1
    monkeypatch.setattr(bearer.time, "time", lambda: later)
    assert _sets_session_cookie(client.get("/"))


def test_activity_keeps_a_session_past_its_idle_lifetime(app, client, users):
    login(client, "annotator")
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=2)
    ends = time.monotonic() + 3.5
    while time.monotonic() < ends:
        assert _signed_in(client)
        time.sleep(0.5)
    # The cookie's timestamp is whole seconds (itsdangerous): idle, the
    # session ends between 2 and 3 s after the last request. 0.5 + 2.7 s
    # clears both ends of that whatever the fraction of a second it was at.
    time.sleep(2.7)
    assert not _signed_in(client)
