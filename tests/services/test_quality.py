"""Annotators against gold: undefined figures are None with a reason, never
0 or 1, and groups a reviewer left undecided count for nobody."""

import pytest

from annotator.core.adjudication import (
    REASON_NEITHER,
    REASON_NO_GOLD,
    REASON_NO_OWN_SPANS,
    REASON_ONLY_UNDECIDED,
)
from annotator.extensions import db
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
)


@pytest.fixture
def doc(project):
    import_records(project, annotated("d1", TEXT, SPANS))
    return document("d1")


@pytest.fixture
def reviewer(users):
    return users["reviewer"]


def by_annotator(project, mode="exact"):
    report = review.annotator_quality(db.session, project, mode)
    return report, {row.annotator: row.by_label for row in report.annotators}


def test_undecided_groups_are_neither_right_nor_wrong(project, doc, reviewer):
    # Only the claim both drew goes into gold; the denial (boundaries differ)
    # and the hedge/claim passage stay undecided, and the document is
    # adjudicated anyway. Before, every undecided span counted as wrong and
    # the gold as complete: ann's precision 0.333 and recall 1.000.
    decide("accept-agreed", project, doc, reviewer)
    adjudicate(project, doc, reviewer)
    report, found = by_annotator(project)
    assert report.undecided == ((doc.id, "d1", 2),)
    assert report.n_undecided_groups == 2
    ann, bob = found["ann"], found["bob"]
    assert (ann[None].precision, ann[None].recall) == (1.0, 1.0)
    assert (ann[None].n_annotator, ann[None].n_undecided) == (1, 2)
    assert (bob["claim"].n_annotator, bob["claim"].n_undecided) == (1, 1)
    assert (ann["denial"].precision, ann["denial"].recall) == (None, None)
    assert ann["denial"].f1_reason == REASON_NO_GOLD
    assert ann["denial"].precision_reason == REASON_ONLY_UNDECIDED
    assert ann["denial"].n_undecided == 1


def test_a_decided_document_counts_every_span(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    denial = span_ids(project, doc, "ann", 35, 49)
    decide("accept", project, doc, reviewer, span_ids=denial)
    hedge = span_ids(project, doc, "ann", 51, 56)
    decide("accept", project, doc, reviewer, span_ids=hedge)
    adjudicate(project, doc, reviewer)
    report, found = by_annotator(project)
    assert report.undecided == ()
    bob = found["bob"]
    assert (bob[None].precision, bob[None].recall) == (1 / 3, 1 / 3)
    assert bob[None].n_undecided == 0


def test_no_gold_spans_of_a_label_leaves_recall_and_f1_undefined(
    project, doc, reviewer
):
    decide("accept-agreed", project, doc, reviewer)
    denials = span_ids(project, doc, "ann", 35, 49) + span_ids(
        project, doc, "bob", 35, 44
    )
    decide("reject", project, doc, reviewer, span_ids=denials)
    hedge = span_ids(project, doc, "ann", 51, 56)
    decide("accept", project, doc, reviewer, span_ids=hedge)
    adjudicate(project, doc, reviewer)
    report, found = by_annotator(project)
    assert report.undecided == ()
    denial = found["ann"]["denial"]  # ann drew one, the reviewer rejected it
    assert (denial.precision, denial.recall, denial.f1) == (0.0, None, None)
    assert denial.recall_reason == denial.f1_reason == REASON_NO_GOLD
    assert denial.precision_reason is None
    hedge = found["bob"]["hedge"]  # gold has one hedge, bob drew none
    assert (hedge.precision, hedge.recall, hedge.f1) == (None, 0.0, None)
    assert hedge.precision_reason == hedge.f1_reason == REASON_NO_OWN_SPANS
    unused = found["bob"]["false_flag_warning"]
    assert (unused.precision, unused.recall, unused.f1) == (None, None, None)
    assert unused.f1_reason == REASON_NEITHER
    assert found["bob"][None].recall == pytest.approx(0.5)  # claim yes, hedge no


def test_quality_json_says_why_a_figure_is_undefined(project, doc, reviewer):
    decide("accept-agreed", project, doc, reviewer)
    adjudicate(project, doc, reviewer)
    data = review.annotator_quality(db.session, project, "partial").to_dict()
    assert data["mode"] == "partial"
    assert data["undecided"] == [{"document_id": doc.id, "title": "d1", "n_groups": 2}]
    ann = data["annotators"][0]
    assert ann["annotator"] == "ann"
    assert ann["by_label"]["all"]["recall"] == {"value": 1.0, "reason": None}
    assert ann["by_label"]["hedge"]["recall"] == {
        "value": None,
        "reason": REASON_NO_GOLD,
    }
    assert ann["by_label"]["hedge"]["n_undecided"] == 1
