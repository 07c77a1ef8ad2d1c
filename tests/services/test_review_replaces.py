"""A correction that replaces a gold span (``replaces``) is one decision:
one audit row, undone and redone as one, the links carried to the new span;
and which groups count as decided (a hedge nested in a claim taken into gold
stays undecided until the reviewer acts on it)."""

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import GoldSpan
from annotator.services import review
from tests.services.test_review_service import (
    SPANS,
    TEXT,
    adjudicate,
    annotated,
    audit_actions,
    decide,
    document,
    gold,
    import_records,
    span_ids,
    view,
)


@pytest.fixture
def doc(project):
    import_records(project, annotated("d1", TEXT, SPANS))
    return document("d1")


@pytest.fixture
def reviewer(users):
    return users["reviewer"]


def gold_of(project, doc, label):
    return next(g for g in view(project, doc)["gold"] if g["label"] == label)


@pytest.fixture
def hedge(project, doc, reviewer):
    """ann's hedge 51-56 accepted into gold."""
    decide(
        "accept", project, doc, reviewer, span_ids=span_ids(project, doc, "ann", 51, 56)
    )
    return gold_of(project, doc, "hedge")


def test_a_relabel_replaces_the_gold_span_in_one_decision(
    project, doc, reviewer, hedge
):
    result = decide(
        "correct", project, doc, reviewer, replaces=hedge["id"], label="claim"
    )
    assert gold(project, doc) == [(51, 56, "claim", "corrected", ["A"])]
    [now] = view(project, doc)["gold"]
    assert now["source_span_ids"] == hedge["source_span_ids"]
    assert result["deleted"] == [hedge["id"]]
    assert result["created"] == [now["id"]]
    assert audit_actions() == ["accept", "correct"]
    assert view(project, doc)["history"][0]["summary"] == (
        "gold + claim 51\u201356; gold \u2212 hedge 51\u201356"
    )


def test_undo_and_redo_take_a_replacement_back_and_again_as_one(
    project, doc, reviewer, hedge
):
    decide("correct", project, doc, reviewer, replaces=hedge["id"], start=51, end=60)
    corrected = view(project, doc)["gold"]
    assert [(g["start"], g["end"], g["label"]) for g in corrected] == [
        (51, 60, "hedge")
    ]
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["gold"] == [hedge]  # same id, provenance, decider
    decide("redo", project, doc, reviewer)
    again = view(project, doc)["gold"]
    assert [(g["start"], g["end"], g["source_span_ids"]) for g in again] == [
        (51, 60, hedge["source_span_ids"])
    ]
    decide("undo", project, doc, reviewer)
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["gold"] == []
    assert audit_actions() == ["accept", "correct", "undo", "redo", "undo", "undo"]


def test_a_replacement_with_chosen_spans_keeps_both_provenances(
    project, doc, reviewer, hedge
):
    bob = span_ids(project, doc, "bob", 51, 56)
    decide(
        "correct", project, doc, reviewer, replaces=hedge["id"], span_ids=bob, end=58
    )
    [now] = view(project, doc)["gold"]
    assert (now["start"], now["end"], now["label"]) == (51, 58, "hedge")
    assert now["sources"] == ["A", "B"]
    assert now["source_span_ids"] == hedge["source_span_ids"] + bob


