"""Span edges inside a character as a reader sees it (a grapheme cluster: an
emoji sequence, a letter and its combining accent, CRLF) are refused with 400
naming the edge, by the annotation API and by the review API's boundary
edits, and nothing is stored."""

import json

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Document, GoldSpan, Span
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login
from tests.web.conftest import TEXT, Api, span_count

THUMB = TEXT.index("👍")  # 👍🏽: two code points
FAMILY = TEXT.index("👨")  # 👨‍👩‍👧: five
CRLF = TEXT.index("\r\n")
ACCENT = TEXT.index("e\u0301")
MOSCOW = TEXT.index("Moscow")


@pytest.mark.parametrize(
    ("start", "end", "field", "cluster"),
    [
        (THUMB + 1, MOSCOW, "start", (THUMB, THUMB + 2)),
        (0, FAMILY + 3, "end", (FAMILY, FAMILY + 5)),
        (MOSCOW, CRLF + 1, "end", (CRLF, CRLF + 2)),
        (CRLF + 1, CRLF + 8, "start", (CRLF, CRLF + 2)),
        (ACCENT - 5, ACCENT + 1, "end", (ACCENT, ACCENT + 2)),
    ],
)
def test_an_edge_inside_a_character_is_400_naming_it(
    client, project, document, start, end, field, cluster
):
    api = Api(client, project, document)
    response = api.add(start, end)
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field
    first, last = cluster
    offset = start if field == "start" else end
    assert body["error"] == (
        f"{field}: {offset} is inside a character: code points {first} to "
        f"{last} are one character as a reader sees it; use {first} or {last}"
    )
    assert span_count() == 0


def test_edges_around_whole_characters_are_stored(client, project, document):
    api = Api(client, project, document)
    for start, end in [(THUMB, THUMB + 2), (FAMILY, FAMILY + 5), (CRLF, CRLF + 2)]:
        assert api.add(start, end).status_code == 201
    assert api.add(ACCENT, ACCENT + 2, "hedge").status_code == 201
    assert span_count() == 4


def test_moving_an_edge_inside_a_character_is_refused_and_changes_nothing(
    client, project, document
):
    api = Api(client, project, document)
    created = api.add(MOSCOW, MOSCOW + 6).get_json()["span"]
    moved = api.send(
        "PATCH",
        f"/spans/{created['id']}",
        {"version": api.version(), "start": FAMILY + 1},
    )
    assert moved.status_code == 400
    assert moved.get_json()["field"] == "start"
    db.session.expire_all()
    stored = db.session.scalar(select(Span))
    assert (stored.start, stored.end) == (MOSCOW, MOSCOW + 6)


# --- the review API: the gold layer's boundary edits --------------------------

GOLD_TEXT = "Café\u0301 owners 👨\u200d👩\u200d👧 said no.\r\nOthers agreed."
SAID = GOLD_TEXT.index("said")


@pytest.fixture
def reviewed(project):
    spans = [{"start": SAID, "end": SAID + 7, "label": "denial"}]
    record = {
        "id": "g1",
        "text": GOLD_TEXT,
        "annotations": [
            {"annotator": "ann", "spans": spans},
            {"annotator": "bob", "spans": spans},
        ],
    }
    import_files(db.session, project, [("g.jsonl", json.dumps(record).encode())])
    return db.session.scalar(select(Document.id))


def decide(client, project, document_id, name, body):
    login(client, "reviewer")
    return client.post(
        f"/api/projects/{project.id}/review/documents/{document_id}/{name}",
        json={"version": 0, **body},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )


def gold_count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(GoldSpan))


def test_a_gold_span_added_inside_a_character_is_400(client, project, reviewed):
    family = GOLD_TEXT.index("👨")
    response = decide(
        client,
        project,
        reviewed,
        "add",
        {"start": family + 2, "end": SAID + 4, "label": "claim"},
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "start"
    assert f"code points {family} to {family + 5}" in response.get_json()["error"]
    assert gold_count() == 0


def test_a_correction_to_an_end_inside_crlf_is_400(client, project, reviewed):
    ids = list(db.session.scalars(select(Span.id).order_by(Span.id)))
    crlf = GOLD_TEXT.index("\r\n")
    response = decide(
        client, project, reviewed, "correct", {"span_ids": ids, "end": crlf + 1}
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "end"
    assert gold_count() == 0
    corrected = decide(
        client, project, reviewed, "correct", {"span_ids": ids, "end": crlf + 2}
    )
    assert corrected.status_code == 200
    assert gold_count() == 1
