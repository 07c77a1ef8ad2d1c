"""Account rules: passwords hard to guess, usernames unique ignoring case."""

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import User
from annotator.services import accounts
from annotator.services.errors import ServiceError
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("short1!", "at least 10 characters"),
        ("password", "at least 10 characters"),
        ("aaaaaaaaaa", "choose a longer or less common one"),
        ("qwertyuiop", "common password"),
        ("1234567890", "common password"),
        ("Password123", "common password"),
        ("carol-2026-12", "must not contain the username"),
        ("x" * 257, "at most 256 characters"),
    ],
)
def test_weak_passwords_are_refused_saying_why(app, password, says):
    with pytest.raises(ServiceError, match=says):
        accounts.create_user(db.session, "carol", password)
    assert accounts.find_user(db.session, "carol") is None


def test_a_strong_password_is_taken(app):
    user = accounts.create_user(db.session, "carol", "kettle-orbit-sparrow")
    assert accounts.authenticate(db.session, "carol", "kettle-orbit-sparrow") == user


def test_changing_a_password_follows_the_same_rule(users):
    user = users["annotator"]
    with pytest.raises(ServiceError, match="at least 10"):
        accounts.set_password(db.session, user, "short")
    with pytest.raises(ServiceError, match="must not contain the username"):
        accounts.set_password(db.session, user, "my-annotator-pass")
    assert accounts.authenticate(db.session, "annotator", PASSWORD) == user


def test_usernames_are_unique_ignoring_case(users):
    with pytest.raises(ServiceError, match="already exists \\(as 'siteadmin'\\)"):
        accounts.create_user(db.session, "SiteAdmin", PASSWORD)
    assert accounts.find_user(db.session, "ANNOTATOR") == users["annotator"]
    assert (
        accounts.authenticate(db.session, "Annotator", PASSWORD) == users["annotator"]
    )


def test_failed_logins_pause_the_name_in_every_case(users):
    for number in range(accounts.MAX_FAILED_LOGINS):
        name = "annotator" if number % 2 else "ANNOTATOR"
        assert accounts.check_login(db.session, name, "wrong", "10.0.0.1") is None
    with pytest.raises(accounts.LoginPaused):
        accounts.check_login(db.session, "Annotator", PASSWORD, "10.0.0.1")


def test_an_old_database_with_names_differing_in_case_finds_the_exact_one(users):
    # Such a database stops at migration 0006 until the names are renamed;
    # before that (at 0005, without the index) logins still find the exact one.
    from sqlalchemy import text

    db.session.execute(text("DROP INDEX uq_users_username_lower"))
    db.session.add(User(username="Annotator", password_hash=None))
    db.session.commit()
    try:
        assert accounts.find_user(db.session, "annotator") == users["annotator"]
        assert accounts.find_user(db.session, "Annotator").username == "Annotator"
        assert accounts.find_user(db.session, "ANNOTATOR") == users["annotator"]
    finally:
        db.session.rollback()
        db.session.execute(text("DELETE FROM users WHERE username = 'Annotator'"))
        db.session.execute(
            text(
                "CREATE UNIQUE INDEX uq_users_username_lower ON users (lower(username))"
            )
        )
        db.session.commit()


def test_a_name_taken_in_between_is_refused_by_the_database(users, monkeypatch):
    # Two requests both checked before either stored: the unique index on
    # lower(username) refuses the second, with the same message.
    monkeypatch.setattr(accounts, "find_user", lambda session, name: None)
    with pytest.raises(ServiceError, match="'SITEADMIN' already exists: usernames"):
        accounts.create_user(db.session, "SITEADMIN", PASSWORD)
    names = db.session.scalars(select(User.username)).all()
    assert [name for name in names if name.lower() == "siteadmin"] == ["siteadmin"]