def test_the_replaced_span_s_links_move_to_the_new_one(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    decide(
        "accept", project, doc, reviewer, span_ids=span_ids(project, doc, "ann", 35, 49)
    )
    claim, denial = gold_of(project, doc, "claim"), gold_of(project, doc, "denial")
    decide("link", project, doc, reviewer, source=denial["id"], target=claim["id"])
    before = view(project, doc)["gold_links"]
    decide("correct", project, doc, reviewer, replaces=denial["id"], end=46)
    new_denial = gold_of(project, doc, "denial")
    [moved] = view(project, doc)["gold_links"]
    assert (moved["source_id"], moved["target_id"], moved["kind"]) == (
        new_denial["id"],
        claim["id"],
        "denies",
    )
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["gold_links"] == before
    decide("redo", project, doc, reviewer)
    [again] = view(project, doc)["gold_links"]
    assert (again["target_id"], again["kind"]) == (claim["id"], "denies")


def test_a_link_the_new_label_does_not_allow_is_removed_with_the_old_span(
    project, doc, reviewer
):
    decide("accept-agreed", project, doc, reviewer)
    decide(
        "accept", project, doc, reviewer, span_ids=span_ids(project, doc, "ann", 35, 49)
    )
    claim, denial = gold_of(project, doc, "claim"), gold_of(project, doc, "denial")
    decide("link", project, doc, reviewer, source=denial["id"], target=claim["id"])
    decide("correct", project, doc, reviewer, replaces=claim["id"], label="hedge")
    assert view(project, doc)["gold_links"] == []
    assert "1 link removed" in view(project, doc)["history"][0]["summary"]
    decide("undo", project, doc, reviewer)
    assert len(view(project, doc)["gold_links"]) == 1


@pytest.mark.parametrize("replaces", [99999, "1", True, -1, 2**40])
def test_replaces_must_name_a_gold_span_of_the_document(
    project, doc, reviewer, hedge, replaces
):
    with pytest.raises(review.InvalidDecision) as error:
        decide("correct", project, doc, reviewer, replaces=replaces, label="claim")
    assert error.value.field == "replaces"
    assert view(project, doc)["gold"] == [hedge]
    assert audit_actions() == ["accept"]


def test_replaces_refuses_another_document_s_gold_span(project, doc, reviewer):
    import_records(project, annotated("d2", TEXT, SPANS))
    other = document("d2")
    decide("accept-agreed", project, other, reviewer)
    theirs = view(project, other)["gold"][0]["id"]
    with pytest.raises(review.InvalidDecision) as error:
        decide("correct", project, doc, reviewer, replaces=theirs, label="hedge")
    assert error.value.field == "replaces"
    assert db.session.scalar(select(func.count(GoldSpan.id))) == 1


def test_a_replacement_that_changes_nothing_is_refused(project, doc, reviewer, hedge):
    with pytest.raises(review.InvalidDecision, match="as it is") as error:
        decide("correct", project, doc, reviewer, replaces=hedge["id"], label="hedge")
    assert error.value.field == "span"
    decide("correct", project, doc, reviewer, replaces=hedge["id"], note="unsure")
    assert view(project, doc)["gold"][0]["note"] == "unsure"


def test_a_replacement_onto_another_gold_span_s_place_is_refused(
    project, doc, reviewer, hedge
):
    decide("add", project, doc, reviewer, start=51, end=56, label="claim")
    with pytest.raises(review.InvalidDecision, match="already in the gold layer"):
        decide("correct", project, doc, reviewer, replaces=hedge["id"], label="claim")
    assert len(view(project, doc)["gold"]) == 2


def test_without_replaces_correct_still_needs_spans(project, doc, reviewer):
    with pytest.raises(review.InvalidDecision) as error:
        decide("correct", project, doc, reviewer, label="claim")
    assert error.value.field == "span_ids"


# ------------------------------------------------------------------ decided


NESTED = "The minister said the vote was probably rigged by the opposition."
# claim 0-65 (both annotators); ann also drew a hedge 30-38 "probably" inside.
NESTED_SPANS = {
    "ann": [(0, 65, "claim"), (30, 38, "hedge")],
    "bob": [(0, 65, "claim")],
}


def test_a_hedge_nested_in_a_taken_claim_stays_undecided(project, reviewer):
    import_records(project, annotated("nested", NESTED, NESTED_SPANS))
    nested = document("nested")
    decide(
        "accept",
        project,
        nested,
        reviewer,
        span_ids=span_ids(project, nested, "ann", 0, 65),
    )
    state = view(project, nested)
    assert [(g["start"], g["end"], g["decided"]) for g in state["groups"]] == [
        (0, 65, True),
        (30, 38, False),
    ]
    assert state["undecided"] == 1
    with pytest.raises(review.UndecidedGroups) as refused:
        decide("adjudicate", project, nested, reviewer)
    assert refused.value.undecided == 1
    decide(
        "reject",
        project,
        nested,
        reviewer,
        span_ids=span_ids(project, nested, "ann", 30, 38),
    )
    assert view(project, nested)["undecided"] == 0
    decide("adjudicate", project, nested, reviewer)
    report = review.annotator_quality(db.session, project)
    assert report.undecided == ()


def test_a_span_added_by_hand_decides_overlapping_groups_of_its_label(
    project, doc, reviewer
):
    decide("add", project, doc, reviewer, start=35, end=47, label="denial")
    decide("add", project, doc, reviewer, start=51, end=56, label="false_flag_warning")
    decided = [g["decided"] for g in view(project, doc)["groups"]]
    assert decided == [False, True, False]
    adjudicate(project, doc, reviewer)
    assert view(project, doc)["status"] == "adjudicated"


# ------------------------------------------------------------------ decide


def test_decide_by_name_refuses_a_document_still_being_annotated(
    project, doc, reviewer
):
    from sqlalchemy import update

    from annotator.models import Assignment, AssignmentStatus
    from annotator.services import adjudication
    from annotator.services.errors import NotFoundError

    body = {"version": 0}
    answer = adjudication.decide(
        db.session, project, doc, reviewer, "accept-agreed", body
    )
    assert answer["version"] == 1
    db.session.execute(
        update(Assignment)
        .where(Assignment.document_id == doc.id)
        .values(status=AssignmentStatus.IN_PROGRESS)
    )
    db.session.commit()
    with pytest.raises(review.InvalidDecision) as error:
        adjudication.decide(db.session, project, doc, reviewer, "undo", {"version": 1})
    assert error.value.field == "status"
    with pytest.raises(NotFoundError):
        adjudication.decide(db.session, project, doc, reviewer, "approve", body)
    assert len(view(project, doc)["gold"]) == 1
