import html
import io
import json
import re

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Document, Membership, Project, Role
from annotator.services import projects as project_service
from tests.conftest import CSRF_PATTERN, csrf_token, login


def test_site_admin_creates_a_project_with_the_four_labels(client, users):
    login(client, "siteadmin")
    token = csrf_token(client, "/projects/new")
    response = client.post(
        "/projects/new",
        data={
            "name": "Gamma",
            "description": "News from 2022",
            "guideline": "Tag what the text says.",
            "annotators_per_document": "3",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for name in ("Claim", "Denial", "Hedge", "False-flag warning"):
        assert name in page
    assert "Tag what the text says." in page
    project = db.session.scalar(select(Project).where(Project.name == "Gamma"))
    assert project.annotators_per_document == 3


def test_duplicate_project_name_is_refused_with_a_message(client, project):
    login(client, "siteadmin")
    token = csrf_token(client, "/projects/new")
    response = client.post(
        "/projects/new",
        data={"name": "Alpha", "annotators_per_document": "2", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "project &#39;Alpha&#39; already exists" in response.get_data(as_text=True)


def test_project_admin_adds_a_member_with_a_role(client, project, other_project, users):
    # padmin may add accounts that share a project with them (see
    # tests/web/test_members_admin.py for the rest).
    project_service.add_member(
        db.session, other_project, users["padmin"], Role.ADMIN, None
    )
    login(client, "padmin")
    url = f"/projects/{project.id}/members"
    token = csrf_token(client, url)
    response = client.post(
        url, data={"username": "outsider", "role": "reviewer", "csrf_token": token}
    )
    assert response.status_code == 302
    roles = dict(
        db.session.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.project_id == project.id
            )
        ).all()
    )
    assert roles[users["outsider"].id] == "reviewer"


def _label_rows(project, extra=()):
    rows = [
        (label.name, label.display_name, label.color, label.hotkey, label.underline)
        for label in project.labels
    ]
    return [*rows, *extra]


def _label_form(token, rows, removed=()):
    data = {"csrf_token": token}
    for index, (name, display, color, hotkey, underline) in enumerate(rows):
        prefix = f"rows-{index}-"
        data.update(
            {
                prefix + "name": name,
                prefix + "display_name": display,
                prefix + "color": color,
                prefix + "hotkey": hotkey,
                prefix + "underline": underline,
            }
        )
        if index in removed:
            data[prefix + "remove"] = "y"
    return data


def test_project_admin_edits_labels(client, project):
    login(client, "padmin")
    url = f"/projects/{project.id}/labels"
    page = client.get(url).get_data(as_text=True)
    assert 'aria-label="Colour of label 1"' in page
    assert 'value="false_flag_warning"' in page
    token = csrf_token(client, url)
    rows = _label_rows(
        project, [("rumour", "Rumour, unverified", "#555555", "r", "dashed")]
    )
    rows[0] = ("claim", "Claim", "#111111", "1", "double")
    response = client.post(url, data=_label_form(token, rows))
    assert response.status_code == 302
    db.session.expire_all()
    stored = {label.name: label for label in project.labels}
    assert [label.name for label in project.labels][-1] == "rumour"
    assert stored["rumour"].display_name == "Rumour, unverified"  # commas are fine
    assert (stored["claim"].color, stored["claim"].underline) == ("#111111", "double")
    assert stored["hedge"].underline == "dotted"  # untouched rows keep their style


def test_label_form_errors_name_the_label(client, project):
    login(client, "padmin")
    url = f"/projects/{project.id}/labels"
    token = csrf_token(client, url)
    rows = _label_rows(project)
    rows[1] = ("denial", "Denial", "red", "2", "double")
    bad = client.post(url, data=_label_form(token, rows))
    assert bad.status_code == 400
    message = html.unescape(bad.get_data(as_text=True))
    assert "label 2 ('denial'): color 'red': expected #rrggbb" in message
    twice = _label_rows(project)
    twice[1] = ("denial", "Denial", "#222222", "1", "double")
    page = client.post(url, data=_label_form(token, twice)).get_data(as_text=True)
    assert "hotkey '1' is used twice" in html.unescape(page)
    db.session.expire_all()
    assert [label.color for label in project.labels][1] != "red"


def test_labels_in_use_cannot_be_removed_but_unused_ones_can(client, project):
    from annotator.services.documents import import_files

    span = {"start": 7, "end": 13, "label": "denial"}
    line = json.dumps(
        {
            "text": "Moscow denied it.",
            "annotations": [{"annotator": "a1", "spans": [span]}],
        }
    )
    import_files(db.session, project, [("a.jsonl", line.encode())])
    login(client, "padmin")
    url = f"/projects/{project.id}/labels"
    token = csrf_token(client, url)
    rows = _label_rows(project)
    refused = client.post(url, data=_label_form(token, rows, removed={1}))
    assert refused.status_code == 400
    assert "used by 1 spans and cannot be removed" in refused.get_data(as_text=True)
    removed = client.post(url, data=_label_form(token, rows, removed={3}))
    assert removed.status_code == 302
    db.session.expire_all()
    assert [label.name for label in project.labels] == ["claim", "denial", "hedge"]


def _upload(client, project, files, **extra):
    url = f"/projects/{project.id}/import"
    data = {"csrf_token": csrf_token(client, url), **extra}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(url, data=data, content_type="multipart/form-data")


TOKEN_FIELD = re.compile(r'name="token"[^>]*value="([^"]+)"')


def _import(client, project, files, **extra):
    """Upload, then confirm the preview: what a user does to import."""
    preview = _upload(client, project, files, **extra)
    if preview.status_code != 200:
        return preview
    page = preview.get_data(as_text=True)
    token = TOKEN_FIELD.search(page).group(1)
    csrf = CSRF_PATTERN.search(page).group(1)
    return client.post(
        f"/projects/{project.id}/import/confirm",
        data={"token": token, "csrf_token": csrf},
    )


def test_upload_imports_documents(client, project):
    login(client, "padmin")
    response = _import(
        client,
        project,
        [("a.txt", "Moscow denied it 👍🏽.".encode()), ("b.csv", b"text\nOther\n")],
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Document)) == 2


def test_upload_with_bad_file_stores_nothing_and_names_the_problem(client, project):
    login(client, "padmin")
    response = _upload(
        client,
        project,
        [("good.txt", b"Fine."), ("bad.jsonl", b'{"text": "x"}\n{oops}\n')],
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "nothing can be imported until they are fixed" in page
    assert "bad.jsonl line 2" in page
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_upload_over_the_limit_gets_413(client, project, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    login(client, "padmin")
    response = _upload(client, project, [("big.txt", b"x" * 5000)])
    assert response.status_code == 413


def test_document_text_is_rendered_as_text(client, project):
    login(client, "padmin")
    _import(client, project, [("x.txt", b"<script>alert(1)</script> {{ 7*7 }}")])
    document_id = db.session.scalar(select(Document.id))
    page = client.get(f"/projects/{project.id}/documents/{document_id}")
    html = page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html


def test_site_admin_creates_users_in_the_browser(client, users):
    login(client, "siteadmin")
    token = csrf_token(client, "/users")
    response = client.post(
        "/users",
        data={
            "username": "newbie",
            "password": "lantern-quiet-meadow",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    from annotator.services.accounts import authenticate

    assert authenticate(db.session, "newbie", "lantern-quiet-meadow") is not None
    short = client.post(
        "/users", data={"username": "x", "password": "short", "csrf_token": token}
    )
    assert short.status_code == 400


def test_project_admins_who_are_not_site_admins_cannot_manage_users(client, project):
    login(client, "padmin")
    assert client.get("/users").status_code == 403


def _annotated_line(annotator, doc_id="d1"):
    span = {"start": 0, "end": 6, "label": "claim"}
    record = {
        "id": doc_id,
        "text": "Moscow denied it.",
        "annotations": [{"annotator": annotator, "spans": [span]}],
    }
    return json.dumps(record).encode()


@pytest.mark.parametrize("outsider", ["siteadmin", "outsider"])
def test_project_admins_cannot_file_spans_under_outside_accounts(
    client, project, other_project, outsider
):
    login(client, "padmin")
    response = _upload(client, project, [("a.jsonl", _annotated_line(outsider))])
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert 'a.jsonl line 1, field "annotations[0].annotator"' in page
    assert f"{outsider!r} is an account outside this project" in page
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    members = db.session.scalars(
        select(Membership.user_id).where(Membership.project_id == project.id)
    ).all()
    from annotator.services.accounts import find_user

    assert find_user(db.session, outsider).id not in members


def test_imported_names_and_members_are_fine(client, project):
    login(client, "padmin")
    lines = b"\n".join(
        [_annotated_line("annotator", "d1"), _annotated_line("new-sample", "d2")]
    )
    assert _import(client, project, [("a.jsonl", lines)]).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Document)) == 2


def test_a_label_row_with_a_missing_field_is_an_error_not_a_crash(client, project):
    login(client, "padmin")
    url = f"/projects/{project.id}/labels"
    token = csrf_token(client, url)
    data = {
        "csrf_token": token,
        "rows-0-name": "claim",
        "rows-0-color": "#111111",
        "rows-0-underline": "solid",
    }
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "hotkey" in html.unescape(response.get_data(as_text=True))
