"""The team view's figures: every status reached the way users reach it,
skips and reassignment, one and two annotators per document, the filters,
blind annotation, and a fixed number of queries whatever the project's size."""

import json

import pytest
from sqlalchemy import event, select

from annotator.core.progress import DocumentStatus
from annotator.extensions import db
from annotator.models import Document, Role
from annotator.services import assignments, progress, projects, review
from annotator.services.accounts import create_user
from annotator.services.adjudication import DECISIONS
from annotator.services.annotations import assignment_for, create_span, set_status
from annotator.services.documents import import_files
from tests.conftest import PASSWORD

WAITING, IN_PROGRESS, SUBMITTED, IN_REVIEW, ADJUDICATED = DocumentStatus
TEXT = "Officials said the strike was staged, and the other side denied it all."
CLAIM, DENIAL = (0, 14, "claim"), (46, 70, "denial")


def add_documents(project, *names, annotated=None):
    """Plain documents named ``names``; ``annotated`` maps a name to
    {annotator: spans}, imported as submitted work."""
    annotated = annotated or {}
    records = [{"id": name, "text": TEXT} for name in names] + [
        {
            "id": name,
            "text": TEXT,
            "annotations": [
                {
                    "annotator": who,
                    "spans": [{"start": s, "end": e, "label": x} for s, e, x in spans],
                }
                for who, spans in by.items()
            ],
        }
        for name, by in annotated.items()
    ]
    data = "\n".join(json.dumps(r) for r in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])


def doc(external_id):
    return db.session.scalar(
        select(Document).where(Document.external_id == external_id)
    )


def take(project, user, expected):
    found = assignments.next_document(db.session, project, user)
    assert found is not None
    assert found.external_id == expected
    return found


def close(project, document, user, status, spans=(CLAIM,)):
    version = assignment_for(db.session, document, user).version
    if status == "submitted":
        for start, end, label in spans:
            data = {"start": start, "end": end, "label": label, "version": version}
            _, version = create_span(db.session, project, document.id, user, data)
    set_status(
        db.session,
        document,
        user,
        {"version": version, "status": status, "reason": "not my topic"},
    )


def listed(project, viewer, **filters):
    page = progress.documents_page(db.session, project, viewer, **filters)
    return {row.external_id: row for row in page.rows}


def states(project, viewer, **filters):
    return {
        name: row.progress.text
        for name, row in listed(project, viewer, **filters).items()
    }


def people(row):
    return [(person.name, person.state) for person in row.assignees]


@pytest.fixture
def third(project):
    user = create_user(db.session, "third", PASSWORD)
    projects.add_member(db.session, project, user, Role.ANNOTATOR, None)
    return user


# --------------------------------------------------------------------------
# Statuses, reached the way users reach them
# --------------------------------------------------------------------------


def test_every_status_through_annotation_and_review(project, users):
    """Two annotators per document (the fixture's default)."""
    annotator, admin = users["annotator"], users["padmin"]
    rita = users["reviewer"]
    add_documents(project, "d1")
    assert states(project, rita) == {"d1": "waiting"}

    first = take(project, annotator, "d1")
    assert states(project, rita) == {"d1": "waiting"}  # the second place is free
    take(project, admin, "d1")
    assert states(project, rita) == {"d1": "in progress"}
    close(project, first, annotator, "submitted")
    row = listed(project, rita)["d1"]
    assert (row.status, row.progress.text) == (
        IN_PROGRESS,
        "in progress, submitted by 1 of 2",
    )
    assert not row.reviewable
    close(project, first, admin, "submitted")
    row = listed(project, rita)["d1"]
    assert (row.status, row.progress.text) == (SUBMITTED, "submitted by 2 of 2")
    assert row.reviewable
    assert row.n_spans == 2
    assert people(row) == [("annotator", "submitted"), ("padmin", "submitted")]

    DECISIONS["accept-agreed"](db.session, project, first, rita, {"version": 0})
    assert listed(project, rita)["d1"].status is IN_REVIEW
    version = review.adjudication_of(db.session, first).version
    DECISIONS["adjudicate"](db.session, project, first, rita, {"version": version})
    row = listed(project, rita)["d1"]
    assert (row.status, row.reviewable) == (ADJUDICATED, True)
    version = review.adjudication_of(db.session, first).version
    DECISIONS["reopen"](db.session, project, first, rita, {"version": version})
    assert listed(project, rita)["d1"].status is IN_REVIEW


