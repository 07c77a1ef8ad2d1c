"""Requests with ``Authorization: Bearer <token>``: the token's user, with
their roles and nothing more, no CSRF token and no session cookie; a bad
token is 401, never the session or anonymous. And the account page where
users make and revoke their tokens."""

import re

import pytest
from sqlalchemy import select, text

from annotator.extensions import db
from annotator.models import ApiToken, Span
from annotator.services import account_admin, accounts, tokens
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login
from tests.web.conftest import TEXT
from tests.web.test_access import _first_document_id, _method, _rules, _url


def _token(user, name="script"):
    plain, _ = tokens.create_token(db.session, user, name)
    return plain


def _works(plain):
    """Whether ``plain`` is a token now: a new transaction of the test's own
    session, which sees what the requests committed."""
    db.session.rollback()
    return tokens.authenticate(db.session, plain) is not None


def _bearer(plain):
    return {"Authorization": f"Bearer {plain}"}


def _annotation_url(project, document):
    return f"/api/projects/{project.id}/documents/{document.id}/annotation"


def _spans_url(project, document):
    return f"/api/projects/{project.id}/documents/{document.id}/spans"


def test_a_token_reads_and_writes_annotations_without_csrf(
    client, users, project, document
):
    headers = _bearer(_token(users["annotator"]))
    answer = client.get(_annotation_url(project, document), headers=headers)
    assert answer.status_code == 200
    version = answer.get_json()["version"]
    start = TEXT.index("Moscow")
    created = client.post(
        _spans_url(project, document),
        json={"version": version, "start": start, "end": start + 6, "label": "claim"},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    span = db.session.scalar(select(Span))
    assert (span.start, span.end, span.annotator_id) == (
        start,
        start + 6,
        users["annotator"].id,
    )


def test_a_token_request_sets_no_session_cookie(client, users, project, document):
    headers = _bearer(_token(users["annotator"]))
    answer = client.get(_annotation_url(project, document), headers=headers)
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert client.get_cookie("session") is None
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Authorization" in answer.headers["Vary"]
    # and the next request without the token is anonymous
    assert client.get(_annotation_url(project, document)).status_code == 401


def test_a_session_post_without_csrf_is_still_refused(client, users, project, document):
    login(client, "annotator")
    version = client.get(_annotation_url(project, document)).get_json()["version"]
    answer = client.post(
        _spans_url(project, document),
        json={"version": version, "start": 0, "end": 2, "label": "claim"},
    )
    assert answer.status_code == 400
    assert "security token" in answer.get_json()["error"]


@pytest.mark.parametrize(
    "sent",
    ["fa_" + "x" * 43, "nonsense", "", "fa_short"],
)
def test_a_bad_token_is_401_with_a_challenge(client, users, project, document, sent):
    answer = client.get(
        _annotation_url(project, document), headers={"Authorization": f"Bearer {sent}"}
    )
    assert answer.status_code == 401
    assert answer.get_json()["error"].startswith("This API token is not valid")
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Set-Cookie" not in answer.headers


def test_a_bad_token_does_not_fall_back_to_the_session(
    client, users, project, document
):
    login(client, "annotator")
    assert client.get(_annotation_url(project, document)).status_code == 200
    wrong = {"Authorization": "Bearer fa_" + "x" * 43}
    assert (
        client.get(_annotation_url(project, document), headers=wrong).status_code == 401
    )
    # on a page too, and a POST answers 401 before any CSRF check
    assert client.get(f"/projects/{project.id}", headers=wrong).status_code == 401
    assert client.post(_spans_url(project, document), headers=wrong).status_code == 401


def test_a_valid_token_ignores_the_session_cookie_of_another_user(
    client, users, project, document
):
    login(client, "outsider")
    headers = _bearer(_token(users["annotator"]))
    answer = client.get(_annotation_url(project, document), headers=headers)
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers  # the login's cookie is untouched
    assert client.get(_annotation_url(project, document)).status_code == 404


def test_a_revoked_token_is_401(client, users, project, document):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    tokens.revoke_token(db.session, users["annotator"], row.id)
    answer = client.get(_annotation_url(project, document), headers=_bearer(plain))
    assert answer.status_code == 401


def test_a_deactivated_users_token_is_401(client, users, project, document):
    plain = _token(users["annotator"])
    account_admin.deactivate_user(db.session, users["annotator"], users["siteadmin"])
    answer = client.get(_annotation_url(project, document), headers=_bearer(plain))
    assert answer.status_code == 401


def test_a_token_outlives_a_password_change(client, users, project, document):
    """Tokens are independent of sessions (documented in docs/security.md)."""
    plain = _token(users["annotator"])
    accounts.set_password(db.session, users["annotator"], "kettle-orbit-sparrow")
    answer = client.get(_annotation_url(project, document), headers=_bearer(plain))
    assert answer.status_code == 200


def test_a_token_has_its_users_roles_and_nothing_more(client, users, project):
    headers = _bearer(_token(users["annotator"]))
    assert client.get(f"/projects/{project.id}", headers=headers).status_code == 200
    for page in ("members", "labels", "import", "documents"):
        url = f"/projects/{project.id}/{page}"
        assert client.get(url, headers=headers).status_code == 403, page
    assert client.get("/users", headers=headers).status_code == 403
    assert client.get("/projects/new", headers=headers).status_code == 403


def test_a_non_members_token_gets_404_on_the_project(client, users, project, document):
    headers = _bearer(_token(users["outsider"]))
    assert client.get(f"/projects/{project.id}", headers=headers).status_code == 404
    answer = client.get(_annotation_url(project, document), headers=headers)
    assert answer.status_code == 404
    assert TEXT not in answer.get_data(as_text=True)


def test_a_site_admins_token_reaches_admin_pages(client, users):
    headers = _bearer(_token(users["siteadmin"]))
    assert client.get("/users", headers=headers).status_code == 200


def test_other_authorization_schemes_are_left_alone(client, users, project):
    """A proxy in front may use Basic authentication: not ours to judge."""
    login(client, "annotator")
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}
    assert client.get(f"/projects/{project.id}", headers=basic).status_code == 200


