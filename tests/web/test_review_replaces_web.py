"""``correct`` with ``replaces`` over the JSON API: 400 naming ``replaces``
for anything but a gold span id of this document, one decision undone and
redone as one, links carried to the new span."""

import json

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services.documents import import_files
from tests.conftest import login
from tests.web.test_review_web import SPANS, api, record, reviewer_posts


@pytest.fixture
def docs(project):
    """Two documents alike, d1 and d2 (their ids)."""
    data = "\n".join(json.dumps(record(x, SPANS)) for x in ("d1", "d2")).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    return [
        db.session.scalar(select(Document.id).where(Document.external_id == x))
        for x in ("d1", "d2")
    ]


def state_of(client, project, doc):
    return client.get(api(project.id, doc)).get_json()


def take(client, project, doc, group, annotator="A"):
    state = state_of(client, project, doc)
    ids = state["groups"][group]["span_ids"][annotator]
    response = reviewer_posts(client, project.id, doc, "accept", span_ids=ids)
    assert response.status_code == 200
    return response.get_json()["created"][0]


@pytest.fixture
def hedge(client, project, docs):
    """ann's hedge 51-56 of d1 accepted into gold, the reviewer logged in."""
    login(client, "reviewer")
    take(client, project, docs[0], 2)
    return state_of(client, project, docs[0])["gold"][0]


@pytest.mark.parametrize("replaces", [999999, "x", 1.5, None, True, [1], -3])
def test_replaces_that_is_no_gold_span_id_is_400_naming_it(
    client, project, docs, hedge, replaces
):
    response = reviewer_posts(
        client, project.id, docs[0], "correct", replaces=replaces, label="claim"
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    if replaces is None:  # no replacement: the spans to correct are missing
        assert response.get_json()["field"] == "span_ids"
    else:
        assert response.get_json()["field"] == "replaces"
    assert state_of(client, project, docs[0])["gold"] == [hedge]


def test_another_document_s_gold_span_is_400(client, project, docs, hedge):
    theirs = take(client, project, docs[1], 0)
    response = reviewer_posts(
        client, project.id, docs[0], "correct", replaces=theirs, label="hedge"
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == "replaces"
    assert [g["label"] for g in state_of(client, project, docs[1])["gold"]] == ["claim"]


def test_a_relabel_is_one_decision_undone_and_redone_as_one(
    client, project, docs, hedge
):
    doc = docs[0]
    response = reviewer_posts(
        client, project.id, doc, "correct", replaces=hedge["id"], label="claim"
    )
    answer = response.get_json()
    assert response.status_code == 200
    assert answer["deleted"] == [hedge["id"]]
    state = state_of(client, project, doc)
    [now] = state["gold"]
    assert (now["label"], now["decision"], now["sources"]) == (
        "claim",
        "corrected",
        ["A"],
    )
    assert [h["action"] for h in state["history"]] == ["correct", "accept"]
    undone = reviewer_posts(client, project.id, doc, "undo").get_json()
    assert undone["undone"] == "correct"
    assert state_of(client, project, doc)["gold"] == [hedge]
    redone = reviewer_posts(client, project.id, doc, "redo").get_json()
    assert redone["redone"] == "correct"
    [again] = state_of(client, project, doc)["gold"]
    assert (again["start"], again["end"], again["label"]) == (51, 56, "claim")


def test_links_are_carried_to_the_new_span(client, project, docs):
    doc = docs[0]
    login(client, "reviewer")
    claim = take(client, project, doc, 0)
    denial = take(client, project, doc, 1)
    reviewer_posts(client, project.id, doc, "link", source=denial, target=claim)
    response = reviewer_posts(
        client, project.id, doc, "correct", replaces=denial, start=35, end=46
    )
    assert response.status_code == 200
    [new_denial] = response.get_json()["created"]
    assert len(response.get_json()["created_links"]) == 1
    [link] = state_of(client, project, doc)["gold_links"]
    assert (link["source_id"], link["target_id"]) == (new_denial, claim)
    reviewer_posts(client, project.id, doc, "undo")
    [back] = state_of(client, project, doc)["gold_links"]
    assert (back["source_id"], back["target_id"]) == (denial, claim)


def test_a_broken_history_row_is_a_409_naming_it_never_a_500(
    client, project, docs, hedge
):
    from annotator.models import AuditEvent
    from annotator.services import review

    doc = docs[0]
    good = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity == "adjudication")
    )
    broken = AuditEvent(
        actor_id=None,
        project_id=project.id,
        entity=review.ENTITY,
        entity_id=good.entity_id,
        action="accept",
        data={**good.data, "deleted": [{"id": 1, "start": 5, "end": 2}]},
    )
    db.session.add(broken)
    db.session.commit()
    state = client.get(api(project.id, doc))
    assert state.status_code == 409
    assert state.get_json()["malformed"] == {
        "row": broken.id,
        "field": "deleted[0].end",
    }
    assert f"review history row {broken.id}" in state.get_json()["error"]
    undo = reviewer_posts_at(client, project.id, doc, "undo", version=1)
    assert undo.status_code == 409
    assert undo.get_json()["malformed"]["row"] == broken.id
    page = client.get(f"/projects/{project.id}/review/documents/{doc}")
    assert page.status_code == 409
    assert f"review history row {broken.id}" in page.get_data(as_text=True)
    assert len(review.gold_spans(db.session, db.session.get(Document, doc))) == 1


def reviewer_posts_at(client, project_id, doc, name, **body):
    from tests.conftest import csrf_token

    return client.post(
        api(project_id, doc, name),
        json=body,
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )
