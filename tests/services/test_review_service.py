"""Review and adjudication: the queue, the aligned view, every decision type,
undo, stale versions, validation, quality against gold."""

import json

import pytest
from sqlalchemy import func, select, update

from annotator.extensions import db
from annotator.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Document,
    GoldSpan,
    RejectedSpan,
    User,
)
from annotator.services import adjudication, review
from annotator.services.documents import import_files
from annotator.services.errors import NotFoundError

TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so."
# claim 0-33 "Moscow says the attack was staged"; denial 35-49 "Kyiv denies it"
SPANS = {
    "ann": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
    "bob": [(0, 33, "claim"), (35, 44, "denial"), (51, 56, "claim")],
}


def annotated(doc_id, text, spans_by_annotator):
    return {
        "id": doc_id,
        "text": text,
        "annotations": [
            {
                "annotator": name,
                "spans": [
                    {"start": s, "end": e, "label": label, "attributes": attrs}
                    for s, e, label, *rest in spans
                    for attrs in [rest[0] if rest else {}]
                ],
            }
            for name, spans in spans_by_annotator.items()
        ],
    }


def import_records(project, *records):
    data = "\n".join(json.dumps(record) for record in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])


def document(external_id):
    return db.session.scalar(
        select(Document).where(Document.external_id == external_id)
    )


@pytest.fixture
def doc(project):
    import_records(project, annotated("d1", TEXT, SPANS))
    return document("d1")


@pytest.fixture
def reviewer(users):
    return users["reviewer"]


def view(project, doc, **options):
    return review.document_review(db.session, project, doc, **options)


def decide(name, project, doc, reviewer, **data):
    data.setdefault("version", view(project, doc)["version"])
    return adjudication.DECISIONS[name](db.session, project, doc, reviewer, data)


def adjudicate(project, doc, reviewer):
    """Adjudicate, confirming the undecided groups the page would name."""
    undecided = view(project, doc)["undecided"]
    return decide("adjudicate", project, doc, reviewer, undecided=undecided)


def span_ids(project, doc, annotator, start, end):
    return [
        s["id"]
        for s in view(project, doc, show_names=True)["spans"]
        if s["annotator"] == annotator and (s["start"], s["end"]) == (start, end)
    ]


def gold(project, doc):
    return [
        (g["start"], g["end"], g["label"], g["decision"], g["sources"])
        for g in view(project, doc)["gold"]
    ]


def audit_actions():
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity == review.ENTITY)
            .order_by(AuditEvent.id)
        )
    )


# ------------------------------------------------------------------ queue


def test_queue_lists_fully_submitted_documents_most_disagreement_first(project):
    import_records(
        project,
        annotated("calm", TEXT, {"ann": [(0, 6, "claim")], "bob": [(0, 6, "claim")]}),
        annotated("busy", TEXT, SPANS),
        annotated("half", TEXT, SPANS),
    )
    half = document("half")
    db.session.execute(
        update(Assignment)
        .where(Assignment.document_id == half.id)
        .where(
            Assignment.user_id
            == select(User.id).where(User.username == "bob").scalar_subquery()
        )
        .values(status=AssignmentStatus.IN_PROGRESS)
    )
    db.session.commit()
    queue = review.review_queue(db.session, project)
    assert [e.external_id for e in queue] == ["busy", "calm"]
    assert (queue[0].n_disagreements, queue[0].n_groups) == (2, 3)
    assert queue[1].n_disagreements == 0
    assert queue[0].status == "open"


def test_queue_filtered_by_label_counts_only_groups_with_that_label(project):
    import_records(
        project,
        annotated("claims", TEXT, {"ann": [(0, 6, "claim")], "bob": [(0, 7, "claim")]}),
        annotated("busy", TEXT, SPANS),
    )
    queue = review.review_queue(db.session, project, label="hedge")
    assert [(e.external_id, e.n_disagreements) for e in queue] == [("busy", 1)]
    with pytest.raises(review.InvalidDecision) as error:
        review.review_queue(db.session, project, label="rumour")
    assert error.value.field == "label"


# ------------------------------------------------------------------ the view


