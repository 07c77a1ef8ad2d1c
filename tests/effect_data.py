"""A small generated gold project where suggestions had an effect: a cue
lexicon of two words, accepted and rejected suggestions, accepted spans of
which one was relabelled by the reviewers, and annotators who disagree on
the calibration documents only. Used by the service, web and CLI tests of
the suggestion effect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from annotator.extensions import db
from annotator.models import (
    Assignment,
    Document,
    GoldSpan,
    Project,
    Span,
    SpanOrigin,
    SuggestionDecision,
    User,
)
from annotator.services.suggestions import lexicons, settings
from tests.gold_data import make_gold_project

LEXICON = {
    "labels": {"hedge": ["reportedly"], "denial": ["denied"]},
    "contexts": {},
}
SHARE = 0.4


def _decide(document: Document, user: User, n: int, accepted: bool) -> None:
    db.session.add(
        SuggestionDecision(
            document_id=document.id,
            annotator_id=user.id,
            suggestion_id=f"s{n}",
            start=0,
            end=1,
            label="hedge",
            score=0.8,
            suggester="rules",
            suggester_version="2",
            decision="accepted" if accepted else "rejected",
        )
    )


def make_effect_project(project: Project, reviewer: User) -> dict[str, Any]:
    """Build it; the records and what the figures must be built from."""
    records = make_gold_project(project, reviewer, documents=30, seed=11)
    settings.set_suggestions(db.session, project, "calibrate", SHARE)
    lexicons.save_lexicon(db.session, project, LEXICON, None)
    stored = settings.settings_for(db.session, project.id)
    documents = db.session.scalars(select(Document).order_by(Document.id)).all()
    calibration = [d for d in documents if settings.is_calibration(stored, d.id)]
    ann = db.session.scalar(select(User).where(User.username == "ann"))
    bob = db.session.scalar(select(User).where(User.username == "bob"))
    assert ann is not None
    assert bob is not None
    # ann accepted 3 suggestions (spans below) and rejected 1; bob rejected 2.
    first = documents[0]
    for n, accepted in enumerate([True, True, True, False]):
        _decide(first, ann, n, accepted)
    for n in range(2):
        _decide(first, bob, 10 + n, False)
    suggested = db.session.scalars(
        select(Span)
        .where(Span.annotator_id == ann.id)
        .order_by(Span.document_id, Span.start)
        .limit(3)
    ).all()
    for span in suggested:
        span.origin = SpanOrigin.SUGGESTED
        span.suggester, span.suggester_version = "rules", "2"
    # The reviewers relabelled the third: its gold span has another label.
    relabelled = suggested[2]
    gold = db.session.scalar(
        select(GoldSpan).where(
            GoldSpan.document_id == relabelled.document_id,
            GoldSpan.start == relabelled.start,
            GoldSpan.end == relabelled.end,
        )
    )
    assert gold is not None
    other = next(label for label in project.labels if label.id != gold.label_id)
    old = next(label for label in project.labels if label.id == gold.label_id)
    gold.label_id = other.id
    document = db.session.get(Document, relabelled.document_id)
    assert document is not None
    change = (document.external_id, gold.start, gold.end, old.name, other.name)
    # bob drew nothing on the calibration documents: agreement drops there.
    for document in calibration:
        for span in db.session.scalars(
            select(Span).where(
                Span.document_id == document.id, Span.annotator_id == bob.id
            )
        ):
            db.session.delete(span)
    # What each annotator was shown: suggestions everywhere but on the
    # calibration documents (as the suggestions endpoint records it).
    for assignment in db.session.scalars(select(Assignment)):
        withheld = assignment.document in calibration
        assignment.suggestions_shown = not withheld
        assignment.suggestions_withheld = "calibration" if withheld else None
    db.session.commit()
    return {
        "records": records,
        "documents": documents,
        "calibration": calibration,
        # (document, start, end, label before, label after) of the gold span
        "relabelled": change,
    }
