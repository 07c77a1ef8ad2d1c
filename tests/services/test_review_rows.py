"""The review's audit rows go through one codec (annotator.core.changes):
what the decisions, undo and redo write is the current shape of
tests/data/review_rows.json, and a stored row that does not decode is a
clear refusal naming the row and field, never a crash."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.core.changes import MalformedRow, decode, encode
from annotator.extensions import db
from annotator.models import AuditEvent
from annotator.services import review
from tests.services.test_review_service import (
    SPANS,
    TEXT,
    adjudicate,
    annotated,
    decide,
    document,
    import_records,
    span_ids,
    view,
)

ROWS = json.loads(
    (Path(__file__).parents[1] / "data" / "review_rows.json").read_text("utf-8")
)["rows"]


@pytest.fixture
def doc(project):
    import_records(project, annotated("d1", TEXT, SPANS))
    return document("d1")


@pytest.fixture
def reviewer(users):
    return users["reviewer"]


def shape(value):
    """The keys of a row's data, nested (values left out)."""
    if isinstance(value, dict):
        return {key: shape(found) for key, found in value.items()}
    if isinstance(value, list):
        return [shape(found) for found in value[:1]]
    return None


def rows_written():
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == review.ENTITY)
            .order_by(AuditEvent.id)
        )
    )


def every_decision(project, doc, reviewer):
    claim = span_ids(project, doc, "ann", 0, 33)
    denial = span_ids(project, doc, "ann", 35, 49)
    decide("accept", project, doc, reviewer, span_ids=claim)
    decide("accept", project, doc, reviewer, span_ids=denial)
    gold = {g["label"]: g["id"] for g in view(project, doc)["gold"]}
    decide("link", project, doc, reviewer, source=gold["denial"], target=gold["claim"])
    decide("correct", project, doc, reviewer, replaces=gold["denial"], end=46)
    decide(
        "reject", project, doc, reviewer, span_ids=span_ids(project, doc, "bob", 51, 56)
    )
    decide("add", project, doc, reviewer, start=57, end=59, label="hedge")
    decide("remove", project, doc, reviewer, gold_id=gold["claim"])
    decide("undo", project, doc, reviewer)
    decide("redo", project, doc, reviewer)
    decide("undo", project, doc, reviewer)
    link = view(project, doc)["gold_links"][0]["id"]
    decide("unlink", project, doc, reviewer, link_id=link)
    adjudicate(project, doc, reviewer)
    decide("reopen", project, doc, reviewer)


def test_what_the_decisions_write_is_the_current_shape_of_the_fixture(
    project, doc, reviewer
):
    every_decision(project, doc, reviewer)
    written = rows_written()
    assert {row.action for row in written} >= {
        "accept", "link", "correct", "reject", "add", "remove", "undo", "redo",
        "unlink", "adjudicate", "reopen",
    }  # fmt: skip
    stored = {}
    for row in ROWS:
        if row["exact"]:
            stored.setdefault(row["action"], []).append(shape(row["data"]))
    for row in written:
        assert encode(decode(row.data)) == row.data, row.action
        assert any(_covers(found, shape(row.data)) for found in stored[row.action]), (
            row.action
        )


OPTIONAL = {"was"}  # only on spans and links that came back under a new id


def _covers(fixture, written):
    """``written`` has the fixture's keys (lists may be empty in either)."""
    if isinstance(fixture, dict) and isinstance(written, dict):
        return fixture.keys() - OPTIONAL == written.keys() - OPTIONAL and all(
            _covers(fixture[k], written[k]) for k in fixture.keys() & written.keys()
        )
    if isinstance(fixture, list) and isinstance(written, list):
        return not fixture or not written or _covers(fixture[0], written[0])
    return fixture == written


def plant(doc, data, action="accept"):
    adjudication = review.adjudication_of(db.session, doc)
    event = AuditEvent(
        actor_id=None,
        project_id=doc.project_id,
        entity=review.ENTITY,
        entity_id=adjudication.id,
        action=action,
        data=data,
    )
    db.session.add(event)
    db.session.commit()
    return event.id


def test_a_broken_row_is_refused_naming_the_row_and_field(project, doc, reviewer):
    decide(
        "accept", project, doc, reviewer, span_ids=span_ids(project, doc, "ann", 0, 33)
    )
    good = rows_written()[0].data
    broken = {**good, "created": [{**good["created"][0], "start": "zero"}]}
    row_id = plant(doc, broken)
    with pytest.raises(MalformedRow) as error:
        view(project, doc)
    assert (error.value.row_id, error.value.field) == (row_id, "created[0].start")
    assert f"review history row {row_id}" in str(error.value)
    with pytest.raises(MalformedRow):
        decide("undo", project, doc, reviewer, version=1)
    assert len(review.gold_spans(db.session, doc)) == 1  # nothing changed
