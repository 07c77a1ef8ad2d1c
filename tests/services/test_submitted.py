"""Complete means complete: a document is reviewed and compared only once the
project's annotators per document have submitted it; skips free the place;
too few members who can annotate are said in words; a viewer's open
documents stay out of their agreement figures."""

import json

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document, Role
from annotator.services import agreement, assignments, projects, review, submitted
from annotator.services.adjudication import DECISIONS
from annotator.services.annotations import assignment_for, create_span, set_status
from annotator.services.documents import import_files

TEXT = "Officials said the strike was staged, and the other side denied it all."
WAITS_FOR_SECOND = (
    "1 document waits for a second annotator: the project needs 2 annotators "
    "per document."
)


@pytest.fixture(autouse=True)
def fresh_cache():
    agreement.clear_cache()
    yield
    agreement.clear_cache()


def record(doc_id, **spans_by_annotator):
    return {
        "id": doc_id,
        "text": TEXT,
        "annotations": [
            {
                "annotator": name,
                "spans": [
                    {"start": s, "end": e, "label": label} for s, e, label in spans
                ],
            }
            for name, spans in spans_by_annotator.items()
        ],
    }


def import_records(project, *records):
    data = "\n".join(json.dumps(r) for r in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])


def document(external_id):
    return db.session.scalar(
        select(Document).where(Document.external_id == external_id)
    )


def take(project, user, expected):
    """``user`` asks for the next document and gets ``expected``."""
    found = assignments.next_document(db.session, project, user)
    assert found is not None
    assert found.external_id == expected
    return found


def close(project, doc, user, status, spans=((0, 14, "claim"),)):
    """``user`` draws ``spans`` on ``doc`` and submits or skips it."""
    version = assignment_for(db.session, doc, user).version
    if status == "submitted":
        for start, end, label in spans:
            data = {"start": start, "end": end, "label": label, "version": version}
            _, version = create_span(db.session, project, doc.id, user, data)
    set_status(
        db.session, doc, user, {"version": version, "status": status, "reason": "x"}
    )


def queued(project):
    return [entry.external_id for entry in review.review_queue(db.session, project)]


def compared(project, viewer=None):
    summary = agreement.project_agreement(db.session, project, viewer=viewer)
    return sorted(ref.external_id for ref in summary.documents.values())


@pytest.fixture
def half(project):
    """Alpha (2 annotators per document): "full" submitted by ann and bob,
    "half" by ann only."""
    import_records(
        project,
        record("full", ann=[(0, 14, "claim")], bob=[(0, 14, "claim")]),
        record("half", ann=[(0, 14, "claim")]),
    )
    return document("half")


# --------------------------------------------------------------------------
# Complete
# --------------------------------------------------------------------------


def test_one_submission_of_two_is_waiting_not_reviewed_or_compared(project, half):
    assert queued(project) == ["full"]
    assert submitted.is_reviewable(db.session, half) is False
    summary = agreement.project_agreement(db.session, project)
    assert compared(project) == ["full"]
    assert summary.left_out == {
        "fewer annotators have submitted it than the project needs (2)": 1
    }
    assert WAITS_FOR_SECOND in summary.warnings[-1]
    assert review.queue_overview(db.session, project).waiting.startswith(
        WAITS_FOR_SECOND
    )
    assert summary.to_dict()["coverage"]["annotators_per_document"] == 2


def test_the_second_submission_completes_the_document(project, half, users):
    before = agreement.project_agreement(db.session, project).report
    annotator = users["annotator"]
    close(project, take(project, annotator, "half"), annotator, "submitted")
    assert queued(project) == ["full", "half"]
    assert submitted.is_reviewable(db.session, half) is True
    summary = agreement.project_agreement(db.session, project)
    assert compared(project) == ["full", "half"]
    assert summary.report.n_compared_documents == before.n_compared_documents + 1
    assert summary.report.annotators == ("ann", "annotator", "bob")
    assert summary.left_out == {}
    assert review.queue_overview(db.session, project).waiting is None
    assert not any("wait" in warning for warning in summary.warnings)


