"""A new span is refused for the same reasons, with the same field and
message and in the same order, whether it comes through the page's fast save
(create_span) or through add_span (accepting a suggestion)."""

import pytest
from sqlalchemy import func, select

from annotator.core import spans as core_spans
from annotator.extensions import db
from annotator.models import Document, Span
from annotator.services import annotations, assignments
from annotator.services.annotations import InvalidAnnotation
from annotator.services.documents import import_files


@pytest.fixture
def document(project, users):
    import_files(db.session, project, [("a.txt", b"Moscow denied the attack.")])
    assignments.next_document(db.session, project, users["annotator"])
    return db.session.scalar(select(Document))


def _create(project, document, user, body):
    return annotations.create_span(db.session, project, document.id, user, body)


def _add(project, document, user, body):
    try:
        return annotations.add_span(db.session, project, document, user, body)
    finally:
        db.session.commit()


def _refusal(save, project, document, user, **span):
    version = annotations.load_annotation(db.session, document, user)["version"]
    body = {"start": 0, "end": 6, "label": "claim", "version": version, **span}
    with pytest.raises(InvalidAnnotation) as refused:
        save(project, document, user, body)
    db.session.rollback()
    return refused.value.field, str(refused.value)


def _count():
    return db.session.scalar(select(func.count()).select_from(Span))


@pytest.mark.parametrize("save", [_create, _add], ids=["create_span", "add_span"])
def test_both_ways_in_refuse_a_new_span_alike(
    save, project, document, users, monkeypatch
):
    user = users["annotator"]
    version = annotations.load_annotation(db.session, document, user)["version"]
    first = {"start": 0, "end": 6, "label": "claim", "version": version}
    save(project, document, user, first)
    assert _count() == 1

    field, message = _refusal(save, project, document, user)
    assert field == "span"
    assert "you already have this span with this label" in message

    field, message = _refusal(save, project, document, user, label="nonsense")
    assert field == "label"
    assert "unknown label 'nonsense'" in message

    field, _ = _refusal(save, project, document, user, end=99)
    assert field == "end"

    # Too many spans is named before a duplicate, as the API always did.
    monkeypatch.setattr(core_spans, "MAX_SPANS_PER_DOCUMENT", 1)
    field, message = _refusal(save, project, document, user)
    assert (field, "at most 1 spans per document" in message) == ("span", True)
    field, message = _refusal(save, project, document, user, start=7, end=13)
    assert "at most 1 spans per document" in message
    assert _count() == 1


@pytest.mark.parametrize("save", [_create, _add], ids=["create_span", "add_span"])
def test_both_ways_in_refuse_spans_on_submitted_work(save, project, document, users):
    user = users["annotator"]
    version = annotations.load_annotation(db.session, document, user)["version"]
    annotations.set_status(
        db.session, document, user, {"status": "submitted", "version": version}
    )
    field, message = _refusal(save, project, document, user)
    assert field == "status"
    assert "this document is submitted: reopen it to change spans" in message
    assert _count() == 0


def test_the_refusals_of_a_new_span_come_in_order():
    span = core_spans.Span(0, 3, "claim")
    labels = {"claim"}

    def first(existing, duplicate, span=span):
        errors = core_spans.new_span_errors(
            span, "abcdef", labels, existing, duplicate, "span"
        )
        return [error.message for error in errors][:1]

    assert first(0, False) == []
    assert first(0, True) == ["you already have this span with this label"]
    limit = core_spans.MAX_SPANS_PER_DOCUMENT
    assert first(limit, True) == [f"at most {limit} spans per document"]
    past_end = core_spans.Span(0, 9, "claim")
    assert first(limit, True, past_end)[0].startswith("9 is past the end")