def test_anonymous_json_answers_name_the_bearer_scheme(client, project, document):
    answer = client.get(_annotation_url(project, document))
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="annotator"'


# The account page


def _new_token_on(page):
    match = re.search(r'id="new-token" type="text" value="(fa_[^"]+)"', page)
    return match.group(1) if match else None


def test_a_user_makes_a_token_on_the_account_page_and_sees_it_once(
    client, users, project, document
):
    login(client, "annotator")
    answer = client.post(
        "/account/tokens",
        data={"name": "my <script>", "csrf_token": csrf_token(client, "/account")},
    )
    assert answer.status_code == 201
    page = answer.get_data(as_text=True)
    plain = _new_token_on(page)
    assert plain
    assert "shown only this once" in page
    assert "my &lt;script&gt;" in page
    assert "<script>" not in page
    assert answer.headers["Cache-Control"] == "no-store"
    assert plain not in client.get("/account").get_data(as_text=True)
    assert plain[:9] in client.get("/account").get_data(as_text=True)
    fresh = client.application.test_client()
    headers = _bearer(plain)
    assert (
        fresh.get(_annotation_url(project, document), headers=headers).status_code
        == 200
    )


def test_the_account_forms_need_a_csrf_token(client, users):
    login(client, "annotator")
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 400
    assert _works(plain)
    assert db.session.scalar(select(ApiToken.name).where(ApiToken.id != row.id)) is None


def test_an_empty_name_is_refused_saying_so(client, users):
    login(client, "annotator")
    answer = client.post(
        "/account/tokens",
        data={"name": "   ", "csrf_token": csrf_token(client, "/account")},
    )
    assert answer.status_code == 400
    assert "give the token a name" in answer.get_data(as_text=True)


