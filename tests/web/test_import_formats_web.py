"""The web import page offers what ``annotator import`` does: a format (or
detection shown before anything is stored), annotator and label maps, offsets;
the preview shows spans per annotator and label, links, offset decisions with
their evidence, warnings and problems, and Confirm stores all or nothing."""

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Document, Span, SpanLink, User
from tests.conftest import csrf_token, login
from tests.web.test_import_preview import _confirm, _staged, _text

DATA = Path(__file__).parents[1] / "data" / "imports"
UPPER = "CLAIM=claim, DENIAL=denial, HEDGE=hedge"


def _count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, project, names, **fields):
    url = f"/projects/{project.id}/import"
    files = [
        (io.BytesIO((DATA / name).read_bytes()), Path(name).name) for name in names
    ]
    data = {"csrf_token": csrf_token(client, url), "files": files, **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_the_page_offers_every_format_detection_offsets_and_maps(client, project):
    login(client, "padmin")
    page = client.get(f"/projects/{project.id}/import").get_data(as_text=True)
    values = re.findall(r'<option[^>]*value="([^"]*)"', page)
    assert values[:7] == [
        "detect",
        "native",
        "doccano",
        "labelstudio",
        "prodigy",
        "brat",
        "conll",
    ]
    assert values[7:] == ["", "codepoints", "utf16", "auto"]
    assert 'name="annotator_map"' in page
    assert 'name="label_map"' in page
    labels = re.search(r"This project's labels: ([^;]*); link kinds: (\w+)", page)
    assert labels is not None
    assert "claim" in labels.group(1).split(", ")
    assert labels.group(2) == "denies"


def test_detection_is_shown_with_the_offset_evidence_then_confirm_stores(
    app, client, project
):
    login(client, "padmin")
    response = _upload(
        client,
        project,
        ["doccano/alice.jsonl", "doccano/bob.jsonl"],
        source_format="detect",
        label_map=UPPER,
        annotator_map="bob=annotator",
    )
    assert response.status_code == 200, _text(response)
    text = _text(response)
    assert "Format doccano" in text
    assert "alice.jsonl: looks like a doccano JSONL export" in text
    assert "Offsets auto (the format's usual)" in text
    # One row per annotator with spans per label; bob is mapped onto a member.
    assert "alice new import identity (cannot log in) 3 2 1 6" in text
    assert "annotator project member 1 1 0 2" in text
    assert "alice.jsonl: 1 UTF-16 code units" in text  # document 1's decision
    assert "1 empty doccano annotation" in text
    assert "Nothing has been stored yet" in text
    assert _count(Document) == 0
    assert db.session.scalar(select(User).where(User.username == "alice")) is None

    assert _confirm(client, project, response.get_data(as_text=True)).status_code == 302
    assert _count(Document) == 2
    assert _count(Span) == 8
    assert _staged(app) == []


def test_links_are_counted_and_stored(client, project):
    login(client, "padmin")
    response = _upload(
        client,
        project,
        ["labelstudio/tasks.json"],
        source_format="labelstudio",
        label_map="Claim=claim, Denial=denial, Hedge=hedge, refutes=denies",
    )
    assert response.status_code == 200, _text(response)
    text = _text(response)
    assert "1 link " in text
    assert "1 cancelled annotation" in text
    _confirm(client, project, response.get_data(as_text=True))
    assert _count(SpanLink) == 1


def test_an_unknown_label_is_a_problem_naming_the_map(app, client, project):
    login(client, "padmin")
    response = _upload(
        client, project, ["doccano/alice.jsonl"], source_format="doccano"
    )
    assert response.status_code == 400
    text = _text(response)
    assert "unknown label 'CLAIM'" in text
    assert "--label-map 'CLAIM=LABEL'" in text
    assert 'name="token"' not in response.get_data(as_text=True)
    assert _staged(app) == []


def test_a_malformed_map_is_refused_on_the_form(client, project):
    login(client, "padmin")
    response = _upload(client, project, ["doccano/alice.jsonl"], label_map="CLAIM")
    assert response.status_code == 400
    assert "Label map 'CLAIM': expected SOURCE=TARGET" in _text(response)
    assert _count(Document) == 0


def test_a_project_admin_cannot_file_spans_under_an_outsider(client, project):
    login(client, "padmin")
    response = _upload(
        client,
        project,
        ["doccano/alice.jsonl"],
        label_map=UPPER,
        annotator_map="alice=outsider",
    )
    assert response.status_code == 400
    assert "'outsider' is an account outside this project" in _text(response)
    assert 'name="token"' not in response.get_data(as_text=True)


def test_file_names_are_shown_as_text(client, project):
    login(client, "padmin")
    url = f"/projects/{project.id}/import"
    name = "<img src=x onerror=alert(1)>.txt"
    data = {
        "csrf_token": csrf_token(client, url),
        "files": [(io.BytesIO(b"A claim."), name)],
    }
    response = client.post(url, data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page


def test_detection_refuses_files_of_different_formats(client, project):
    login(client, "padmin")
    response = _upload(
        client, project, ["doccano/alice.jsonl", "labelstudio/tasks.json"]
    )
    assert response.status_code == 400
    assert "the files look like different formats" in _text(response)
    assert _count(Document) == 0


def test_the_upload_needs_an_admin_and_csrf(client, project):
    login(client, "annotator")
    assert client.get(f"/projects/{project.id}/import").status_code == 403
    login(client, "padmin")
    url = f"/projects/{project.id}/import"
    data = {"files": [(io.BytesIO(b"A claim."), "a.txt")]}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert _count(Document) == 0
