"""Annotators' links come along into gold: a decision that makes gold spans
from linked annotator spans links the gold spans too, undo takes exactly
those links back, and links with an end outside gold are listed for the
reviewer."""

import json

import pytest
from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import Assignment, AssignmentStatus, AuditEvent, Document, User
from annotator.services import adjudication, review
from annotator.services.documents import import_files

TEXT = (
    "Moscow says the attack was staged. Kyiv denies it. Minsk calls it a lie. Maybe so."
)
CLAIM, DENIAL, OTHER_DENIAL, HEDGE = (0, 33), (35, 49), (51, 71), (73, 81)
SPANS = {
    "c": (*CLAIM, "claim"),
    "d": (*DENIAL, "denial"),
    "e": (*OTHER_DENIAL, "denial"),
    "h": (*HEDGE, "hedge"),
}


def block(name, span_keys, links=()):
    """One annotator's spans (keys of SPANS) and links (source, target keys)."""
    return {
        "annotator": name,
        "spans": [
            {"id": key, "start": s, "end": e, "label": label}
            for key in span_keys
            for s, e, label in [SPANS[key]]
        ],
        "links": [
            {"source": source, "target": target, "kind": "denies"}
            for source, target in links
        ],
    }


def load(project, external_id, *blocks):
    record = {"id": external_id, "text": TEXT, "annotations": list(blocks)}
    import_files(db.session, project, [("docs.jsonl", json.dumps(record).encode())])
    return db.session.scalar(
        select(Document).where(Document.external_id == external_id)
    )


@pytest.fixture
def reviewer(users):
    return users["reviewer"]


@pytest.fixture
def doc(project):
    """ann links her denial to the claim; bob draws the same spans, no link."""
    return load(
        project,
        "linked",
        block("ann", "cdh", [("d", "c")]),
        block("bob", "cdh"),
    )


def view(project, doc):
    return review.document_review(db.session, project, doc, show_names=True)


def decide(name, project, doc, reviewer, **data):
    data.setdefault("version", view(project, doc)["version"])
    return adjudication.DECISIONS[name](db.session, project, doc, reviewer, data)


def ids_at(project, doc, offsets):
    return [
        s["id"]
        for s in view(project, doc)["spans"]
        if (s["start"], s["end"]) == offsets
    ]


def accept(project, doc, reviewer, offsets):
    return decide(
        "accept", project, doc, reviewer, span_ids=ids_at(project, doc, offsets)
    )


def gold_links(project, doc):
    """Gold links as ((source start, end), (target start, end), kind)."""
    state = view(project, doc)
    where = {g["id"]: (g["start"], g["end"]) for g in state["gold"]}
    return sorted(
        (where[link["source_id"]], where[link["target_id"]], link["kind"])
        for link in state["gold_links"]
    )


def pending(project, doc):
    return [
        (link["annotator"], link["source_in_gold"], link["target_in_gold"])
        for link in view(project, doc)["annotator_links_not_in_gold"]
    ]


def gold_id(project, doc, offsets):
    return next(
        g["id"] for g in view(project, doc)["gold"] if (g["start"], g["end"]) == offsets
    )


def last_audit_data():
    return db.session.scalars(
        select(AuditEvent.data)
        .where(AuditEvent.entity == review.ENTITY)
        .order_by(AuditEvent.id.desc())
    ).first()


def test_accepting_both_ends_carries_the_link(project, doc, reviewer):
    assert pending(project, doc) == [("ann", False, False)]
    accept(project, doc, reviewer, CLAIM)
    result = accept(project, doc, reviewer, DENIAL)
    assert gold_links(project, doc) == [(DENIAL, CLAIM, "denies")]
    assert pending(project, doc) == []
    [link] = view(project, doc)["gold_links"]
    assert result["created_links"] == [link["id"]]
    assert last_audit_data()["created_links"] == [link]


def test_accepting_one_end_carries_nothing_and_lists_the_link(project, doc, reviewer):
    accept(project, doc, reviewer, CLAIM)
    assert gold_links(project, doc) == []
    assert pending(project, doc) == [("ann", False, True)]
    [entry] = view(project, doc)["annotator_links_not_in_gold"]
    spans = {s["id"]: s for s in view(project, doc)["spans"]}
    source, target = spans[entry["source_span_id"]], spans[entry["target_span_id"]]
    assert (source["start"], source["end"], source["label"]) == (*DENIAL, "denial")
    assert (target["start"], target["end"], target["label"]) == (*CLAIM, "claim")
    assert entry["rejected_end"] is False


def test_a_rejected_end_is_flagged(project, doc, reviewer):
    accept(project, doc, reviewer, CLAIM)
    decide("reject", project, doc, reviewer, span_ids=ids_at(project, doc, DENIAL))
    [entry] = view(project, doc)["annotator_links_not_in_gold"]
    assert entry["rejected_end"] is True


def test_the_pending_list_hides_names_unless_shown(project, doc):
    state = review.document_review(db.session, project, doc)
    assert [link["annotator"] for link in state["annotator_links_not_in_gold"]] == ["A"]


def test_accept_all_agreed_carries_links(project, doc, reviewer):
    result = decide("accept-agreed", project, doc, reviewer)
    assert len(result["created"]) == 3
    assert gold_links(project, doc) == [(DENIAL, CLAIM, "denies")]
    assert len(result["created_links"]) == 1


