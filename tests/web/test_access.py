"""Every endpoint refuses anonymous users (but the login page and static files),
and no route lets a user reach a project they are not a member of."""

import pytest

from annotator.extensions import db
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login

PUBLIC = {"auth.login", "static"}


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _url(rule, project_id, document_id):
    values = {}
    for argument in rule.arguments:
        values[argument] = {
            "project_id": project_id,
            "document_id": document_id,
        }.get(argument, 1)
    return rule.build(values)[1]


def _method(rule):
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]


@pytest.fixture
def beta_document(other_project):
    import_files(db.session, other_project, [("b.txt", b"Beta's secret article.")])
    return _first_document_id()


def _first_document_id():
    from sqlalchemy import select

    from annotator.models import Document

    return db.session.scalar(select(Document.id).order_by(Document.id))


def test_every_view_declares_its_access_rule(app):
    missing = [
        rule.endpoint
        for rule in _rules(app)
        if not hasattr(app.view_functions[rule.endpoint], "access")
    ]
    assert missing == []
    public = {
        rule.endpoint
        for rule in _rules(app)
        if app.view_functions[rule.endpoint].access == "public"
    }
    assert public == PUBLIC - {"static"}


def test_anonymous_users_are_sent_to_login_everywhere(app, client, beta_document):
    token = csrf_token(client)
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = _url(rule, 1, beta_document)
        method = _method(rule)
        headers = {} if method == "GET" else {"X-CSRFToken": token}
        response = client.open(url, method=method, headers=headers)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login"), url


def test_anonymous_posts_are_refused_even_with_a_csrf_token(app, client):
    token = csrf_token(client)
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or "POST" not in rule.methods:
            continue
        response = client.post(_url(rule, 1, 1), data={"csrf_token": token})
        assert response.status_code in (302, 401), rule.endpoint


def test_non_members_get_404_on_every_page_of_another_project(
    app, client, project, other_project, beta_document
):
    login(client, "padmin")
    token = csrf_token(client, "/")
    checked = 0
    for rule in _rules(app):
        if "project_id" not in rule.arguments:
            continue
        url = _url(rule, other_project.id, beta_document)
        method = _method(rule)
        headers = {} if method == "GET" else {"X-CSRFToken": token}
        response = client.open(url, method=method, headers=headers)
        assert response.status_code == 404, url
        assert b"Beta's secret" not in response.data
        checked += 1
    assert checked >= 5


def test_annotators_cannot_open_admin_or_reviewer_pages(client, project):
    login(client, "annotator")
    assert client.get(f"/projects/{project.id}").status_code == 200
    for page in ("members", "labels", "import", "documents"):
        assert client.get(f"/projects/{project.id}/{page}").status_code == 403, page


def test_only_site_admins_create_projects(client, users):
    login(client, "padmin")
    assert client.get("/projects/new").status_code == 403


def test_document_ids_are_scoped_to_the_project_in_the_url(
    client, project, other_project, beta_document
):
    login(client, "padmin")
    response = client.get(f"/projects/{project.id}/documents/{beta_document}")
    assert response.status_code == 404