def test_one_submission_with_the_second_place_free_is_waiting(project, users):
    add_documents(project, annotated={"half": {"ann": [CLAIM]}})
    row = listed(project, users["reviewer"])["half"]
    assert (row.status, row.progress.text) == (WAITING, "waiting, submitted by 1 of 2")
    assert not row.reviewable
    page = progress.documents_page(db.session, project, users["reviewer"])
    assert page.waiting.startswith("1 document waits for a second annotator")


def test_a_skip_frees_the_place_and_reassignment_fills_it(project, users, third):
    annotator, admin = users["annotator"], users["padmin"]
    rita = users["reviewer"]
    add_documents(project, "d1")
    document = take(project, annotator, "d1")
    take(project, admin, "d1")
    close(project, document, annotator, "submitted")
    close(project, document, admin, "skipped")
    row = listed(project, rita)["d1"]
    assert (row.status, row.progress.text) == (WAITING, "waiting, submitted by 1 of 2")
    assert people(row) == [("annotator", "submitted"), ("padmin", "skipped")]

    take(project, third, "d1")  # the freed place goes to someone else
    row = listed(project, rita)["d1"]
    assert (row.status, row.progress.text) == (
        IN_PROGRESS,
        "in progress, submitted by 1 of 2",
    )
    assert people(row) == [
        ("annotator", "submitted"),
        ("padmin", "skipped"),
        ("third", "in progress"),
    ]
    close(project, document, third, "submitted")
    row = listed(project, rita)["d1"]
    assert (row.status, row.progress.text, row.reviewable) == (
        SUBMITTED,
        "submitted by 2 of 2",
        True,
    )


def test_reopening_submitted_work_puts_the_document_back_in_progress(project, users):
    annotator, third_party = users["annotator"], users["padmin"]
    add_documents(project, "d1")
    document = take(project, annotator, "d1")
    take(project, third_party, "d1")
    close(project, document, annotator, "submitted")
    version = assignment_for(db.session, document, annotator).version
    set_status(
        db.session, document, annotator, {"version": version, "status": "in_progress"}
    )
    row = listed(project, users["reviewer"])["d1"]
    assert (row.status, row.progress.text) == (IN_PROGRESS, "in progress")


def test_one_annotator_per_document(project, users):
    project.annotators_per_document = 1
    db.session.commit()
    annotator = users["annotator"]
    add_documents(project, "d1", "d2", "d3")
    first = take(project, annotator, "d1")
    close(project, first, annotator, "submitted")
    take(project, annotator, "d2")
    found = states(project, users["reviewer"])
    assert found == {
        "d1": "submitted by 1 of 1",
        "d2": "in progress",
        "d3": "waiting",
    }


def test_counts_cover_every_status_and_the_status_filter_keeps_one(project, users):
    rita = users["reviewer"]
    add_documents(
        project,
        "fresh",
        annotated={
            "done": {"ann": [CLAIM], "bob": [CLAIM]},
            "half": {"ann": [CLAIM]},
            "decided": {"ann": [CLAIM], "bob": [CLAIM]},
        },
    )
    DECISIONS["accept-agreed"](
        db.session, project, doc("decided"), rita, {"version": 0}
    )
    page = progress.documents_page(db.session, project, rita)
    assert dict(page.counts) == {
        WAITING: 2,
        IN_PROGRESS: 0,
        SUBMITTED: 1,
        IN_REVIEW: 1,
        ADJUDICATED: 0,
    }
    assert page.n_matching == 4
    assert list(listed(project, rita, status="waiting")) == ["fresh", "half"]
    assert list(listed(project, rita, status="in_review")) == ["decided"]
    assert listed(project, rita, status="adjudicated") == {}


def test_unknown_filters_are_refused_naming_the_field(project, users):
    add_documents(project, "d1")
    for field, filters in [
        ("status", {"status": "done"}),
        ("label", {"label": "rumour"}),
    ]:
        with pytest.raises(progress.InvalidFilter) as refused:
            progress.documents_page(db.session, project, users["reviewer"], **filters)
        assert refused.value.field == field


