"""The project agreement service: figures from submitted work, left-out
documents, the cache, and the side-by-side comparison of one document."""

import json

import pytest
from sqlalchemy import select, update

from annotator.core.agreement import (
    REASON_NO_SPANS,
    cohen_kappa,
    krippendorff_alpha,
    span_f1,
    unitizing_alpha,
)
from annotator.core.diff import GroupKind
from annotator.extensions import db
from annotator.models import Assignment, AssignmentStatus, Document, Label, Span, User
from annotator.services import agreement, review, seeding
from annotator.services.agreement import project as agreement_project
from annotator.services.documents import find_document, import_files
from annotator.services.errors import NotFoundError, ServiceError

SEED_FILE = (
    seeding.DEFAULT_SEED_DIR / "russia-ukraine-false-flag.sample-annotations.jsonl"
)


@pytest.fixture(autouse=True)
def fresh_cache():
    agreement.clear_cache()
    yield
    agreement.clear_cache()


@pytest.fixture
def sampled(project):
    """Alpha with the seed's sample article as sample-a and sample-b annotated
    it: the figures below are worked out for that one document."""
    import_files(db.session, project, [(SEED_FILE.name, SEED_FILE.read_bytes())])
    return project


def seed_record():
    return json.loads(SEED_FILE.read_text(encoding="utf-8").splitlines()[0])


def seed_spans():
    record = seed_record()
    return record["text"], {
        a["annotator"]: [(s["start"], s["end"], s["label"]) for s in a["spans"]]
        for a in record["annotations"]
    }


def import_jsonl(project, *records):
    data = "\n".join(json.dumps(record) for record in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])


