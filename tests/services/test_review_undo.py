"""Undo of any decision nothing later depends on, redo, and the review
history: independent and dependent undos, redo and its undo, conflicts with
later decisions, stale versions, and spans restored under a new id."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.extensions import db
from annotator.models import AuditEvent, Document, GoldSpan, User
from annotator.services import adjudication, review
from tests.services.test_review_service import (
    SPANS,
    TEXT,
    adjudicate,
    annotated,
    decide,
    document,
    gold,
    import_records,
    span_ids,
    view,
)


@pytest.fixture
def doc(project):
    import_records(project, annotated("d1", TEXT, SPANS), annotated("d2", TEXT, SPANS))
    return document("d1")


@pytest.fixture
def reviewer(users):
    return users["reviewer"]


def claim_ids(project, doc):
    return span_ids(project, doc, "ann", 0, 33)


def hedge_ids(project, doc):
    return span_ids(project, doc, "ann", 51, 56)


def denial_ids(project, doc):
    return span_ids(project, doc, "ann", 35, 49) + span_ids(project, doc, "bob", 35, 44)


def last_row_id():
    return db.session.scalar(select(func.max(AuditEvent.id)))


def entry(project, doc, row_id):
    return next(e for e in view(project, doc)["history"] if e["id"] == row_id)


def gold_rows(project, doc):
    """Gold as the review shows it, everything but ids."""
    return [
        {k: v for k, v in g.items() if k != "id"} for g in view(project, doc)["gold"]
    ]


# ------------------------------------------------------------------ undo


def test_an_older_decision_nothing_depends_on_is_undone_alone(project, doc, reviewer):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    claim = last_row_id()
    decide("accept", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    answer = decide("undo", project, doc, reviewer, decision_id=claim)
    assert answer["undone"] == "accept"
    assert [(g[0], g[1], g[2]) for g in gold(project, doc)] == [(51, 56, "hedge")]
    state = view(project, doc)
    assert state["last_decision"] == "accept"  # the hedge's, still live
    assert [e["action"] for e in state["history"]] == ["undo", "accept", "accept"]
    undone = entry(project, doc, claim)
    assert (undone["live"], undone["can_undo"]) == (False, False)
    assert undone["undone_by"]["by"] == "reviewer"
    assert state["redo"]["id"] == claim


def test_a_decision_later_ones_depend_on_is_refused_naming_them(project, doc, reviewer):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    claim = last_row_id()
    decide("correct", project, doc, reviewer, span_ids=denial_ids(project, doc))
    gold_ids = {g["label"]: g["id"] for g in view(project, doc)["gold"]}
    decide(
        "link",
        project,
        doc,
        reviewer,
        source=gold_ids["denial"],
        target=gold_ids["claim"],
    )
    link_row = last_row_id()
    before = (view(project, doc)["version"], gold(project, doc))
    with pytest.raises(review.DecisionBlocked) as refused:
        decide("undo", project, doc, reviewer, decision_id=claim)
    message = str(refused.value)
    assert "'accept' by reviewer" in message
    assert "undo 'link' by reviewer at " in message
    assert message.endswith(" UTC first.")
    assert refused.value.blocking == [link_row]
    assert (view(project, doc)["version"], gold(project, doc)) == before
    assert entry(project, doc, claim)["blocked_by"][0].startswith("'link' by reviewer")
    decide("undo", project, doc, reviewer, decision_id=link_row)
    decide("undo", project, doc, reviewer, decision_id=claim)
    assert [g[2] for g in gold(project, doc)] == ["denial"]


def test_a_correction_of_the_same_annotator_span_depends_on_the_accept(
    project, doc, reviewer
):
    denial = span_ids(project, doc, "ann", 35, 49)
    decide("accept", project, doc, reviewer, span_ids=denial)
    accepted = last_row_id()
    decide("correct", project, doc, reviewer, span_ids=denial, end=46)
    with pytest.raises(review.DecisionBlocked, match="undo 'correct' by reviewer"):
        decide("undo", project, doc, reviewer, decision_id=accepted)


def test_status_changes_keep_their_order(project, doc, reviewer):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    accepted = last_row_id()
    adjudicate(project, doc, reviewer)
    decide("reopen", project, doc, reviewer)
    reopened = last_row_id()
    decide("accept", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    with pytest.raises(review.DecisionBlocked, match="undo 'adjudicate' by"):
        decide("undo", project, doc, reviewer, decision_id=accepted)
    with pytest.raises(review.DecisionBlocked, match="undo 'accept' by"):
        decide("undo", project, doc, reviewer, decision_id=reopened)
    decide("undo", project, doc, reviewer)
    decide("undo", project, doc, reviewer, decision_id=reopened)
    assert view(project, doc)["status"] == "adjudicated"


@pytest.mark.parametrize(
    ("decision_id", "message"),
    [("7", "must be the id"), (10**6, "no such decision")],
)
def test_undo_of_an_unknown_decision_is_refused(
    project, doc, reviewer, decision_id, message
):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    with pytest.raises(review.InvalidDecision, match=message) as refused:
        decide("undo", project, doc, reviewer, decision_id=decision_id)
    assert refused.value.field == "decision_id"


def test_an_undo_row_cannot_be_undone_and_an_undone_decision_not_twice(
    project, doc, reviewer
):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    accepted = last_row_id()
    decide("undo", project, doc, reviewer)
    with pytest.raises(review.InvalidDecision, match="no such decision"):
        decide("undo", project, doc, reviewer, decision_id=last_row_id())
    with pytest.raises(review.InvalidDecision, match="undone already"):
        decide("undo", project, doc, reviewer, decision_id=accepted)


# ------------------------------------------------------------------ redo


def test_redo_reapplies_with_provenance_and_can_be_undone(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    accepted = last_row_id()
    before = view(project, doc)["gold"]
    assert before[0]["sources"] == ["A", "B"]
    decide("undo", project, doc, reviewer)
    answer = decide("redo", project, doc, reviewer)
    assert (answer["redone"], answer["redone_id"], answer["renamed"]) == (
        "accept_agreed",
        accepted,
        [],
    )
    assert view(project, doc)["gold"] == before  # same id, sources, decider, time
    state = view(project, doc)
    assert state["history"][0]["action"] == "redo accept_agreed"
    assert state["history"][0]["can_undo"] is True
    assert state["redo"] is None
    decide("undo", project, doc, reviewer)  # the redo
    assert gold(project, doc) == []
    assert view(project, doc)["redo"]["action"] == "redo accept_agreed"
    decide("redo", project, doc, reviewer)
    assert view(project, doc)["gold"] == before


def test_redo_takes_the_most_recently_undone_first(project, doc, reviewer):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    claim = last_row_id()
    decide("accept", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    hedge = last_row_id()
    decide("undo", project, doc, reviewer, decision_id=claim)
    decide("undo", project, doc, reviewer, decision_id=hedge)
    with pytest.raises(review.InvalidDecision, match="most recently undone"):
        decide("redo", project, doc, reviewer, decision_id=claim)
    decide("redo", project, doc, reviewer, decision_id=hedge)
    decide("redo", project, doc, reviewer)
    assert [g[2] for g in gold(project, doc)] == ["claim", "hedge"]
    with pytest.raises(review.InvalidDecision, match="no undone decision"):
        decide("redo", project, doc, reviewer)


def test_redo_is_refused_after_a_conflicting_decision(project, doc, reviewer):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    decide("undo", project, doc, reviewer)
    decide("accept", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    decide("reject", project, doc, reviewer, span_ids=claim_ids(project, doc))
    rejected = last_row_id()
    with pytest.raises(review.DecisionBlocked) as refused:
        decide("redo", project, doc, reviewer)
    assert "'accept' by reviewer" in str(refused.value)
    assert "cannot be redone" in str(refused.value)
    assert refused.value.blocking == [rejected]  # not the hedge's accept
    assert view(project, doc)["redo"]["can_redo"] is False
    decide("undo", project, doc, reviewer)  # the reject: now the one to redo
    assert view(project, doc)["redo"]["action"] == "reject"


def test_redo_after_an_unrelated_decision(project, doc, reviewer):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    decide("undo", project, doc, reviewer)
    decide("accept", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    decide("redo", project, doc, reviewer)
    assert [g[2] for g in gold(project, doc)] == ["claim", "hedge"]


def test_a_span_restored_under_a_new_id_keeps_its_links_and_sources(
    project, doc, reviewer
):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    decide("correct", project, doc, reviewer, span_ids=denial_ids(project, doc))
    first = {g["label"]: g for g in view(project, doc)["gold"]}
    decide(
        "link",
        project,
        doc,
        reviewer,
        source=first["denial"]["id"],
        target=first["claim"]["id"],
    )
    for _ in range(3):
        decide("undo", project, doc, reviewer)
    squatter = GoldSpan(  # the claim's old id, taken on another document
        id=first["claim"]["id"],
        document_id=document("d2").id,
        label_id=project.labels[0].id,
        start=0,
        end=6,
        decision="added",
    )
    db.session.add(squatter)
    db.session.commit()
    answer = decide("redo", project, doc, reviewer)
    assert answer["renamed"][0]["was"] == first["claim"]["id"]
    renamed = {r["was"]: r["id"] for r in answer["renamed"]}
    for _ in range(2):  # SQLite may give the claim the denial's old id
        more = decide("redo", project, doc, reviewer)["renamed"]
        renamed |= {r["was"]: r["id"] for r in more}
    now = {g["label"]: g for g in view(project, doc)["gold"]}
    for label in ("claim", "denial"):
        old = first[label]["id"]
        assert now[label]["id"] == renamed.get(old, old)
        assert now[label]["source_span_ids"] == first[label]["source_span_ids"]
        assert now[label]["decided_at"] == first[label]["decided_at"]
    [link] = view(project, doc)["gold_links"]
    assert (link["source_id"], link["target_id"]) == (
        now["denial"]["id"],
        now["claim"]["id"],
    )
    decide("undo", project, doc, reviewer, decision_id=entry_of_action("redo"))
    assert view(project, doc)["gold_links"] == []
    assert db.session.get(GoldSpan, first["claim"]["id"]).document_id != doc.id


def entry_of_action(action):
    """The latest row with ``action``."""
    return db.session.scalar(
        select(func.max(AuditEvent.id)).where(AuditEvent.action == action)
    )


# ------------------------------------------------------------------ versions


def test_undo_and_redo_on_a_stale_version_are_conflicts(project, doc, reviewer):
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    claim = last_row_id()
    decide("accept", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    seen = view(project, doc)["version"]
    decide("undo", project, doc, reviewer, decision_id=claim)
    after = gold(project, doc)
    for name, data in (("undo", {}), ("undo", {"decision_id": claim}), ("redo", {})):
        with pytest.raises(review.StaleReview) as stale:
            decide(name, project, doc, reviewer, version=seen, **data)
        assert stale.value.current["version"] == seen + 1
    assert gold(project, doc) == after


def test_the_compare_and_set_stops_a_concurrent_undo(project, doc, reviewer, users):
    """Two reviewers pass the freshness check with the same version; the
    database lets only the first undo through."""
    decide("accept", project, doc, reviewer, span_ids=claim_ids(project, doc))
    claim = last_row_id()
    decide("accept", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    version = view(project, doc)["version"]
    other = Session(db.engine)
    try:
        other_doc = other.get(Document, doc.id)
        other_project = other.get(type(project), project.id)
        other_admin = other.get(User, users["padmin"].id)
        review.adjudication_of(other, other_doc)
        decide("undo", project, doc, reviewer, decision_id=claim)
        unchecked = adjudication.redo.__wrapped__
        with pytest.raises(review.StaleReview):
            unchecked(
                other, other_project, other_doc, other_admin, {"version": version}
            )
    finally:
        other.close()
    assert [g[2] for g in gold(project, doc)] == ["hedge"]


# ------------------------------------------------------------------ history


def test_the_history_says_who_did_what_and_when_newest_first(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    decide("reject", project, doc, reviewer, span_ids=hedge_ids(project, doc))
    adjudicate(project, doc, reviewer)
    history = view(project, doc)["history"]
    assert [e["action"] for e in history] == ["adjudicate", "reject", "accept_agreed"]
    assert [e["summary"] for e in history] == [
        "status open \u2192 adjudicated",
        "1 annotator span rejected",
        "gold + claim 0\u201333",
    ]
    assert {e["by"] for e in history} == {"reviewer"}
    assert all(e["at"] for e in history)
    assert [e["can_undo"] for e in history] == [True, False, False]
    assert gold_rows(project, doc)[0]["decided_by"] == "reviewer"