def test_view_aligns_spans_and_hides_names_unless_asked(project, doc):
    hidden = view(project, doc)
    assert [a["key"] for a in hidden["annotators"]] == ["A", "B"]
    assert '"ann"' not in json.dumps(hidden)
    assert '"bob"' not in json.dumps(hidden)
    kinds = [(g["start"], g["end"], g["kind"]) for g in hidden["groups"]]
    assert kinds == [(0, 33, "same"), (35, 49, "boundary"), (51, 56, "label")]
    shown = view(project, doc, show_names=True)
    assert [a["key"] for a in shown["annotators"]] == ["ann", "bob"]
    assert shown["groups"][2]["span_ids"].keys() == {"ann", "bob"}
    assert hidden["version"] == 0
    assert hidden["undecided"] == 3


def test_a_document_of_another_project_is_not_found(project, other_project, doc):
    with pytest.raises(NotFoundError):
        review.document_review(db.session, other_project, doc)


# ------------------------------------------------------------------ decisions


def test_accept_takes_every_identical_span_as_source(project, doc, reviewer):
    ids = span_ids(project, doc, "ann", 0, 33)
    result = decide("accept", project, doc, reviewer, span_ids=ids)
    assert result["version"] == 1
    assert gold(project, doc) == [(0, 33, "claim", "accepted", ["A", "B"])]
    entry = view(project, doc)["gold"][0]
    assert entry["decided_by"] == "reviewer"
    assert entry["decided_at"]
    assert len(entry["source_span_ids"]) == 2
    assert view(project, doc)["groups"][0]["decided"] is True
    assert audit_actions() == ["accept"]


def test_accept_refuses_spans_that_differ_and_unknown_ids(project, doc, reviewer):
    ids = span_ids(project, doc, "ann", 35, 49) + span_ids(project, doc, "bob", 35, 44)
    with pytest.raises(review.InvalidDecision) as error:
        decide("accept", project, doc, reviewer, span_ids=ids)
    assert error.value.field == "span_ids"
    with pytest.raises(review.InvalidDecision) as error:
        decide("accept", project, doc, reviewer, span_ids=[99999])
    assert "99999" in str(error.value)
    assert gold(project, doc) == []
    assert audit_actions() == []


def test_accept_the_same_span_twice_is_refused(project, doc, reviewer):
    ids = span_ids(project, doc, "ann", 0, 33)
    decide("accept", project, doc, reviewer, span_ids=ids)
    with pytest.raises(review.InvalidDecision, match="already in the gold layer"):
        decide("accept", project, doc, reviewer, span_ids=ids)
    assert view(project, doc)["version"] == 1
    assert audit_actions() == ["accept"]


def test_correct_a_boundary_keeps_both_annotators_as_sources(project, doc, reviewer):
    ids = span_ids(project, doc, "ann", 35, 49) + span_ids(project, doc, "bob", 35, 44)
    decide("correct", project, doc, reviewer, span_ids=ids, start=35, end=46)
    assert gold(project, doc) == [(35, 46, "denial", "corrected", ["A", "B"])]


