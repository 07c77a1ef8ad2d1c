"""The demo seed: what `annotator seed` stores is what the seed files say, and
the demo annotators have work waiting for them."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from annotator.extensions import db
from annotator.models import Document, Label, Span, SpanLink, User
from annotator.services import agreement, assignments, seeding
from annotator.services.accounts import require_user
from annotator.services.projects import require_project
from tests.seed_files import DEMO_PROJECT, seed_records, unannotated_ids

TRIM = " \t\r\n.,;:"


@pytest.fixture
def demo(app):
    seeding.seed_demo(db.session, seeding.DEFAULT_SEED_DIR)
    return require_project(db.session, DEMO_PROJECT)


def stored_texts(project):
    rows = db.session.execute(
        select(Document.external_id, Document.text).where(
            Document.project_id == project.id
        )
    )
    return dict(rows.all())


def stored_spans(project):
    """(document id, annotator, start, end, label) of every stored span."""
    rows = db.session.execute(
        select(Document.external_id, User.username, Span.start, Span.end, Label.name)
        .select_from(Span)
        .join(Document, Document.id == Span.document_id)
        .join(User, User.id == Span.annotator_id)
        .join(Label, Label.id == Span.label_id)
        .where(Document.project_id == project.id)
    )
    return [tuple(row) for row in rows]


def file_spans():
    return [
        (record["id"], block["annotator"], s["start"], s["end"], s["label"])
        for record in seed_records()
        for block in record.get("annotations", [])
        for s in block["spans"]
    ]


def file_links():
    """(document id, annotator, denial, claim) of every link in the files."""
    links = set()
    for record in seed_records():
        for block in record.get("annotations", []):
            spans = {s.get("id"): s for s in block["spans"]}
            for link in block.get("links", []):
                denial, claim = spans[link["source"]], spans[link["target"]]
                links.add(
                    (
                        record["id"],
                        block["annotator"],
                        (denial["start"], denial["end"], denial["label"]),
                        (claim["start"], claim["end"], claim["label"]),
                    )
                )
    return links


def test_alice_and_bob_each_get_a_document_nobody_has_annotated(demo):
    waiting = unannotated_ids()
    assert len(waiting) == 3
    for name in ("alice", "bob"):
        user = require_user(db.session, name)
        document = assignments.next_document(db.session, demo, user)
        assert document is not None, f"{name} gets no document"
        assert document.external_id in waiting
        assert assignments.progress(db.session, demo, user).total == len(waiting)


def test_stored_texts_are_the_files_texts_unchanged(demo):
    texts = stored_texts(demo)
    assert texts == {record["id"]: record["text"] for record in seed_records()}
    assert "\r\n" in texts["fictional-grid-blackout"]  # CRLF kept
    deepfake = texts["fictional-deepfake-mayor"]
    assert "\U0001f6a8" in deepfake
    assert "Rene\u0301e" in deepfake  # not normalised to the precomposed é


def test_every_imported_span_is_a_trimmed_word_bounded_slice(demo):
    texts = stored_texts(demo)
    spans = stored_spans(demo)
    assert sorted(spans) == sorted(file_spans())
    for doc, who, start, end, label in spans:
        text = texts[doc]
        piece = text[start:end]
        where = f"{doc} {who} {label} {piece!r}"
        assert piece == piece.strip(TRIM), where
        assert start == 0 or not text[start - 1].isalnum(), where
        assert end == len(text) or not text[end].isalnum(), where


def test_denials_link_to_the_claims_the_files_name(demo):
    denial, claim = aliased(Span), aliased(Span)
    rows = db.session.execute(
        select(Document.external_id, User.username, denial, claim)
        .select_from(SpanLink)
        .join(denial, denial.id == SpanLink.source_id)
        .join(claim, claim.id == SpanLink.target_id)
        .join(Document, Document.id == denial.document_id)
        .join(User, User.id == denial.annotator_id)
        .where(Document.project_id == demo.id)
    ).all()
    stored = {
        (doc, who, (d.start, d.end, d.label.name), (c.start, c.end, c.label.name))
        for doc, who, d, c in rows
    }
    assert stored == file_links()
    assert {(d[2], c[2]) for *_, d, c in stored} == {("denial", "claim")}
    assert len(stored) >= 4


def test_agreement_compares_every_annotated_article(demo):
    annotated = [r for r in seed_records() if r.get("annotations")]
    report = agreement.compute_agreement(db.session, demo)
    assert report.n_compared_documents == len(annotated) == 5
    assert report.annotators == ("sample-a", "sample-b")
    alpha_u = report.unitizing.alpha_u.overall.value
    assert 0.3 < alpha_u < 0.9  # two annotators who disagree the way people do


def test_the_demo_labels_have_definitions_and_the_guideline_is_version_one(demo):
    from annotator.services import guideline

    for label in demo.labels:
        assert 20 < len(label.definition) <= 500, label.name
        assert label.examples.strip(), label.name
    assert [v.number for v in guideline.history(db.session, demo)] == [1]
    # Seeding again keeps an admin's own wording.
    demo.labels[0].definition = "Our own words."
    db.session.commit()
    seeding.seed_demo(db.session, seeding.DEFAULT_SEED_DIR)
    db.session.expire_all()
    assert demo.labels[0].definition == "Our own words."