def annotated(doc_id, text, **spans_by_annotator):
    return {
        "id": doc_id,
        "text": text,
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


def char_rows(length, by_annotator):
    """One row per annotator: the set of labels covering each character."""
    return [
        [frozenset(label for s, e, label in spans if s <= c < e) for c in range(length)]
        for spans in by_annotator.values()
    ]


# --------------------------------------------------------------------------
# The seed's sample article
# --------------------------------------------------------------------------


def test_seed_figures_equal_the_core_functions_on_the_same_spans(sampled):
    report = agreement.compute_agreement(db.session, sampled)
    text, spans = seed_spans()
    a, b = spans["sample-a"], spans["sample-b"]
    units = [
        (name, s, e, label) for name, found in spans.items() for s, e, label in found
    ]
    headline = report.unitizing

    assert headline.alpha_u.overall.value == pytest.approx(
        unitizing_alpha(len(text), units), abs=1e-12
    )
    assert headline.f1_exact.overall.value == pytest.approx(span_f1(a, b).f1)
    assert headline.f1_partial.overall.value == pytest.approx(
        span_f1(a, b, mode="partial").f1
    )
    rows = char_rows(len(text), spans)
    coding = report.coding.overall.all_units
    assert coding.krippendorff_alpha.value == pytest.approx(krippendorff_alpha(rows))
    assert report.coding.cohen_kappa[0].all_units.value == pytest.approx(
        cohen_kappa(rows[0], rows[1])
    )


def test_seed_figures_as_a_reviewer_reads_them(sampled):
    summary = agreement.project_agreement(db.session, sampled)
    report = summary.report
    assert report.annotators == ("sample-a", "sample-b")
    assert report.labels == ("claim", "denial", "hedge", "false_flag_warning")
    assert (report.n_compared_documents, report.n_spans) == (1, 34)
    exact = report.unitizing.f1_exact.overall.value
    partial = report.unitizing.f1_partial.overall.value
    assert exact < partial  # part of the disagreement is only about boundaries
    assert round(report.unitizing.alpha_u.overall.value, 3) == 0.660
    assert (round(exact, 3), round(partial, 3)) == (0.471, 0.652)
    assert summary.left_out == {}
    assert any("Only 1 document compared" in w for w in summary.warnings)


def test_the_report_is_reproducible(sampled):
    first = agreement.compute_agreement(db.session, sampled).to_dict()
    agreement.clear_cache()
    assert agreement.compute_agreement(db.session, sampled).to_dict() == first


def test_token_units_change_only_the_coding_figures(sampled):
    chars = agreement.compute_agreement(db.session, sampled, unit="char")
    tokens = agreement.compute_agreement(db.session, sampled, unit="token")
    assert tokens.coding.unit == "token"
    assert tokens.unitizing == chars.unitizing
    n_chars = chars.coding.overall.all_units.krippendorff_alpha.n_units
    n_tokens = tokens.coding.overall.all_units.krippendorff_alpha.n_units
    assert 0 < n_tokens < n_chars


def test_labels_restrict_the_report(sampled):
    everything = agreement.compute_agreement(db.session, sampled)
    claims = agreement.compute_agreement(db.session, sampled, labels=["claim"])
    assert claims.labels == ("claim",)
    assert claims.unitizing.alpha_u.per_label["claim"].value == pytest.approx(
        everything.unitizing.alpha_u.per_label["claim"].value
    )
    assert claims.n_spans == 16


def test_unknown_units_and_labels_are_refused_plainly(sampled):
    with pytest.raises(ServiceError, match="unit 'word'"):
        agreement.compute_agreement(db.session, sampled, unit="word")
    with pytest.raises(ServiceError, match="unknown label 'rumour'"):
        agreement.compute_agreement(db.session, sampled, labels=["rumour"])


# --------------------------------------------------------------------------
# What counts
# --------------------------------------------------------------------------


def set_status(username, status):
    user = db.session.scalar(select(User).where(User.username == username))
    db.session.execute(
        update(Assignment).where(Assignment.user_id == user.id).values(status=status)
    )
    db.session.commit()


def test_work_in_progress_is_left_out_with_the_reason(sampled):
    set_status("sample-b", AssignmentStatus.IN_PROGRESS)
    summary = agreement.project_agreement(db.session, sampled)
    report = summary.report
    assert report.n_compared_documents == 0
    assert summary.left_out == {agreement.reason_fewer(2): 1}
    assert report.unitizing.alpha_u.overall.value is None
    assert report.unitizing.alpha_u.overall.reason
    assert summary.warnings[0].startswith("No document has been submitted by two")
    assert "1 of 1 documents left out" in summary.warnings[1]


def test_documents_nobody_submitted_are_counted_as_left_out(project):
    import_jsonl(
        project,
        annotated(
            "pair",
            "Alpha said it. Beta denied it.",
            a=[(0, 14, "claim")],
            b=[(0, 14, "claim")],
        ),
        annotated("single", "Gamma hedged.", a=[(0, 5, "hedge")]),
        {"id": "untouched", "text": "Nobody read this."},
    )
    summary = agreement.project_agreement(db.session, project)
    assert summary.n_project_documents == 3
    assert summary.left_out == {
        agreement.REASON_NOT_SUBMITTED: 1,
        "fewer annotators have submitted it than the project needs (2)": 1,
    }
    assert [ref.external_id for ref in summary.documents.values()] == ["pair"]
    assert summary.report.unitizing.f1_exact.overall.value == 1.0


def test_two_annotators_without_spans_give_a_reason_not_a_crash(project):
    import_jsonl(project, annotated("empty", "Nothing to tag here.", a=[], b=[]))
    summary = agreement.project_agreement(db.session, project)
    headline = summary.report.unitizing
    assert summary.report.n_compared_documents == 1
    assert headline.alpha_u.overall.reason == REASON_NO_SPANS
    assert headline.f1_partial.overall.value is None
    assert f"Unitizing alpha (alpha-u) is not defined: {REASON_NO_SPANS}." in (
        summary.warnings
    )
    assert summary.to_dict()["documents"][0]["reason"] == REASON_NO_SPANS


def test_an_empty_project_has_a_report_and_says_why(project):
    summary = agreement.project_agreement(db.session, project)
    assert summary.report.n_documents == 0
    assert summary.warnings[0].startswith("No document has been submitted by two")
    json.dumps(summary.to_dict(), allow_nan=False)


# --------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------


@pytest.fixture
def count_reports(monkeypatch):
    calls = []
    original = agreement_project.agreement_report

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(agreement_project, "agreement_report", counting)
    return calls


def add_span(document, username, start, end, label="claim"):
    user = db.session.scalar(select(User).where(User.username == username))
    label_id = db.session.scalar(
        select(Label.id).where(
            Label.project_id == document.project_id, Label.name == label
        )
    )
    db.session.add(
        Span(
            document_id=document.id,
            annotator_id=user.id,
            label_id=label_id,
            start=start,
            end=end,
        )
    )
    db.session.commit()


def test_the_report_is_computed_once_per_change(sampled, count_reports):
    first = agreement.compute_agreement(db.session, sampled)
    assert agreement.compute_agreement(db.session, sampled) is first
    assert len(count_reports) == 1

    document = db.session.scalar(
        select(Document).where(Document.project_id == sampled.id)
    )
    add_span(document, "sample-b", 245, 262)
    second = agreement.compute_agreement(db.session, sampled)
    assert len(count_reports) == 2
    assert second.n_spans == first.n_spans + 1
    assert (
        second.unitizing.f1_exact.overall.value > first.unitizing.f1_exact.overall.value
    )


def test_a_submission_or_a_moved_span_recomputes(sampled, count_reports):
    first = agreement.compute_agreement(db.session, sampled)
    set_status("sample-b", AssignmentStatus.IN_PROGRESS)
    assert agreement.compute_agreement(db.session, sampled).n_compared_documents == 0
    set_status("sample-b", AssignmentStatus.SUBMITTED)
    span = db.session.scalar(select(Span).where(Span.start == 615))
    span.start = 626  # sample-b now agrees with sample-a on this denial
    db.session.commit()
    moved = agreement.compute_agreement(db.session, sampled)
    assert len(count_reports) == 3
    exact = moved.unitizing.f1_exact.overall.value
    assert exact > first.unitizing.f1_exact.overall.value


# --------------------------------------------------------------------------
# One document side by side
# --------------------------------------------------------------------------


def test_document_comparison_lists_each_annotators_spans_and_classifies(sampled):
    document = db.session.scalar(
        select(Document).where(Document.project_id == sampled.id)
    )
    comparison = agreement.document_comparison(
        db.session, sampled, document, show_names=True
    )
    text, spans = seed_spans()
    assert [row.annotator for row in comparison.rows] == ["sample-a", "sample-b"]
    for row in comparison.rows:
        assert sorted(row.spans) == sorted(spans[row.annotator])
        assert "".join(text[s.start : s.end] for s in row.segments) == text
    assert comparison.kind_counts == {
        GroupKind.SAME: 8,
        GroupKind.LABEL: 1,
        GroupKind.BOUNDARY: 4,
        GroupKind.PARTIAL: 8,
    }
    relabelled = next(g for g in comparison.groups if g.kind is GroupKind.LABEL)
    assert (relabelled.start, relabelled.end) == (2061, 2141)
    assert relabelled.spans == {
        "sample-a": ((2061, 2141, "claim"),),
        "sample-b": ((2061, 2141, "denial"),),
    }
    assert len(comparison.disagreements) == 13


def test_document_comparison_hides_names_as_the_review_page_does(sampled):
    document = db.session.scalar(
        select(Document).where(Document.project_id == sampled.id)
    )
    hidden = agreement.document_comparison(db.session, sampled, document)
    assert [row.annotator for row in hidden.rows] == ["A", "B"]
    assert not hidden.names_shown
    relabelled = next(g for g in hidden.groups if g.kind is GroupKind.LABEL)
    assert set(relabelled.spans) == {"A", "B"}
    review_page = review.document_review(db.session, sampled, document)
    keys = {a["key"]: a["n_spans"] for a in review_page["annotators"]}
    assert keys == {row.annotator: len(row.spans) for row in hidden.rows}


def test_documents_are_found_only_in_their_own_project(sampled, other_project):
    import_jsonl(other_project, {"id": "secret", "text": "Beta's secret article."})
    secret = db.session.scalar(select(Document).where(Document.external_id == "secret"))
    with pytest.raises(NotFoundError):
        find_document(db.session, sampled, secret.id)
    with pytest.raises(NotFoundError):
        agreement.document_comparison(db.session, sampled, secret)


# --------------------------------------------------------------------------
# The agreement page and the review queue speak about the same groups
# --------------------------------------------------------------------------

TEXT = "Officials said the strike was staged, and the other side denied it all."


def test_review_queue_and_report_list_documents_alike(project):
    """F1 ranks the one-label clash first (partial F1 0); the review queue ranks
    the three small boundary differences first, and so does the report."""
    import_jsonl(
        project,
        annotated("clash", TEXT, ann=[(0, 36, "claim")], bob=[(0, 36, "hedge")]),
        annotated(
            "cuts",
            TEXT,
            ann=[(0, 9, "claim"), (10, 36, "claim"), (42, 70, "denial")],
            bob=[(1, 9, "claim"), (11, 36, "claim"), (43, 70, "denial")],
        ),
        annotated("calm", TEXT, ann=[(0, 9, "claim")], bob=[(0, 9, "claim")]),
    )
    summary = agreement.project_agreement(db.session, project)
    listed = [
        (summary.documents[e.document_id].external_id, e)
        for e in summary.report.documents
    ]
    by_name = dict(listed)
    assert by_name["clash"].disagreement > by_name["cuts"].disagreement
    queue = review.review_queue(db.session, project)
    assert [e.external_id for e in queue] == [name for name, _ in listed]
    assert [e.external_id for e in queue] == ["cuts", "clash", "calm"]
    assert [(e.n_disagreements, e.n_groups) for e in queue] == [
        (entry.n_disagreeing_groups, entry.n_groups) for _, entry in listed
    ]
    data = summary.to_dict()["documents"]
    assert [(d["external_id"], d["n_disagreeing_groups"]) for d in data] == [
        ("cuts", 3), ("clash", 1), ("calm", 0),
    ]  # fmt: skip


def test_confusion_off_the_diagonal_is_what_the_review_pages_show(sampled):
    """Every label disagreement in the confusion matrix is one a reviewer sees
    in a group of the review page, and "none" counts the PARTIAL groups'
    missing annotators."""
    report = agreement.compute_agreement(db.session, sampled)
    labels = report.labels
    expected = {(x, y): 0 for x in labels for y in (*labels, "none")}
    for entry in report.documents:
        document = db.session.get(Document, entry.document_id)
        page = review.document_review(db.session, sampled, document, show_names=True)
        label_of = {span["id"]: span["label"] for span in page["spans"]}
        for group in page["groups"]:
            given = {
                key: {label_of[i] for i in ids}
                for key, ids in group["span_ids"].items()
            }
            missing = len(page["annotators"]) - len(given)
            assert (missing > 0) == (group["kind"] == "partial")
            for a, mine in given.items():
                for x in mine:
                    expected[x, "none"] += missing
                    for b, theirs in given.items():
                        if b != a:
                            for y in [x] if x in theirs else theirs:
                                expected[x, y] += 1
    assert report.confusion.counts == tuple(
        tuple(expected[x, y] for y in (*labels, "none")) for x in labels
    )
    assert sum(report.confusion.counts[0][1:]) > 0  # the seed has disagreements