def test_a_skip_is_not_a_submission_and_frees_the_place(project, half, users):
    annotator, reviewer = users["annotator"], users["reviewer"]
    close(project, take(project, annotator, "half"), annotator, "skipped")
    assert queued(project) == ["full"]
    assert compared(project) == ["full"]
    summary = agreement.project_agreement(db.session, project)
    assert WAITS_FOR_SECOND in summary.warnings[-1]
    close(project, take(project, reviewer, "half"), reviewer, "submitted")
    assert queued(project) == ["full", "half"]
    assert compared(project) == ["full", "half"]


def test_a_document_still_being_worked_on_is_not_reviewed(project, half, users):
    annotator = users["annotator"]
    take(project, annotator, "half")
    assert queued(project) == ["full"]
    assert review.queue_overview(db.session, project).waiting.startswith(
        WAITS_FOR_SECOND
    )


def test_more_submissions_than_needed_are_complete(project):
    spans = [(0, 14, "claim")]
    import_records(project, record("three", ann=spans, bob=spans, cat=spans))
    assert queued(project) == ["three"]
    report = agreement.project_agreement(db.session, project).report
    assert report.annotators == ("ann", "bob", "cat")


def test_one_annotator_per_document_is_complete_but_not_compared(project):
    project.annotators_per_document = 1
    db.session.commit()
    import_records(project, record("single", ann=[(0, 14, "claim")]))
    assert queued(project) == ["single"]
    summary = agreement.project_agreement(db.session, project)
    assert summary.left_out == {agreement.REASON_ONE_SUBMITTED: 1}
    assert review.queue_overview(db.session, project).waiting is None


def test_a_document_with_review_decisions_stays_reviewable(project, users):
    """Decided on under an earlier rule (here: one annotator per document):
    nobody new may join it, so it stays in the queue rather than vanish."""
    project.annotators_per_document = 1
    db.session.commit()
    import_records(project, record("decided", ann=[(0, 14, "claim")]))
    doc = document("decided")
    DECISIONS["accept-agreed"](
        db.session, project, doc, users["reviewer"], {"version": 0}
    )
    project.annotators_per_document = 2
    db.session.commit()
    assert queued(project) == ["decided"]
    assert assignments.next_document(db.session, project, users["annotator"]) is None


# --------------------------------------------------------------------------
# Too few members who can annotate
# --------------------------------------------------------------------------


@pytest.fixture
def solo(users):
    """A project needing 2 annotators whose one member annotated everything."""
    created = projects.create_project(db.session, "Solo")
    import_records(
        created,
        record("one", solo=[(0, 14, "claim")]),
        record("two", solo=[(0, 14, "hedge")]),
        record("three", solo=[]),
    )
    return created


SOLO_WAITING = (
    "3 documents wait for a second annotator: the project needs 2 annotators "
    "per document and has 1 who can annotate; add members who can annotate to "
    "complete them. Until then they are not reviewed or counted in the "
    "agreement figures."
)


def test_too_few_members_who_can_annotate_is_said_in_words(solo, users):
    assert submitted.eligible_annotators(db.session, solo) == 1
    overview = review.queue_overview(db.session, solo)
    assert (overview.entries, overview.waiting) == ([], SOLO_WAITING)
    summary = agreement.project_agreement(db.session, solo)
    assert SOLO_WAITING in summary.warnings
    coverage = summary.to_dict()["coverage"]
    assert coverage["annotators_who_can_annotate"] == 1
    assert coverage["left_out"] == [
        {
            "reason": "fewer annotators have submitted it than the project needs (2)",
            "n_documents": 3,
        }
    ]
    projects.add_member(db.session, solo, users["annotator"], Role.ANNOTATOR, None)
    again = agreement.project_agreement(db.session, solo)
    assert again is not summary  # the members are part of the cached version
    assert any(w.startswith("3 documents wait for a second") for w in again.warnings)
    assert not any("who can annotate" in w for w in again.warnings)