# --------------------------------------------------------------------------
# The label filter
# --------------------------------------------------------------------------


def test_label_filter_reads_submitted_and_gold_spans_only(project, users):
    rita, annotator = users["reviewer"], users["annotator"]
    add_documents(
        project,
        "drafting",
        annotated={
            "claims": {"ann": [CLAIM], "bob": [CLAIM]},
            "denials": {"ann": [DENIAL], "bob": [CLAIM]},
            "gold-denial": {"ann": [CLAIM], "bob": [CLAIM]},
        },
    )
    # A denial drawn but not submitted does not count.
    drafting = take(project, annotator, "drafting")
    version = assignment_for(db.session, drafting, annotator).version
    data = {"start": 46, "end": 70, "label": "denial", "version": version}
    create_span(db.session, project, drafting.id, annotator, data)
    # A denial only in the gold layer counts.
    DECISIONS["add"](
        db.session,
        project,
        doc("gold-denial"),
        rita,
        {"version": 0, "start": 46, "end": 70, "label": "denial"},
    )
    assert list(listed(project, rita, label="denial")) == ["denials", "gold-denial"]
    assert list(listed(project, rita, label="claim")) == [
        "claims",
        "denials",
        "gold-denial",
    ]
    page = progress.documents_page(db.session, project, rita, label="denial")
    assert sum(page.counts.values()) == 2
    assert list(listed(project, rita, label="denial", status="in_review")) == [
        "gold-denial"
    ]


# --------------------------------------------------------------------------
# Blind annotation
# --------------------------------------------------------------------------


def test_a_viewer_annotating_a_document_learns_nothing_of_the_others(project, users):
    """The reviewer annotates too: on the document they have open, the other
    assignee stays unnamed, spans are not counted, no review link, and the
    label filter never matches it."""
    rita, annotator = users["reviewer"], users["annotator"]
    add_documents(project, "shared")
    shared = take(project, annotator, "shared")
    close(project, shared, annotator, "submitted", spans=[DENIAL])
    take(project, rita, "shared")
    row = listed(project, rita)["shared"]
    assert people(row) == [("reviewer", "in progress")]
    assert row.assignees[0].is_viewer
    assert (row.unnamed, row.n_spans, row.reviewable, row.annotating) == (
        1,
        None,
        False,
        True,
    )
    assert listed(project, rita, label="denial") == {}
    # Another reviewer sees everything.
    admin = users["padmin"]
    row = listed(project, admin)["shared"]
    assert people(row) == [("annotator", "submitted"), ("reviewer", "in progress")]
    assert (row.unnamed, row.n_spans, row.annotating) == (0, 1, False)
    assert list(listed(project, admin, label="denial")) == ["shared"]


# --------------------------------------------------------------------------
# Pages, and the cost of a page
# --------------------------------------------------------------------------


def test_pages_are_in_id_order_and_clamped(project, users):
    rita = users["reviewer"]
    add_documents(project, *[f"d{i}" for i in range(1, 6)])

    def page_of(number):
        return progress.documents_page(
            db.session, project, rita, page=number, per_page=2
        )

    assert [r.external_id for r in page_of(1).rows] == ["d1", "d2"]
    assert [r.external_id for r in page_of(3).rows] == ["d5"]
    assert (page_of(3).page, page_of(3).pages) == (3, 3)
    assert page_of(99).page == 3
    assert page_of(-4).page == 1
    assert page_of(2).n_matching == 5


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def queries_for_a_page(project, viewer):
    counter = Statements()
    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        progress.documents_page(db.session, project, viewer, label="claim")
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return counter.count


def test_a_page_costs_the_same_queries_for_3_or_60_documents(project, users):
    rita = users["reviewer"]
    both = {"ann": [CLAIM], "bob": [CLAIM]}
    add_documents(project, annotated={f"a{i}": both for i in range(3)})
    few = queries_for_a_page(project, rita)
    add_documents(project, annotated={f"b{i}": both for i in range(57)})
    many = queries_for_a_page(project, rita)
    # 3 rows on the page, then 50: not one query more.
    assert many == few
