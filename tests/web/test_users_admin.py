"""The users page: edit the site-admin flag, set a new password, deactivate
and reactivate (with a confirmation step); a deactivated account cannot log
in, loses its open session, gets no new documents and keeps its work."""

import re

from sqlalchemy import func, select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Assignment, Span, User
from annotator.services import account_admin, assignments, submitted
from annotator.services.accounts import authenticate, create_user
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from tests.conftest import PASSWORD, csrf_token, login


def _reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def _confirm(client, user, action):
    path = f"/users/{user.id}/{action}"
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def test_the_users_page_links_each_account_to_its_edit_page(client, users):
    login(client, "siteadmin")
    page = client.get("/users").get_data(as_text=True)
    assert f'href="/users/{users["annotator"].id}"' in page
    edit = client.get(f"/users/{users['annotator'].id}").get_data(as_text=True)
    assert "Reset password" in edit
    assert "Deactivate annotator" in edit


def test_site_admin_flag_is_edited(client, users):
    login(client, "siteadmin")
    path = f"/users/{users['reviewer'].id}"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "is_admin": "y"})
    assert response.status_code == 302
    assert _reload(users["reviewer"]).is_admin
    client.post(path, data={"csrf_token": token})
    assert not _reload(users["reviewer"]).is_admin


def test_a_site_admin_cannot_take_their_own_flag(client, users):
    login(client, "siteadmin")
    path = f"/users/{users['siteadmin'].id}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 400
    assert "your own account" in response.get_data(as_text=True)
    assert _reload(users["siteadmin"]).is_admin


def test_password_reset_follows_the_length_rule(client, users):
    login(client, "siteadmin")
    path = f"/users/{users['annotator'].id}"
    token = csrf_token(client, path)
    short = client.post(
        f"{path}/password", data={"csrf_token": token, "password": "short"}
    )
    assert short.status_code == 400
    assert "8" in short.get_data(as_text=True)
    assert authenticate(db.session, "annotator", PASSWORD) is not None
    done = client.post(
        f"{path}/password", data={"csrf_token": token, "password": "a new secret"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert authenticate(db.session, "annotator", "a new secret") is not None
    assert authenticate(db.session, "annotator", PASSWORD) is None


def test_deactivation_asks_first_and_needs_the_csrf_token(client, users):
    login(client, "siteadmin")
    path = f"/users/{users['annotator'].id}/deactivate"
    page = client.get(path)
    assert page.status_code == 200
    assert "can no longer log in" in page.get_data(as_text=True)
    assert _reload(users["annotator"]).is_active
    assert client.post(path).status_code == 400
    assert _reload(users["annotator"]).is_active
    assert _confirm(client, users["annotator"], "deactivate").status_code == 302
    assert not _reload(users["annotator"]).is_active


def test_deactivated_users_cannot_log_in_and_lose_their_session(app, users):
    theirs, admin = app.test_client(), app.test_client()
    login(theirs, "annotator")
    assert theirs.get("/").status_code == 200
    login(admin, "siteadmin")
    _confirm(admin, users["annotator"], "deactivate")
    assert theirs.get("/").status_code == 302  # back to the login page
    refused = login(theirs, "annotator")
    assert refused.status_code == 403
    assert "deactivated" in refused.get_data(as_text=True)
    # A wrong password says nothing about the account.
    wrong = login(theirs, "annotator", "not the password")
    assert wrong.status_code == 401
    assert "deactivated" not in wrong.get_data(as_text=True)
    _confirm(admin, users["annotator"], "reactivate")
    assert login(theirs, "annotator").status_code == 302


def test_nobody_deactivates_themselves(client, users):
    login(client, "siteadmin")
    response = _confirm(client, users["siteadmin"], "deactivate")
    assert response.status_code == 400
    assert _reload(users["siteadmin"]).is_active


def test_only_site_admins_manage_accounts(client, project, users):
    login(client, "padmin")
    target = users["annotator"].id
    for path in (f"/users/{target}", f"/users/{target}/deactivate"):
        assert client.get(path).status_code == 403
    assert client.get("/users/999999").status_code == 403
    login(client, "siteadmin")
    assert client.get("/users/999999").status_code == 404


def test_deactivated_users_get_no_new_documents_and_keep_their_work(project, users):
    files = [(f"d{i}.txt", f"Document {i}.".encode()) for i in range(2)]
    import_files(db.session, project, files)
    project.annotators_per_document = 1
    db.session.commit()
    annotator = users["annotator"]
    first = assignments.next_document(db.session, project, annotator)
    db.session.add(
        Span(
            document_id=first.id,
            annotator_id=annotator.id,
            label_id=project.labels[0].id,
            start=0,
            end=3,
        )
    )
    db.session.commit()
    account_admin.deactivate_user(db.session, annotator, users["siteadmin"])
    other = create_user(db.session, "stand-in", PASSWORD)
    add_member(db.session, project, other, "annotator", None)
    # The deactivated account's open document goes to someone else...
    assert assignments.next_document(db.session, project, other).id == first.id
    # ...its spans stay, its open assignment is released...
    assert db.session.scalar(select(func.count()).select_from(Span)) == 1
    mine = select(func.count()).select_from(Assignment)
    assert db.session.scalar(mine.where(Assignment.user_id == annotator.id)) == 0
    # ...and once the stand-in submits, the document goes to review.
    db.session.execute(
        Assignment.__table__.update()
        .where(Assignment.user_id == other.id)
        .values(status="submitted")
    )
    db.session.commit()
    assert submitted.is_reviewable(db.session, first)
    # The deactivated account gets nothing new; reactivated, it does.
    assert assignments.next_document(db.session, project, annotator) is None
    account_admin.reactivate_user(db.session, annotator, users["siteadmin"])
    assert assignments.next_document(db.session, project, annotator) is not None


def test_cli_deactivates_and_reactivates(runner, users):
    result = runner.invoke(cli, ["deactivate-user", "annotator"])
    assert result.exit_code == 0, result.output
    assert "deactivated" in result.output
    assert not _reload(users["annotator"]).is_active
    result = runner.invoke(cli, ["reactivate-user", "annotator"])
    assert result.exit_code == 0, result.output
    assert _reload(users["annotator"]).is_active
    missing = runner.invoke(cli, ["deactivate-user", "nobody"])
    assert missing.exit_code != 0
    assert "no user named 'nobody'" in missing.output


def test_the_last_active_site_admin_cannot_be_deactivated(runner, users):
    result = runner.invoke(cli, ["deactivate-user", "siteadmin"])
    assert result.exit_code != 0
    assert "last active site admin" in result.output


def test_a_refused_password_keeps_the_site_admin_box_as_stored(client, users):
    login(client, "siteadmin")
    path = f"/users/{users['siteadmin'].id}"
    refused = client.post(
        f"{path}/password",
        data={"csrf_token": csrf_token(client, path), "password": "short"},
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert re.search(r'<input checked[^>]*id="is_admin"', page)


def test_a_name_differing_only_in_case_is_refused_on_the_form(client, users):
    login(client, "siteadmin")
    response = client.post(
        "/users",
        data={
            "username": "Annotator",
            "password": "lantern-quiet-meadow",
            "csrf_token": csrf_token(client, "/users"),
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "already exists (as &#39;annotator&#39;): usernames are unique" in page
    db.session.expire_all()
    names = db.session.scalars(select(User.username)).all()
    assert [name for name in names if name.lower() == "annotator"] == ["annotator"]