def test_correct_a_label(project, doc, reviewer):
    ids = span_ids(project, doc, "bob", 51, 56)
    decide("correct", project, doc, reviewer, span_ids=ids, label="hedge")
    assert gold(project, doc) == [(51, 56, "hedge", "corrected", ["B"])]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start": 40, "end": 999}, "end"),
        ({"start": -1}, "start"),
        ({"start": 40, "end": 40}, "end"),
        ({"label": "rumour"}, "label"),
        ({"start": "40"}, "start"),
        ({"attributes": {"source": 5}}, "attributes.source"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_gold_spans_obey_the_span_rules(project, doc, reviewer, data, field):
    ids = span_ids(project, doc, "ann", 35, 49)
    with pytest.raises(review.InvalidDecision) as error:
        decide("correct", project, doc, reviewer, span_ids=ids, **data)
    assert error.value.field == field
    assert db.session.scalar(select(func.count(GoldSpan.id))) == 0


def test_add_a_span_no_annotator_made(project, doc, reviewer):
    decide(
        "add",
        project,
        doc,
        reviewer,
        start=51,
        end=60,
        label="hedge",
        attributes={"source": "desk"},
        note="the whole sentence",
    )
    [entry] = view(project, doc)["gold"]
    assert (entry["start"], entry["end"], entry["decision"]) == (51, 60, "added")
    assert entry["sources"] == []
    assert (entry["attributes"], entry["note"]) == (
        {"source": "desk"},
        "the whole sentence",
    )
    with pytest.raises(review.InvalidDecision) as error:
        decide("add", project, doc, reviewer, start=51, end=61, label="hedge")
    assert error.value.field == "end"


def test_reject_a_group_decides_it_without_gold(project, doc, reviewer):
    group = view(project, doc)["groups"][2]
    ids = [i for found in group["span_ids"].values() for i in found]
    decide("reject", project, doc, reviewer, span_ids=ids)
    after = view(project, doc)
    assert after["groups"][2]["decided"] is True
    assert sorted(s["id"] for s in after["spans"] if s["rejected"]) == sorted(ids)
    assert after["gold"] == []
    with pytest.raises(review.InvalidDecision, match="rejected already"):
        decide("reject", project, doc, reviewer, span_ids=ids)


def test_reject_refuses_a_span_already_in_gold(project, doc, reviewer):
    ids = span_ids(project, doc, "ann", 0, 33)
    decide("accept", project, doc, reviewer, span_ids=ids)
    with pytest.raises(review.InvalidDecision, match="remove that gold span"):
        decide("reject", project, doc, reviewer, span_ids=ids)


def test_accepting_a_rejected_span_takes_the_rejection_back(project, doc, reviewer):
    ids = span_ids(project, doc, "bob", 51, 56)
    decide("reject", project, doc, reviewer, span_ids=ids)
    decide("accept", project, doc, reviewer, span_ids=ids)
    assert db.session.scalar(select(func.count(RejectedSpan.id))) == 0


def test_accept_all_agreed_takes_only_what_everyone_drew(project, doc, reviewer):
    result = decide("accept-agreed", project, doc, reviewer)
    assert len(result["created"]) == 1
    assert gold(project, doc) == [(0, 33, "claim", "accepted", ["A", "B"])]
    with pytest.raises(review.InvalidDecision, match="left to accept"):
        decide("accept-agreed", project, doc, reviewer)


def test_accept_all_agreed_keeps_only_shared_attributes(project, reviewer):
    from annotator.services.projects import set_attribute_names

    set_attribute_names(db.session, project, ["source", "x"], None)
    import_records(
        project,
        annotated(
            "attrs",
            TEXT,
            {
                "ann": [(0, 6, "claim", {"source": "TASS", "x": "1"})],
                "bob": [(0, 6, "claim", {"source": "TASS", "x": "2"})],
            },
        ),
    )
    found = document("attrs")
    decide("accept-agreed", project, found, reviewer)
    assert view(project, found)["gold"][0]["attributes"] == {"source": "TASS"}


def test_majority_prefill_is_proposed_then_confirmed(project, reviewer):
    three = {
        **SPANS,
        "cat": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "claim")],
    }
    import_records(project, annotated("three", TEXT, three))
    found = document("three")
    before = view(project, found)
    proposed = [
        (m["start"], m["end"], m["label"])
        for g in before["groups"]
        for m in g["majority"]
    ]
    assert proposed == [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "claim")]
    assert before["gold"] == []
    decide("accept-majority", project, found, reviewer)
    assert [(g[0], g[1], g[2], g[4]) for g in gold(project, found)] == [
        (0, 33, "claim", ["A", "B", "C"]),
        (35, 49, "denial", ["A", "C"]),
        (51, 56, "claim", ["B", "C"]),
    ]


def test_majority_skips_groups_already_decided(project, doc, reviewer):
    claim = span_ids(project, doc, "ann", 0, 33)
    decide("correct", project, doc, reviewer, span_ids=claim, end=30)
    with pytest.raises(review.InvalidDecision, match="left to accept"):
        decide("accept-majority", project, doc, reviewer)


