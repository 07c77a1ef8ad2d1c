"""The rows of an import: documents, assignments, spans and links, written
with one bulk insert per table under ids reserved first (``services.bulk``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from annotator.core.importing import ImportedAnnotation, ImportedDocument
from annotator.core.queue import random_rank
from annotator.models import (
    Assignment,
    AssignmentStatus,
    Document,
    Project,
    Span,
    SpanLink,
    SpanOrigin,
)
from annotator.models.base import utcnow
from annotator.services import queue_order
from annotator.services.bulk import insert_rows, reserve_ids

DOCUMENT_COLUMNS = (
    "id",
    "project_id",
    "external_id",
    "title",
    "text",
    "text_length",
    "text_sha256",
    "meta",
    "queue_rank",
)


def insert_documents(
    session: Session,
    project: Project,
    documents: list[ImportedDocument],
    digests: list[str],
) -> list[int]:
    """Store the documents under ids reserved first, so that nothing is read
    back, each with its rank in the project's random order (None while the
    project has no seed)."""
    seed = queue_order.seed_for_ranks(session, project)
    connection, table = session.connection(), cast(Table, Document.__table__)
    ids = reserve_ids(connection, table, len(documents))
    rows = [
        (
            document_id,
            project.id,
            doc.external_id,
            doc.title,
            doc.text,
            len(doc.text),
            digest,
            doc.meta,
            None if seed is None else random_rank(document_id, seed),
        )
        for document_id, doc, digest in zip(ids, documents, digests, strict=True)
    ]
    constants = {"created_at": utcnow()}
    insert_rows(connection, table, DOCUMENT_COLUMNS, rows, constants=constants)
    return ids


SPAN_COLUMNS = (
    "document_id",
    "annotator_id",
    "label_id",
    "start",
    "end",
    "attributes",
    "note",
)


_SpanRow = tuple[object, ...]


@dataclass
class _AnnotationRows:
    """Rows for the assignments and spans of imported annotations, in the
    column orders of ``insert_rows``; blocks with links wait for span ids."""

    assignments: list[tuple[int, int]] = field(default_factory=list)
    spans: list[_SpanRow] = field(default_factory=list)
    linked: list[tuple[ImportedAnnotation, list[_SpanRow]]] = field(
        default_factory=list
    )


def insert_annotations(
    session: Session,
    documents: list[ImportedDocument],
    document_ids: list[int],
    annotators: dict[str, int],
    labels: dict[str, int],
) -> None:
    connection, now = session.connection(), utcnow()
    span_table = cast(Table, Span.__table__)
    rows = _annotation_rows(documents, document_ids, annotators, labels)
    insert_rows(
        connection,
        cast(Table, Assignment.__table__),
        ("document_id", "user_id"),
        rows.assignments,
        constants={
            "status": str(AssignmentStatus.SUBMITTED),
            "skip_reason": "",
            "version": 0,
            # Work done elsewhere: whether its annotators were shown
            # suggestions there is unknown (the suggestion effect leaves it
            # out of both groups).
            "suggestions_shown": None,
            "suggestions_withheld": None,
            "updated_at": now,
        },
    )
    span_constants = {
        "origin": str(SpanOrigin.IMPORTED),
        "created_at": now,
        "updated_at": now,
    }
    insert_rows(connection, span_table, SPAN_COLUMNS, rows.spans, span_constants)
    # Spans that links join get reserved ids; the others need none back.
    span_count = sum(len(spans) for _, spans in rows.linked)
    span_ids = reserve_ids(connection, span_table, span_count)
    linked_spans, links = _numbered(rows.linked, span_ids)
    insert_rows(
        connection,
        span_table,
        ("id", *SPAN_COLUMNS),
        linked_spans,
        span_constants,
    )
    insert_rows(
        connection,
        cast(Table, SpanLink.__table__),
        ("source_id", "target_id", "kind"),
        links,
    )


def _annotation_rows(
    documents: list[ImportedDocument],
    document_ids: list[int],
    annotators: dict[str, int],
    labels: dict[str, int],
) -> _AnnotationRows:
    rows = _AnnotationRows()
    for document, document_id in zip(documents, document_ids, strict=True):
        for annotation in document.annotations:
            annotator_id = annotators[annotation.annotator]
            rows.assignments.append((document_id, annotator_id))
            spans: list[_SpanRow] = [
                (
                    document_id,
                    annotator_id,
                    labels[span.label],
                    span.start,
                    span.end,
                    span.attributes,
                    span.note,
                )
                for span in annotation.spans
            ]
            if annotation.links:
                rows.linked.append((annotation, spans))
            else:
                rows.spans += spans
    return rows


def _numbered(
    linked: list[tuple[ImportedAnnotation, list[_SpanRow]]], span_ids: list[int]
) -> tuple[list[_SpanRow], list[tuple[int, int, str]]]:
    """Linked spans' rows with ids first, and the links as (source id, target
    id, kind)."""
    spans: list[_SpanRow] = []
    links: list[tuple[int, int, str]] = []
    for annotation, rows in linked:
        ids = span_ids[len(spans) : len(spans) + len(rows)]
        spans += [(span_id, *row) for span_id, row in zip(ids, rows, strict=True)]
        links += [
            (ids[link.source], ids[link.target], link.kind) for link in annotation.links
        ]
    return spans, links