def test_a_user_revokes_their_token_on_the_account_page(client, users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    login(client, "annotator")
    page = client.get("/account").get_data(as_text=True)
    assert "laptop" in page
    assert plain[:9] in page
    answer = client.post(
        f"/account/tokens/{row.id}/revoke",
        data={"csrf_token": csrf_token(client, "/account")},
        follow_redirects=True,
    )
    assert "Token revoked." in answer.get_data(as_text=True)
    assert not _works(plain)


def test_users_cannot_revoke_each_others_tokens(client, users):
    plain, row = tokens.create_token(db.session, users["reviewer"], "laptop")
    login(client, "annotator")
    answer = client.post(
        f"/account/tokens/{row.id}/revoke",
        data={"csrf_token": csrf_token(client, "/account")},
    )
    assert answer.status_code == 404
    assert _works(plain)
    assert "laptop" not in client.get("/account").get_data(as_text=True)


def test_a_token_cannot_make_or_revoke_tokens(client, users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    headers = _bearer(plain)
    assert client.get("/account", headers=headers).status_code == 403
    made = client.post("/account/tokens", data={"name": "next"}, headers=headers)
    assert made.status_code == 403
    revoked = client.post(f"/account/tokens/{row.id}/revoke", headers=headers)
    assert revoked.status_code == 403
    assert db.session.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
    assert _works(plain)


def test_the_header_links_to_the_account_page(client, users):
    login(client, "annotator")
    assert 'href="/account"' in client.get("/").get_data(as_text=True)


# Over the whole URL map, as tests/web/test_access.py does for sessions


def test_a_project_members_token_gets_404_on_every_route_of_another_project(
    app, client, users, project, other_project
):
    import_files(db.session, other_project, [("b.txt", b"Beta's secret article.")])
    beta_document = _first_document_id()
    headers = _bearer(_token(users["padmin"]))
    checked = 0
    for rule in _rules(app):
        if "project_id" not in rule.arguments:
            continue
        url = _url(rule, other_project.id, beta_document)
        response = client.open(url, method=_method(rule), headers=headers)
        assert response.status_code == 404, url
        assert b"Beta's secret" not in response.data
        checked += 1
    assert checked >= 5


def test_a_bad_token_is_401_on_every_route(app, client, users, project):
    """The login page included: a bad token is never quietly anonymous."""
    wrong = {"Authorization": "Bearer fa_" + "x" * 43}
    for rule in _rules(app):
        url = _url(rule, project.id, 1)
        response = client.open(url, method=_method(rule), headers=wrong)
        assert response.status_code == 401, (rule.endpoint, url)
        assert "Set-Cookie" not in response.headers, url


# Site admins see and revoke anyone's tokens on the user's page


def test_a_site_admin_revokes_a_users_token(client, users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop <b>")
    annotator_id = users["annotator"].id
    login(client, "siteadmin")
    page = client.get(f"/users/{annotator_id}").get_data(as_text=True)
    assert "laptop &lt;b&gt;" in page
    assert plain[:9] in page
    assert plain not in page
    answer = client.post(
        f"/users/{annotator_id}/tokens/{row.id}/revoke",
        data={"csrf_token": csrf_token(client, f"/users/{annotator_id}")},
        follow_redirects=True,
    )
    assert "Token revoked for annotator." in answer.get_data(as_text=True)
    assert not _works(plain)


def test_the_admin_revoke_needs_csrf_the_right_user_and_a_session(client, users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    reviewer_id, annotator_id = users["reviewer"].id, users["annotator"].id
    admin_token = _token(users["siteadmin"])
    login(client, "siteadmin")
    url = f"/users/{annotator_id}/tokens/{row.id}/revoke"
    assert client.post(url).status_code == 400
    token = csrf_token(client, f"/users/{annotator_id}")
    wrong_user = f"/users/{reviewer_id}/tokens/{row.id}/revoke"
    assert client.post(wrong_user, data={"csrf_token": token}).status_code == 404
    other = client.application.test_client()
    assert other.post(url, headers=_bearer(admin_token)).status_code == 403
    assert _works(plain)


def test_only_site_admins_revoke_others_tokens(client, users):
    plain, row = tokens.create_token(db.session, users["annotator"], "laptop")
    login(client, "padmin")
    url = f"/users/{users['annotator'].id}/tokens/{row.id}/revoke"
    token = csrf_token(client, "/account")
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert _works(plain)
