"""Reading a project's submitted work for export, in batches of documents,
from one snapshot; per-document agreement from the batch's rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from annotator.core.agreement.units import span_table_from_rows, unitizing_components
from annotator.core.exports import (
    NO_ATTRIBUTES,
)
from annotator.core.spans import Span
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Document,
    GoldLink,
    GoldSpan,
    Label,
    Project,
    SpanLink,
)
from annotator.models import Span as StoredSpan
from annotator.services import review, submitted
from annotator.services.exports.settings import NO_GOLD, ExportSettings, OptionRefused

Progress = Callable[[int, int], None]
"""Called after each batch with (documents read, documents to read)."""


BATCH_SIZE = 500
#: Batches between two collections of the young generations while the garbage
#: collector is paused (each costs about as much as scanning one batch).
COLLECT_EVERY = 10
AGREEMENT_DIGITS = 6


SpanRow = tuple[int, int, int, str, Mapping[str, str], str]
"""A stored span as read for export: (span id, start, end, label name,
attributes, note); exports read millions, so they stay plain tuples."""
StoredLink = tuple[int, int, str]
"""A stored link: (source span id, target span id, kind)."""


@dataclass(slots=True)
class StoredDocument:
    """One document with its submitted annotations: user id -> span rows
    sorted by (start, end, label, id); links as (source id, target id, kind)."""

    external_id: str
    title: str
    text: str
    meta: Mapping[str, object]
    annotations: dict[int, list[SpanRow]] = field(default_factory=dict)
    links: list[tuple[int, int, str]] = field(default_factory=list)
    adjudicated: bool = False
    #: Gold spans in (start, end, label, id) order: (gold id, span, ids of the
    #: annotators it came from); gold links as (source id, target id, kind).
    gold: list[tuple[int, Span, tuple[int, ...]]] = field(default_factory=list)
    gold_links: list[tuple[int, int, str]] = field(default_factory=list)


def count_documents(session: Session, project: Project) -> tuple[int, int]:
    """(documents in the project, documents someone submitted)."""
    query = select(func.count()).where(Document.project_id == project.id)
    total = session.scalar(query) or 0
    done = session.scalar(query.where(submitted.submitted_clause(Document.id)))
    return total, done or 0


def project_has_links(session: Session, project: Project) -> bool:
    """Whether any span of the project, an annotator's or gold, has a link."""
    drawn = (
        select(SpanLink.id)
        .join(StoredSpan, StoredSpan.id == SpanLink.source_id)
        .join(Document, Document.id == StoredSpan.document_id)
        .where(Document.project_id == project.id)
    )
    settled = (
        select(GoldLink.id)
        .join(GoldSpan, GoldSpan.id == GoldLink.source_id)
        .join(Document, Document.id == GoldSpan.document_id)
        .where(Document.project_id == project.id)
    )
    return any(session.scalar(query.limit(1)) is not None for query in (drawn, settled))


@dataclass(slots=True)
class Batch:
    """Documents read together, by id, with the rows they were built from:
    ``seen`` the (document id, user id) of each submitted assignment, ``spans``
    the span rows of ``_spans_query``. Agreement is computed from the rows,
    column by column, without a Python object per span."""

    documents: dict[int, StoredDocument]
    seen: list[tuple[int, int]]
    spans: Sequence[Sequence[Any]]


