"""What the annotation page reads: one annotator's assignment, spans and
links on a document (annotation is blind: never anyone else's), and the
source names offered as suggestions. Offsets are code points, end
exclusive."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import (
    Assignment,
    Document,
    GoldSpan,
    Label,
    Project,
    SpanLink,
    User,
)
from annotator.models import Span as SpanRow
from annotator.services.errors import NotFoundError

MAX_SOURCES = 500


def assignment_for(session: Session, document: Document, user: User) -> Assignment:
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.document_id == document.id, Assignment.user_id == user.id
        )
    )
    if assignment is None:
        raise NotFoundError("this document is not assigned to you")
    return assignment


def span_json(span: SpanRow, label_name: str) -> dict[str, Any]:
    return {
        "id": span.id,
        "start": span.start,
        "end": span.end,
        "label": label_name,
        "attributes": span.attributes,
        "note": span.note,
    }


def load_annotation(session: Session, document: Document, user: User) -> dict[str, Any]:
    """This user's own spans and links on the document (annotation is blind).

    Plain column reads, no ORM objects: the page of a long article loads
    thousands of spans.
    """
    assignment = assignment_for(session, document, user)
    mine = (SpanRow.document_id == document.id, SpanRow.annotator_id == user.id)
    rows = session.execute(
        select(
            SpanRow.id,
            SpanRow.start,
            SpanRow.end,
            Label.name,
            SpanRow.attributes,
            SpanRow.note,
        )
        .join(Label, Label.id == SpanRow.label_id)
        .where(*mine)
        .order_by(SpanRow.start, SpanRow.end, SpanRow.id)
    )
    links = session.execute(
        select(SpanLink.id, SpanLink.source_id, SpanLink.target_id, SpanLink.kind)
        .join(SpanRow, SpanRow.id == SpanLink.source_id)
        .where(*mine)
        .order_by(SpanLink.id)
    )
    fields = ("id", "start", "end", "label", "attributes", "note")
    return {
        "version": assignment.version,
        "status": assignment.status,
        "skip_reason": assignment.skip_reason,
        "spans": [dict(zip(fields, row, strict=True)) for row in rows],
        "links": [
            {"id": id_, "source": source, "target": target, "kind": kind}
            for id_, source, target, kind in links
        ],
    }


def project_sources(session: Session, project: Project, user: User) -> list[str]:
    """Source names for suggestions: the user's own, and the gold layer's.

    Not other annotators' sources: those would tell a blind annotator who
    someone else thought was speaking.
    """
    found: set[str] = set()
    for model, mine in (
        (SpanRow, SpanRow.annotator_id == user.id),
        (GoldSpan, GoldSpan.id.is_not(None)),
    ):
        source = model.attributes["source"].as_string()
        found.update(
            session.scalars(
                select(source)
                .join(Document, Document.id == model.document_id)
                .where(Document.project_id == project.id, mine, source.is_not(None))
                .distinct()
                .limit(MAX_SOURCES)
            )
        )
    return sorted(value for value in found if value)
