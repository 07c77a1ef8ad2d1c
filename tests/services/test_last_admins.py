"""A project keeps an admin and the site keeps an active site admin, even
under two concurrent requests: the check is part of the write (rows locked,
count in the statement's own condition), never a count read earlier."""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.extensions import db
from annotator.models import AuditEvent, Membership, Role, User
from annotator.services import account_admin, accounts, projects
from annotator.services.errors import ServiceError
from tests.conftest import PASSWORD


def _role(project, user):
    db.session.expire_all()
    return db.session.scalar(
        select(Membership.role).where(
            Membership.project_id == project.id, Membership.user_id == user.id
        )
    )


def test_a_projects_last_admin_cannot_be_removed_or_demoted(project, users):
    padmin, actor = users["padmin"], users["siteadmin"]
    with pytest.raises(ServiceError, match="padmin is the last admin of Alpha"):
        projects.remove_member(db.session, project, padmin, actor)
    with pytest.raises(ServiceError, match="padmin is the last admin of Alpha"):
        projects.add_member(db.session, project, padmin, "reviewer", actor)
    assert _role(project, padmin) == Role.ADMIN
    projects.add_member(db.session, project, users["reviewer"], "admin", actor)
    projects.add_member(db.session, project, padmin, "annotator", actor)
    assert _role(project, padmin) == Role.ANNOTATOR
    projects.remove_member(db.session, project, padmin, actor)
    assert _role(project, padmin) is None


def test_the_last_site_admin_keeps_the_flag(users):
    siteadmin = users["siteadmin"]
    with pytest.raises(ServiceError, match="last active site admin"):
        account_admin.set_site_admin(db.session, siteadmin, False, actor=None)
    db.session.expire_all()
    assert db.session.get(User, siteadmin.id).is_admin


def test_the_check_reads_the_database_not_what_the_caller_loaded(app, users):
    # Two admins, each loaded in its own session before either changes.
    account_admin.set_site_admin(db.session, users["padmin"], True, actor=None)
    first, second = Session(db.engine), Session(db.engine)
    try:
        one = first.get(User, users["siteadmin"].id)
        two = second.get(User, users["padmin"].id)
        assert [one.is_active, one.is_admin, two.is_active, two.is_admin] == [True] * 4
        assert account_admin.deactivate_user(first, one, actor=None)
        with pytest.raises(ServiceError, match="padmin is the last active site"):
            account_admin.deactivate_user(second, two, actor=None)
        assert second.get(User, two.id).is_active
    finally:
        first.close()
        second.close()


def test_two_concurrent_deactivations_leave_one_site_admin(app, users, monkeypatch):
    """The first request is held after its check, inside its transaction;
    the second waits for it and then counts what it left."""
    account_admin.set_site_admin(db.session, users["padmin"], True, actor=None)
    checked, go = threading.Event(), threading.Event()
    real_end_sessions = account_admin.end_sessions

    def held(user):
        if threading.current_thread().name == "first":
            checked.set()
            assert go.wait(20)
        real_end_sessions(user)

    monkeypatch.setattr(account_admin, "end_sessions", held)
    outcome, engine = {}, db.engine

    def deactivate(name):
        with Session(engine) as session:
            user = session.scalar(select(User).where(User.username == name))
            try:
                outcome[name] = account_admin.deactivate_user(session, user, None)
            except ServiceError as error:
                outcome[name] = str(error)

    first = threading.Thread(target=deactivate, args=("siteadmin",), name="first")
    second = threading.Thread(target=deactivate, args=("padmin",), name="second")
    first.start()
    assert checked.wait(20)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first's transaction
    go.set()
    first.join(20)
    second.join(20)
    assert outcome["siteadmin"] is True
    assert "padmin is the last active site admin" in outcome["padmin"]
    db.session.expire_all()
    active = db.session.scalars(
        select(User.username).where(User.is_admin, User.is_active)
    ).all()
    assert active == ["padmin"]


def test_an_admin_setting_a_password_is_recorded(users):
    user, admin = users["annotator"], users["siteadmin"]
    accounts.set_password(db.session, user, "kettle-orbit-sparrow", admin)
    assert accounts.authenticate(db.session, "annotator", "kettle-orbit-sparrow")
    assert accounts.authenticate(db.session, "annotator", PASSWORD) is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "user")
    ).all()
    assert actions == ["reset-password"]


def test_an_admin_setting_their_own_password_on_the_users_page_is_recorded(users):
    admin = users["siteadmin"]
    accounts.set_password(db.session, admin, "kettle-orbit-sparrow", admin)
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity == "user", AuditEvent.entity_id == admin.id
        )
    ).all()
    assert actions == ["reset-password"]