def test_a_link_one_annotator_drew_is_carried_by_the_majority(project, reviewer):
    three = load(
        project,
        "three",
        block("ann", "cd"),
        block("bob", "cd"),
        block("cat", "ce", [("e", "c")]),
    )
    decide("accept-majority", project, three, reviewer)
    assert gold_links(project, three) == []  # cat's denial is not in gold
    assert pending(project, three) == [("cat", False, True)]
    accept(project, three, reviewer, OTHER_DENIAL)
    assert gold_links(project, three) == [(OTHER_DENIAL, CLAIM, "denies")]


def test_majority_carries_the_links_of_accepted_spans(project, reviewer):
    three = load(
        project,
        "majority",
        block("ann", "cd", [("d", "c")]),
        block("bob", "cd", [("d", "c")]),
        block("cat", "c"),
    )
    result = decide("accept-majority", project, three, reviewer)
    assert gold_links(project, three) == [(DENIAL, CLAIM, "denies")]
    assert len(result["created_links"]) == 1  # two annotators, one gold link


def test_a_correction_carries_the_links_of_its_sources(project, doc, reviewer):
    accept(project, doc, reviewer, CLAIM)
    ids = ids_at(project, doc, DENIAL)
    decide("correct", project, doc, reviewer, span_ids=ids, end=46)
    assert gold_links(project, doc) == [((35, 46), CLAIM, "denies")]


def test_a_correction_the_link_rules_forbid_carries_nothing(project, doc, reviewer):
    accept(project, doc, reviewer, CLAIM)
    ids = ids_at(project, doc, DENIAL)
    decide("correct", project, doc, reviewer, span_ids=ids, label="hedge")
    assert gold_links(project, doc) == []  # a hedge cannot deny


def test_undo_removes_the_carried_link_and_keeps_a_hand_made_one(project, reviewer):
    found = load(project, "hand", block("ann", "cde", [("d", "c")]))
    accept(project, found, reviewer, CLAIM)
    accept(project, found, reviewer, OTHER_DENIAL)
    decide(
        "link",
        project,
        found,
        reviewer,
        source=gold_id(project, found, OTHER_DENIAL),
        target=gold_id(project, found, CLAIM),
    )
    accept(project, found, reviewer, DENIAL)
    assert gold_links(project, found) == [
        (DENIAL, CLAIM, "denies"),
        (OTHER_DENIAL, CLAIM, "denies"),
    ]
    decide("undo", project, found, reviewer)
    assert gold_links(project, found) == [(OTHER_DENIAL, CLAIM, "denies")]
    assert pending(project, found) == [("ann", False, True)]
    assert view(project, found)["last_decision"] == "link"


def test_the_later_decision_carries_the_link_once_and_its_undo_removes_it(
    project, reviewer
):
    both = load(
        project,
        "both",
        block("ann", "cd", [("d", "c")]),
        block("bob", "cd", [("d", "c")]),
    )
    first = accept(project, both, reviewer, CLAIM)
    assert first["created_links"] == []
    assert pending(project, both) == [("ann", False, True), ("bob", False, True)]
    second = accept(project, both, reviewer, DENIAL)
    assert len(second["created_links"]) == 1
    assert gold_links(project, both) == [(DENIAL, CLAIM, "denies")]
    decide("undo", project, both, reviewer)
    assert gold_links(project, both) == []
    assert [(g["start"], g["end"]) for g in view(project, both)["gold"]] == [CLAIM]
    decide("undo", project, both, reviewer)
    assert view(project, both)["gold"] == []


def test_a_link_the_reviewer_removed_is_not_carried_back(project, doc, reviewer):
    accept(project, doc, reviewer, CLAIM)
    accept(project, doc, reviewer, DENIAL)
    [link] = view(project, doc)["gold_links"]
    decide("unlink", project, doc, reviewer, link_id=link["id"])
    result = accept(project, doc, reviewer, HEDGE)
    assert result["created_links"] == []
    assert gold_links(project, doc) == []


def test_removing_an_end_removes_the_carried_link_and_undo_restores_it(
    project, doc, reviewer
):
    decide("accept-agreed", project, doc, reviewer)
    links = view(project, doc)["gold_links"]
    decide("remove", project, doc, reviewer, gold_id=gold_id(project, doc, CLAIM))
    assert view(project, doc)["gold_links"] == []
    assert pending(project, doc) == [("ann", True, False)]
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["gold_links"] == links


def test_undo_of_accept_all_agreed_takes_its_links_with_it(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["gold"] == []
    assert view(project, doc)["gold_links"] == []
    decide("accept-agreed", project, doc, reviewer)  # and it carries again
    assert gold_links(project, doc) == [(DENIAL, CLAIM, "denies")]


def test_links_of_unsubmitted_work_are_not_carried(project, reviewer):
    found = load(
        project, "unsubmitted", block("ann", "cd"), block("bob", "cd", [("d", "c")])
    )
    bob = db.session.scalar(select(User.id).where(User.username == "bob"))
    db.session.execute(
        update(Assignment)
        .where(Assignment.document_id == found.id, Assignment.user_id == bob)
        .values(status=AssignmentStatus.SKIPPED)
    )
    db.session.commit()
    assert pending(project, found) == []
    decide("accept-agreed", project, found, reviewer)
    assert gold_links(project, found) == []