def test_remove_a_gold_span(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    gold_id = view(project, doc)["gold"][0]["id"]
    decide("remove", project, doc, reviewer, gold_id=gold_id)
    assert gold(project, doc) == []
    with pytest.raises(review.InvalidDecision) as error:
        decide("remove", project, doc, reviewer, gold_id=gold_id)
    assert error.value.field == "gold_id"


# ------------------------------------------------------------------ adjudication


def test_adjudicate_freezes_the_gold_layer_until_reopened(project, doc, reviewer):
    import_records(project, annotated("d2", TEXT, SPANS))
    result = adjudicate(project, doc, reviewer)
    assert result["next_document_id"] == document("d2").id
    state = view(project, doc)
    assert (state["status"], state["adjudicated_by"]) == ("adjudicated", "reviewer")
    with pytest.raises(review.InvalidDecision) as error:
        decide("accept-agreed", project, doc, reviewer)
    assert error.value.field == "status"
    decide("reopen", project, doc, reviewer)
    assert view(project, doc)["status"] == "open"
    decide("accept-agreed", project, doc, reviewer)
    assert review.review_queue(db.session, project)[0].n_gold in (0, 1)


def test_reopen_an_open_document_is_refused(project, doc, reviewer):
    with pytest.raises(review.InvalidDecision) as error:
        decide("reopen", project, doc, reviewer)
    assert error.value.field == "status"
    assert view(project, doc)["version"] == 0


# ------------------------------------------------------------------ versions


def test_a_stale_version_is_a_conflict_and_stores_nothing(
    project, doc, reviewer, users
):
    decide("accept-agreed", project, doc, reviewer)
    ids = span_ids(project, doc, "bob", 51, 56)
    with pytest.raises(review.StaleReview) as error:
        decide("reject", project, doc, users["padmin"], span_ids=ids, version=0)
    assert error.value.current["version"] == 1
    assert db.session.scalar(select(func.count(RejectedSpan.id))) == 0
    assert audit_actions() == ["accept_agreed"]


def test_two_reviewers_on_the_same_version_one_wins(project, doc, reviewer, users):
    seen = view(project, doc)["version"]
    claim = span_ids(project, doc, "ann", 0, 33)
    decide("accept", project, doc, reviewer, span_ids=claim, version=seen)
    with pytest.raises(review.StaleReview):
        decide(
            "correct",
            project,
            doc,
            users["padmin"],
            span_ids=claim,
            end=20,
            version=seen,
        )
    assert gold(project, doc) == [(0, 33, "claim", "accepted", ["A", "B"])]


@pytest.mark.parametrize("version", [None, "0", True, -1])
def test_version_must_be_an_integer(project, doc, reviewer, version):
    with pytest.raises(review.InvalidDecision) as error:
        decide("accept-agreed", project, doc, reviewer, version=version)
    assert error.value.field == "version"


# ------------------------------------------------------------------ undo


def test_undo_every_decision_type_in_reverse_order(project, doc, reviewer):
    states = [gold(project, doc)]
    claim = span_ids(project, doc, "ann", 0, 33)
    denial = span_ids(project, doc, "ann", 35, 49) + span_ids(
        project, doc, "bob", 35, 44
    )
    hedge = span_ids(project, doc, "ann", 51, 56)
    other = span_ids(project, doc, "bob", 51, 56)
    steps = [
        ("accept", {"span_ids": claim}),
        ("correct", {"span_ids": denial, "end": 46}),
        ("reject", {"span_ids": other}),
        ("add", {"start": 57, "end": 59, "label": "hedge"}),
        ("accept", {"span_ids": hedge}),
    ]
    rejected = []
    for name, data in steps:
        decide(name, project, doc, reviewer, **data)
        states.append(gold(project, doc))
        rejected.append(db.session.scalar(select(func.count(RejectedSpan.id))))
    gold_id = view(project, doc)["gold"][0]["id"]
    decide("remove", project, doc, reviewer, gold_id=gold_id)
    adjudicate(project, doc, reviewer)
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["status"] == "open"
    decide("undo", project, doc, reviewer)
    assert gold(project, doc) == states[-1]
    assert view(project, doc)["gold"][0]["id"] == gold_id
    for expected in reversed(states[:-1]):
        decide("undo", project, doc, reviewer)
        assert gold(project, doc) == expected
    assert db.session.scalar(select(func.count(RejectedSpan.id))) == 0
    with pytest.raises(review.InvalidDecision, match="no decision to undo"):
        decide("undo", project, doc, reviewer)
    actions = audit_actions()
    assert actions.count("undo") == 7
    assert actions[:7] == [
        "accept",
        "correct",
        "reject",
        "add",
        "accept",
        "remove",
        "adjudicate",
    ]


def test_undo_restores_provenance_of_a_removed_span(project, doc, reviewer):
    ids = span_ids(project, doc, "ann", 0, 33)
    decide("accept", project, doc, reviewer, span_ids=ids)
    before = view(project, doc)["gold"]
    decide("remove", project, doc, reviewer, gold_id=before[0]["id"])
    decide("undo", project, doc, reviewer)
    after = view(project, doc)["gold"]
    assert after == before


def test_undo_after_an_undo_and_a_new_decision(project, doc, reviewer):
    claim = span_ids(project, doc, "ann", 0, 33)
    hedge = span_ids(project, doc, "ann", 51, 56)
    decide("accept", project, doc, reviewer, span_ids=claim)
    decide("accept", project, doc, reviewer, span_ids=hedge)
    decide("undo", project, doc, reviewer)
    decide("reject", project, doc, reviewer, span_ids=hedge)
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["last_decision"] == "accept"
    decide("undo", project, doc, reviewer)
    assert gold(project, doc) == []
    assert view(project, doc)["last_decision"] is None


# ------------------------------------------------------------------ quality


def test_annotator_quality_per_label_against_gold(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    denial = span_ids(project, doc, "ann", 35, 49)
    decide("accept", project, doc, reviewer, span_ids=denial)
    hedge = span_ids(project, doc, "ann", 51, 56)
    decide("accept", project, doc, reviewer, span_ids=hedge)
    assert review.annotator_quality(db.session, project).annotators == ()
    adjudicate(project, doc, reviewer)
    report = review.annotator_quality(db.session, project)
    found = {q.annotator: q for q in report.annotators}
    ann, bob = found["ann"].by_label, found["bob"].by_label
    assert (ann[None].precision, ann[None].recall, ann[None].f1) == (1.0, 1.0, 1.0)
    assert (bob["claim"].precision, bob["claim"].recall) == (0.5, 1.0)
    assert (bob["denial"].precision, bob["denial"].recall) == (0.0, 0.0)
    assert (bob["hedge"].recall, bob["hedge"].n_gold) == (0.0, 1)
    assert bob["false_flag_warning"].f1 is None
    assert found["bob"].n_documents == 1
    partial = {
        q.annotator: q
        for q in review.annotator_quality(db.session, project, "partial").annotators
    }
    assert partial["bob"].by_label["denial"].precision == 1.0


# ------------------------------------------------------------------ gold links


def gold_id(project, doc, label):
    return next(g["id"] for g in view(project, doc)["gold"] if g["label"] == label)


@pytest.fixture
def linked_gold(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    decide(
        "accept", project, doc, reviewer, span_ids=span_ids(project, doc, "ann", 35, 49)
    )
    return gold_id(project, doc, "claim"), gold_id(project, doc, "denial")


def test_link_a_denial_to_the_claim_it_denies(project, doc, reviewer, linked_gold):
    claim, denial = linked_gold
    decide("link", project, doc, reviewer, source=denial, target=claim)
    [link] = view(project, doc)["gold_links"]
    assert (link["source_id"], link["target_id"], link["kind"]) == (
        denial,
        claim,
        "denies",
    )


@pytest.mark.parametrize(
    ("ends", "kind", "field"),
    [
        ("claim-denial", "denies", "kind"),  # a claim cannot deny a denial
        ("denial-denial", "denies", "target"),  # not to itself
        ("denial-claim", "supports", "kind"),
        ("denial-none", "denies", "target"),
        ("none-claim", "denies", "source"),
    ],
)
def test_gold_links_obey_the_link_rules(
    project, doc, reviewer, linked_gold, ends, kind, field
):
    claim, denial = linked_gold
    ids = {"claim": claim, "denial": denial, "none": 99999}
    source, target = (ids[end] for end in ends.split("-"))
    with pytest.raises(review.InvalidDecision) as error:
        decide("link", project, doc, reviewer, source=source, target=target, kind=kind)
    assert error.value.field == field
    assert view(project, doc)["gold_links"] == []


def test_a_link_twice_is_refused(project, doc, reviewer, linked_gold):
    claim, denial = linked_gold
    decide("link", project, doc, reviewer, source=denial, target=claim)
    with pytest.raises(review.InvalidDecision, match="already exists"):
        decide("link", project, doc, reviewer, source=denial, target=claim)


def test_removing_a_linked_span_and_undo_bring_the_link_back(
    project, doc, reviewer, linked_gold
):
    claim, denial = linked_gold
    decide("link", project, doc, reviewer, source=denial, target=claim)
    links = view(project, doc)["gold_links"]
    decide("remove", project, doc, reviewer, gold_id=claim)
    assert view(project, doc)["gold_links"] == []
    decide("undo", project, doc, reviewer)
    assert view(project, doc)["gold_links"] == links
    decide("unlink", project, doc, reviewer, link_id=links[0]["id"])
    assert view(project, doc)["gold_links"] == []
    decide("undo", project, doc, reviewer)
    decide("undo", project, doc, reviewer)  # the link itself
    assert view(project, doc)["gold_links"] == []
    assert len(view(project, doc)["gold"]) == 2


def test_the_database_compare_and_set_stops_a_race_past_the_first_check(
    project, doc, reviewer, users
):
    """Two reviewers pass the freshness check at the same moment; the
    conditional UPDATE lets only one decision through."""
    from sqlalchemy.orm import Session

    decide("accept-agreed", project, doc, reviewer)
    decide("undo", project, doc, reviewer)  # version 2, no gold
    other = Session(db.engine)
    try:
        other_doc = other.get(Document, doc.id)
        other_project = other.get(type(project), project.id)
        other_admin = other.get(User, users["padmin"].id)
        review.adjudication_of(other, other_doc)  # loaded at version 2
        decide("accept-agreed", project, doc, reviewer)  # commits version 3
        unchecked = adjudication.reject.__wrapped__
        stale = {"version": 2, "span_ids": span_ids(project, doc, "bob", 51, 56)}
        with pytest.raises(review.StaleReview) as error:
            unchecked(other, other_project, other_doc, other_admin, stale)
        assert error.value.current["version"] == 3
    finally:
        other.close()
    assert len(view(project, doc)["gold"]) == 1
    assert not any(s["rejected"] for s in view(project, doc)["spans"])


def test_review_groups_are_the_agreement_pages_groups(project, doc):
    from annotator.services import agreement

    compared = agreement.document_comparison(db.session, project, doc)
    expected = [(g.start, g.end, g.kind.value) for g in compared.groups]
    found = [(g["start"], g["end"], g["kind"]) for g in view(project, doc)["groups"]]
    assert found == expected


def test_a_document_nobody_submitted_has_nothing_to_review(project, reviewer):
    import_files(db.session, project, [("plain.txt", b"Nobody annotated this.")])
    plain = document("plain")
    state = view(project, plain)
    assert (state["annotators"], state["groups"], state["gold"]) == ([], [], [])
    assert review.review_queue(db.session, project) == []
    with pytest.raises(review.InvalidDecision, match="left to accept"):
        decide("accept-agreed", project, plain, reviewer)


def test_adjudicating_with_undecided_groups_needs_their_number(project, doc, reviewer):
    undecided = view(project, doc)["undecided"]
    assert undecided > 1
    for confirmed in ({}, {"undecided": undecided - 1}):
        with pytest.raises(review.UndecidedGroups) as error:
            decide("adjudicate", project, doc, reviewer, **confirmed)
        assert error.value.undecided == undecided
        assert f"{undecided} groups are still undecided" in str(error.value)
        assert view(project, doc)["status"] == "open"
    with pytest.raises(review.InvalidDecision) as wrong:
        decide("adjudicate", project, doc, reviewer, undecided="all")
    assert wrong.value.field == "undecided"
    decide("accept-agreed", project, doc, reviewer)
    remaining = view(project, doc)["undecided"]
    assert 0 < remaining < undecided
    with pytest.raises(review.UndecidedGroups):  # an older count does not pass
        decide("adjudicate", project, doc, reviewer, undecided=undecided)
    decide("adjudicate", project, doc, reviewer, undecided=remaining)
    assert view(project, doc)["status"] == "adjudicated"
