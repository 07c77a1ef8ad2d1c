"""What the bulk import path stores, read back through the models."""

import gc
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Assignment, AuditEvent, Document, Span, SpanLink
from annotator.services import collector
from annotator.services.documents import ImportRefused, import_files


def test_bulk_imported_spans_read_back_whole(project):
    text = "Officials said the blast was an accident 👍🏽; others doubt it."
    start = text.index("the blast")
    line = {
        "id": "doc-1",
        "text": text,
        "annotations": [
            {
                "annotator": "ann-b",
                "spans": [
                    {
                        "start": start,
                        "end": start + 9,
                        "label": "claim",
                        "attributes": {"source": "Officials"},
                        "note": "quoted, not asserted",
                    },
                    {
                        "start": text.index("others"),
                        "end": len(text) - 1,
                        "label": "hedge",
                    },
                ],
            }
        ],
    }
    before = datetime.now(UTC) - timedelta(seconds=5)
    data = json.dumps(line, ensure_ascii=False).encode()
    result = import_files(db.session, project, [("a.jsonl", data)])
    assert (result.added, result.spans) == (1, 2)
    db.session.expire_all()
    claim, hedge = db.session.scalars(select(Span).order_by(Span.start)).all()
    assert text[claim.start : claim.end] == "the blast"
    assert claim.label.name == "claim"
    assert claim.attributes == {"source": "Officials"}
    assert claim.note == "quoted, not asserted"
    assert hedge.attributes == {}
    assert hedge.note == ""
    assert text[hedge.start : hedge.end] == "others doubt it"
    assert {claim.origin, hedge.origin} == {"imported"}
    stamp = claim.created_at.replace(tzinfo=claim.created_at.tzinfo or UTC)
    assert before < stamp < datetime.now(UTC) + timedelta(seconds=5)
    assignment = db.session.scalar(select(Assignment))
    assert (assignment.status, assignment.version, assignment.skip_reason) == (
        "submitted",
        0,
        "",
    )


def _linked_line(external_id: str, annotator: str) -> dict[str, object]:
    text = f"{external_id}: the minister denied the report of the blast."
    claim = text.index("the report")
    denial = text.index("denied")
    return {
        "id": external_id,
        "text": text,
        "annotations": [
            {
                "annotator": annotator,
                "spans": [
                    {"id": "c", "start": claim, "end": claim + 10, "label": "claim"},
                    {"id": "d", "start": denial, "end": denial + 6, "label": "denial"},
                ],
                "links": [{"source": "d", "target": "c"}],
            },
            {
                "annotator": "plain",
                "spans": [{"start": 0, "end": 2, "label": "hedge"}],
            },
        ],
    }


def _import_lines(project, *lines):
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return import_files(db.session, project, [("a.jsonl", data)])


def test_imports_after_imports_keep_ids_documents_and_links_apart(
    project, other_project
):
    """Documents and linked spans get ids reserved ahead of their inserts:
    later imports, into this project or another, must not reuse them, and
    every span and link must land on its own document and annotator."""
    _import_lines(project, _linked_line("a1", "ann-a"), _linked_line("a2", "ann-b"))
    _import_lines(other_project, _linked_line("b1", "ann-a"))
    result = _import_lines(project, _linked_line("a3", "ann-c"))
    assert (result.added, result.spans) == (1, 3)
    db.session.expire_all()
    documents = db.session.scalars(select(Document).order_by(Document.id)).all()
    assert [document.external_id for document in documents] == ["a1", "a2", "b1", "a3"]
    for document in documents:
        spans = db.session.scalars(
            select(Span).where(Span.document_id == document.id)
        ).all()
        named = {(span.annotator_id, span.label.name): span for span in spans}
        assert len(named) == len(spans) == 3
        texts = {document.text[span.start : span.end] for span in spans}
        assert texts == {"the report", "denied", document.external_id[:2]}
        links = db.session.scalars(
            select(SpanLink).where(SpanLink.source_id.in_([s.id for s in spans]))
        ).all()
        [link] = links
        source = db.session.get(Span, link.source_id)
        target = db.session.get(Span, link.target_id)
        assert (source.label.name, target.label.name) == ("denial", "claim")
        assert source.annotator_id == target.annotator_id
        assert target.document_id == document.id
    assert db.session.scalar(select(func.count()).select_from(SpanLink)) == 4
    imports = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "import").order_by(AuditEvent.id)
    ).all()
    assert [event.data["spans"] for event in imports] == [6, 3, 3]


def test_an_import_resumes_the_collector_it_paused_even_when_refused(project):
    _import_lines(project, _linked_line("a1", "ann-a"))
    assert gc.isenabled()
    with pytest.raises(ImportRefused):
        _import_lines(project, {"text": ""})
    assert gc.isenabled()
    with collector.paused():  # an export streaming in another thread
        _import_lines(project, _linked_line("a2", "ann-a"))
        assert not gc.isenabled()
    assert gc.isenabled()
