"""Importing is two steps: the upload shows what would be stored (documents,
spans per annotator, problems) and stores nothing; confirming stores it."""

import html
import io
import json
import os
import re
import time

from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Document, Span, User
from annotator.services import import_staging
from annotator.services.importing import ImportOptions
from tests.conftest import CSRF_PATTERN, csrf_token, login

TOKEN_FIELD = re.compile(r'name="token"[^>]*value="([^"]+)"')


def _line(doc_id, annotators):
    return json.dumps(
        {
            "id": doc_id,
            "text": "Moscow denied it 👍🏽.",
            "annotations": [
                {
                    "annotator": name,
                    "spans": [{"start": 0, "end": 6, "label": "claim"}] * count,
                }
                for name, count in annotators
            ],
        }
    ).encode()


def _count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _preview(client, project, files):
    url = f"/projects/{project.id}/import"
    data = {
        "csrf_token": csrf_token(client, url),
        "files": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def _confirm(client, project, page, **extra):
    data = {
        "token": TOKEN_FIELD.search(page).group(1),
        "csrf_token": CSRF_PATTERN.search(page).group(1),
        **extra,
    }
    return client.post(f"/projects/{project.id}/import/confirm", data=data)


def _text(response):
    """The page as a reader sees it: tags dropped, white space collapsed."""
    page = html.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _staged(app):
    folder = app.instance_path + "/import-staging"
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


GOOD = [
    ("a.jsonl", _line("d1", [("ann-a", 2), ("ann-b", 1)]) + b"\n" + _line("d2", [])),
    ("b.txt", "Another article 中文.".encode()),
]


def test_the_preview_counts_documents_and_spans_and_stores_nothing(
    app, client, project
):
    login(client, "padmin")
    response = _preview(client, project, GOOD)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = _text(response)
    assert "3 new documents" in text
    assert "3 spans" in text
    assert "ann-a new import identity (cannot log in) 2 2" in text
    assert "ann-b new import identity (cannot log in) 1 1" in text
    assert "Format This project's own" in text
    assert "Nothing has been stored yet" in text
    assert _count(Document) == 0
    assert _count(Span) == 0
    assert db.session.scalar(select(User).where(User.username == "ann-a")) is None
    assert len(_staged(app)) == 1

    stored = _confirm(client, project, page)
    assert stored.status_code == 302
    assert _count(Document) == 3
    assert _count(Span) == 3
    assert _staged(app) == []  # staged files go once confirmed
    # The same preview cannot be confirmed twice.
    again = _confirm(client, project, page)
    assert again.status_code == 400
    assert "expired" in again.get_data(as_text=True)
    assert _count(Document) == 3


def test_problems_are_listed_by_file_and_line_and_nothing_can_be_confirmed(
    app, client, project
):
    login(client, "padmin")
    bad = [
        ("good.txt", b"Fine."),
        ("bad.jsonl", _line("d1", []) + b"\n{oops}\n"),
        ("worse.jsonl", _line("d9", [("x", 1)]).replace(b'"claim"', b'"nope"')),
    ]
    response = _preview(client, project, bad)
    assert response.status_code == 400
    page = _text(response)
    assert "2 problems" in page
    assert "bad.jsonl line 2" in page
    assert "worse.jsonl line 1" in page
    assert 'name="token"' not in page
    assert _staged(app) == []
    assert _count(Document) == 0


def test_cancel_drops_the_staged_files(app, client, project):
    login(client, "padmin")
    page = _preview(client, project, GOOD).get_data(as_text=True)
    response = _confirm(client, project, page, cancel="Cancel")
    assert response.status_code == 302
    assert _staged(app) == []
    assert _count(Document) == 0


def test_a_preview_is_confirmed_only_by_its_uploader_in_its_project(
    app, client, project, users, other_project
):
    login(client, "padmin")
    page = _preview(client, project, GOOD).get_data(as_text=True)
    token = TOKEN_FIELD.search(page).group(1)
    other = app.test_client()
    login(other, "siteadmin")
    url = f"/projects/{project.id}/import/confirm"
    stolen = other.post(
        url, data={"token": token, "csrf_token": csrf_token(other, "/")}
    )
    assert stolen.status_code == 400
    elsewhere = other.post(
        f"/projects/{other_project.id}/import/confirm",
        data={"token": token, "csrf_token": csrf_token(other, "/")},
    )
    assert elsewhere.status_code == 400
    cancelled = other.post(
        url,
        data={"token": token, "cancel": "Cancel", "csrf_token": csrf_token(other, "/")},
    )
    assert cancelled.status_code == 302
    assert _staged(app) != []  # another admin's Cancel leaves the upload be
    for forged in ("../../secret_key", "x" * 32, "a\x00b"):
        refused = client.post(
            url, data={"token": forged, "csrf_token": csrf_token(client, "/")}
        )
        assert refused.status_code == 400, forged
    assert _count(Document) == 0
    assert _confirm(client, project, page).status_code == 302


def test_confirming_needs_the_csrf_token(client, project):
    login(client, "padmin")
    page = _preview(client, project, GOOD).get_data(as_text=True)
    token = TOKEN_FIELD.search(page).group(1)
    response = client.post(
        f"/projects/{project.id}/import/confirm", data={"token": token}
    )
    assert response.status_code == 400
    assert _count(Document) == 0


def test_old_staged_uploads_are_removed(tmp_path):
    options = ImportOptions("doccano", "utf16", {"a": "b"}, {"X": "claim"})
    token = import_staging.stage(
        tmp_path, [("a.txt", b"x")], project_id=1, user_id=1, options=options
    )
    loaded = import_staging.load(tmp_path, token, project_id=1, user_id=1)
    assert loaded.files == [("a.txt", b"x")]
    assert loaded.options == options
    import_staging.remove_expired(tmp_path, time.time() + import_staging.MAX_AGE + 1)
    assert list(tmp_path.iterdir()) == []


def test_files_already_stored_offer_nothing_to_confirm(app, client, project):
    login(client, "padmin")
    page = _preview(client, project, GOOD).get_data(as_text=True)
    assert _confirm(client, project, page).status_code == 302
    again = _preview(client, project, GOOD)
    assert again.status_code == 200
    text = _text(again)
    assert "0 new documents" in text
    assert "3 already stored (skipped)" in text
    assert "Nothing new to import" in text
    assert 'name="token"' not in again.get_data(as_text=True)
    assert _staged(app) == []