def test_too_few_members_before_anyone_submitted(users):
    created = projects.create_project(db.session, "Empty", annotators_per_document=3)
    projects.add_member(db.session, created, users["annotator"], Role.ANNOTATOR, None)
    import_files(db.session, created, [("plain.txt", b"Nobody annotated this.")])
    assert review.queue_overview(db.session, created).waiting == (
        "The project needs 3 annotators per document and has 1 who can "
        "annotate: its documents cannot be completed until more members who "
        "can annotate join it."
    )
    summary = agreement.project_agreement(db.session, created)
    assert summary.warnings[0] == (
        "No document has been submitted by three annotators yet: there is "
        "nothing to compare."
    )


# --------------------------------------------------------------------------
# The viewer's open documents
# --------------------------------------------------------------------------


@pytest.fixture
def opened(project, users):
    """Two complete documents; the reviewer has "clash" open to annotate (it
    took a third place while the project asked for three)."""
    import_records(
        project,
        record("clash", ann=[(0, 14, "claim")], bob=[(0, 14, "hedge")]),
        record("calm", ann=[(0, 14, "claim")], bob=[(0, 14, "claim")]),
    )
    project.annotators_per_document = 3
    db.session.commit()
    take(project, users["reviewer"], "clash")
    project.annotators_per_document = 2
    db.session.commit()
    return document("clash")


def test_a_viewer_does_not_see_the_documents_they_have_open(opened, project, users):
    theirs = agreement.project_agreement(db.session, project, viewer=users["reviewer"])
    others = agreement.project_agreement(db.session, project, viewer=users["padmin"])
    nobody = agreement.project_agreement(db.session, project)
    assert compared(project, users["reviewer"]) == ["calm"]
    assert compared(project, users["padmin"]) == ["calm", "clash"]
    assert theirs.left_out == {agreement.REASON_VIEWER_OPEN: 1}
    assert others.left_out == nobody.left_out == {}
    assert theirs.report.unitizing.f1_exact.overall.value == 1.0
    assert others.report.unitizing.f1_exact.overall.value < 1.0
    data = theirs.to_dict()
    assert [d["external_id"] for d in data["documents"]] == ["calm"]
    assert data["coverage"]["left_out"] == [
        {"reason": "you have it open to annotate", "n_documents": 1}
    ]
    assert "clash" not in json.dumps(data)
    # the cache never hands one viewer's report to another
    again = agreement.project_agreement(db.session, project, viewer=users["reviewer"])
    assert again is theirs
    assert agreement.project_agreement(db.session, project) is nobody
    assert nobody.report.n_compared_documents == 2


def test_the_figures_come_back_once_the_viewer_submits(opened, project, users):
    reviewer = users["reviewer"]
    assert compared(project, reviewer) == ["calm"]
    close(project, opened, reviewer, "submitted")
    assert compared(project, reviewer) == ["calm", "clash"]


# --------------------------------------------------------------------------
# The rule in SQL agrees with the rule in Python
# --------------------------------------------------------------------------


def test_the_sql_clauses_select_what_the_read_model_counts(project, half, users):
    spans = [(0, 14, "claim")]
    import_records(project, record("three", ann=spans, bob=spans, cat=spans))
    import_files(db.session, project, [("none.txt", b"Nobody annotated this.")])
    close(
        project,
        take(project, users["annotator"], "half"),
        users["annotator"],
        "skipped",
    )
    work = submitted.project_work(db.session, project)
    ids = db.session.scalars(
        select(Document.id).where(Document.project_id == project.id)
    ).all()

    def chosen(clause):
        found = select(Document.external_id).where(
            Document.project_id == project.id, clause
        )
        return sorted(db.session.scalars(found))

    def names(wanted):
        return sorted(document_name(i) for i in ids if wanted(i))

    def document_name(doc_id):
        return db.session.get(Document, doc_id).external_id

    assert chosen(submitted.complete_clause(Document.id, 2)) == names(work.is_complete)
    assert chosen(submitted.complete_clause(Document.id, 2)) == ["full", "three"]
    assert chosen(submitted.submitted_clause(Document.id)) == [
        "full",
        "half",
        "three",
    ]
    assert chosen(submitted.complete_clause(Document.id, 3)) == ["three"]
