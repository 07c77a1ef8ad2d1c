"""The members page: site admins choose from existing accounts, project
admins type a username; removing a member asks first and keeps their work."""

import re

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Membership, Role, Span
from annotator.services import assignments, projects
from annotator.services.accounts import create_user
from annotator.services.documents import import_files
from tests.conftest import PASSWORD, csrf_token, login

#: A CSRF token in a page (hidden inputs and the meta tag).
CSRF_VALUE = re.compile(r'(csrf[-_]token"[^>]*(?:value|content)=")[^"]*')


def _members(project):
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(Membership.user_id).where(Membership.project_id == project.id)
        )
    )


def test_site_admins_choose_from_accounts_not_in_the_project(client, project, users):
    create_user(db.session, "gone", PASSWORD).is_active = False
    db.session.commit()
    login(client, "siteadmin")
    page = client.get(f"/projects/{project.id}/members").get_data(as_text=True)
    assert '<select id="username" name="username"' in page
    assert '<option value="outsider">outsider</option>' in page
    assert '<option value="gone">' not in page  # deactivated accounts are not offered
    # Members are offered only to change their role.
    assert "annotator (now annotator)" in page
    url = f"/projects/{project.id}/members"
    response = client.post(
        url,
        data={
            "username": "outsider",
            "role": "reviewer",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    assert users["outsider"].id in _members(project)


def test_project_admins_type_a_name_and_see_no_list_of_accounts(client, project, users):
    login(client, "padmin")
    url = f"/projects/{project.id}/members"
    page = client.get(url).get_data(as_text=True)
    assert '<select id="username"' not in page
    assert "outsider" not in page
    assert "siteadmin" not in page
    response = client.post(
        url,
        data={
            "username": "nobody",
            "role": "annotator",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 400
    assert "no user named &#39;nobody&#39; that you can add" in response.get_data(
        as_text=True
    )


def test_project_admins_cannot_tell_foreign_accounts_from_unknown_names(
    client, project, other_project, users
):
    """outsider exists but shares no project with padmin: same answer as a
    name that does not exist, and nothing is added."""
    login(client, "padmin")
    url = f"/projects/{project.id}/members"
    answers = []
    for name in ("outsider", "nobody"):
        response = client.post(
            url,
            data={
                "username": name,
                "role": "annotator",
                "csrf_token": csrf_token(client, url),
            },
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        # CSRF tokens carry a timestamp that may tick between the two posts
        page = CSRF_VALUE.sub(r"\1TOKEN", page)
        answers.append(page.replace(name, "NAME"))
    assert answers[0] == answers[1]
    assert projects.membership_of(db.session, project.id, users["outsider"].id) is None


def test_project_admins_add_accounts_they_share_a_project_with(
    client, project, other_project, users
):
    projects.add_member(db.session, other_project, users["padmin"], Role.ADMIN, None)
    login(client, "padmin")
    url = f"/projects/{project.id}/members"
    response = client.post(
        url,
        data={
            "username": "outsider",
            "role": "annotator",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    assert projects.membership_of(db.session, project.id, users["outsider"].id)


def test_removal_asks_first_and_keeps_the_members_work(client, project, users):
    import_files(db.session, project, [("a.txt", b"Moscow denied it.")])
    annotator = users["annotator"]
    document = assignments.next_document(db.session, project, annotator)
    db.session.add(
        Span(
            document_id=document.id,
            annotator_id=annotator.id,
            label_id=project.labels[0].id,
            start=0,
            end=6,
        )
    )
    db.session.commit()
    login(client, "padmin")
    members_page = client.get(f"/projects/{project.id}/members").get_data(as_text=True)
    url = f"/projects/{project.id}/members/{annotator.id}/remove"
    assert f'href="{url}"' in members_page
    confirm = client.get(url)
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert "Remove annotator from Alpha?" in text
    assert "1 unfinished document goes back to the queue" in text
    assert annotator.id in _members(project)
    assert client.post(url).status_code == 400  # no CSRF token
    assert annotator.id in _members(project)
    done = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert done.status_code == 302
    assert annotator.id not in _members(project)
    assert db.session.scalar(select(func.count()).select_from(Span)) == 1


def test_removal_pages_answer_404_for_non_members_and_other_projects(
    client, project, other_project, users
):
    login(client, "padmin")
    outsider = users["outsider"].id
    assert (
        client.get(f"/projects/{project.id}/members/{outsider}/remove").status_code
        == 404
    )
    assert (
        client.get(f"/projects/{project.id}/members/999999/remove").status_code == 404
    )
    assert (
        client.get(
            f"/projects/{other_project.id}/members/{outsider}/remove"
        ).status_code
        == 404
    )
    login(client, "reviewer")
    annotator = users["annotator"].id
    assert (
        client.get(f"/projects/{project.id}/members/{annotator}/remove").status_code
        == 403
    )


def test_the_projects_last_admin_cannot_be_removed_or_demoted(client, project, users):
    padmin = users["padmin"]
    login(client, "padmin")
    url = f"/projects/{project.id}/members/{padmin.id}/remove"
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 400
    removal = response.get_data(as_text=True)
    assert "Nothing changed: padmin is the last admin of Alpha" in removal
    assert "Remove padmin</button>" in removal  # the confirmation, not an error page
    assert padmin.id in _members(project)


LAST_ADMIN = (
    '<span class="error" role="alert">Nothing changed: padmin is the last admin '
    "of Alpha: make someone else its admin first</span>"
)


@pytest.mark.parametrize("who", ["padmin", "siteadmin"])
def test_demoting_the_last_admin_is_an_error_beside_the_role(
    client, project, users, who
):
    """The members page comes back with the form as it was sent and the
    refusal under the role field (not an error page), and nothing changed."""
    padmin = users["padmin"]
    login(client, who)
    members_url = f"/projects/{project.id}/members"
    demoted = client.post(
        members_url,
        data={
            "username": "padmin",
            "role": "annotator",
            "csrf_token": csrf_token(client, members_url),
        },
    )
    assert demoted.status_code == 409
    page = demoted.get_data(as_text=True)
    assert "<h1>Alpha: members</h1>" in page
    role_field = page[page.index('<select id="role"') :]
    role_field = role_field[: role_field.index("</p>")]
    assert '<option selected value="annotator">annotator</option>' in role_field
    assert LAST_ADMIN in role_field
    assert page.count(LAST_ADMIN) == 1
    assert "padmin" in page[page.index('id="username"') :]  # the name stays filled in
    assert padmin.id in _members(project)
    db.session.expire_all()
    assert projects.membership_of(db.session, project.id, padmin.id).role == "admin"
    # The form still works after the refusal: promote someone, then demote.
    again = client.post(
        members_url,
        data={
            "username": "reviewer",
            "role": "admin",
            "csrf_token": csrf_token(client, members_url),
        },
    )
    assert again.status_code == 302