def document_batches(
    session: Session, project: Project, batch_size: int
) -> Iterator[Batch]:
    """Submitted documents by id, ``batch_size`` at a time, with annotations."""
    after = 0
    # Core rows through the connection: the ORM's row loading costs more than
    # the query for these plain column reads.
    connection = session.connection()
    while True:
        rows = connection.execute(
            select(Document.id, Document.external_id, Document.title)
            .add_columns(Document.text, Document.meta)
            .where(
                Document.project_id == project.id,
                Document.id > after,
                submitted.submitted_clause(Document.id),
            )
            .order_by(Document.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        documents = {row[0]: StoredDocument(*row[1:]) for row in rows}
        yield _load_annotations(session, documents)
        after = rows[-1][0]


def _load_annotations(session: Session, batch: dict[int, StoredDocument]) -> Batch:
    ids = list(batch)
    connection = session.connection()
    seen = connection.execute(submitted.submitted_pairs(ids)).all()
    for document_id, user_id in seen:
        batch[document_id].annotations[user_id] = []
    spans = connection.execute(_spans_query(ids)).all()
    for document_id, user_id, span_id, start, end, label, attributes, note in spans:
        # Most spans have no attributes: their "{}" (or {}) is not decoded
        # again for every span of a large export.
        if not attributes or attributes == "{}":
            attributes = NO_ATTRIBUTES
        else:
            attributes = _attributes(attributes)
        batch[document_id].annotations[user_id].append(
            (span_id, start, end, label, attributes, note)
        )
    _load_links(connection, batch)
    return Batch(batch, [(row[0], row[1]) for row in seen], spans)


def _load_links(connection: Connection, batch: dict[int, StoredDocument]) -> None:
    ids = list(batch)
    links = connection.execute(
        select(StoredSpan.document_id, SpanLink.source_id, SpanLink.target_id)
        .add_columns(SpanLink.kind)
        .join(StoredSpan, StoredSpan.id == SpanLink.source_id)
        .where(StoredSpan.document_id.in_(ids))
        .order_by(SpanLink.source_id, SpanLink.target_id, SpanLink.kind)
    )
    for document_id, source_id, target_id, kind in links:
        batch[document_id].links.append((source_id, target_id, kind))


def _attributes(stored: object) -> dict[str, str]:
    """A span's attributes from the database: JSON text on SQLite, already
    decoded on PostgreSQL."""
    if isinstance(stored, str):
        stored = json.loads(stored)
    return dict(stored) if isinstance(stored, dict) else {}


#: Column positions in the rows of _spans_query.
_DOCUMENT, _USER, _SPAN, _START, _END, _LABEL = range(6)


def _spans_query(document_ids: list[int]) -> Any:
    """Spans of submitted assignments, with their label names, in export order."""
    return (
        select(
            StoredSpan.document_id,
            StoredSpan.annotator_id,
            StoredSpan.id,
            StoredSpan.start,
            StoredSpan.end,
            Label.name.label("label"),
            # Raw JSON text on SQLite (see _attributes); PostgreSQL's driver
            # hands jsonb over already decoded.
            type_coerce(StoredSpan.attributes, Text),
            StoredSpan.note,
        )
        .join(Label, Label.id == StoredSpan.label_id)
        .join(
            *submitted.submitted_join(StoredSpan.document_id, StoredSpan.annotator_id)
        )
        .where(StoredSpan.document_id.in_(document_ids))
        .order_by(
            StoredSpan.document_id,
            StoredSpan.annotator_id,
            StoredSpan.start,
            StoredSpan.end,
            Label.name,
            StoredSpan.id,
        )
    )


def wants_gold(settings: ExportSettings) -> bool:
    """The gold layer, or any layer of adjudicated documents only."""
    return settings.layer == "gold" or settings.status == "adjudicated"


def require_gold(session: Session, project: Project, settings: ExportSettings) -> None:
    if not wants_gold(settings):
        return
    adjudicated = session.scalar(
        select(func.count(Adjudication.id))
        .join(Document, Document.id == Adjudication.document_id)
        .where(
            Document.project_id == project.id,
            Adjudication.status == AdjudicationStatus.ADJUDICATED,
        )
    )
    if not adjudicated:
        raise OptionRefused("layer" if settings.layer == "gold" else "status", NO_GOLD)


def with_gold(session: Session, batches: Iterator[Batch]) -> Iterator[Batch]:
    """Each batch with its documents' adjudication state and gold spans."""
    for batch in batches:
        by_id = batch.documents
        for document_id in session.scalars(
            select(Adjudication.document_id).where(
                Adjudication.document_id.in_(by_id),
                Adjudication.status == AdjudicationStatus.ADJUDICATED,
            )
        ):
            by_id[document_id].adjudicated = True
        owner: dict[int, StoredDocument] = {}
        for gold in review.gold_spans_of(session, list(by_id)):
            span = Span(
                gold.start, gold.end, gold.label.name, gold.attributes, gold.note
            )
            sources = tuple(sorted({s.annotator_id for s in gold.sources}))
            by_id[gold.document_id].gold.append((gold.id, span, sources))
            owner[gold.id] = by_id[gold.document_id]
        for link in review.gold_links_of(session, list(owner)):
            owner[link.source_id].gold_links.append(
                (link.source_id, link.target_id, link.kind)
            )
        yield batch


# ---------------------------------------------------------------- agreement


def _column(rows: Sequence[Sequence[Any]], index: int) -> npt.NDArray[np.int64]:
    return np.fromiter(map(itemgetter(index), rows), np.int64, len(rows))


def batch_agreement(batch: Batch, labels: Sequence[str]) -> list[float | None]:
    """Per document of the batch, in id order: alpha-u over its submitted
    annotators and the given labels (None when undefined)."""
    ids = np.fromiter(batch.documents, np.int64, len(batch.documents))
    seen = np.array(batch.seen, dtype=np.int64).reshape(-1, 2)
    users, seen_user = np.unique(seen[:, 1], return_inverse=True)
    spans = batch.spans
    label_code = dict.fromkeys(map(itemgetter(_LABEL), spans), -1)
    label_code.update((name, code) for code, name in enumerate(labels))
    label_names = map(itemgetter(_LABEL), spans)
    rows = np.column_stack(
        [
            np.searchsorted(ids, _column(spans, _DOCUMENT)),
            np.searchsorted(users, _column(spans, _USER)),
            np.fromiter(map(label_code.__getitem__, label_names), np.int64),
            _column(spans, _START),
            _column(spans, _END),
        ]
    )
    table = span_table_from_rows(
        [len(document.text) for document in batch.documents.values()],
        np.column_stack([np.searchsorted(ids, seen[:, 0]), seen_user]),
        tuple(int(user) for user in users),
        tuple(labels),
        rows,
    )
    components = unitizing_components(table)
    observed = components.observed.sum(axis=1)
    expected = components.expected.sum(axis=1)
    raters = table.present.sum(axis=1)
    return [
        round(1.0 - float(o) / float(e), AGREEMENT_DIGITS) if r >= 2 and e > 0 else None
        for o, e, r in zip(observed, expected, raters, strict=True)
    ]
