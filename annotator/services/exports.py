"""Writing exports: the only code that touches the export folder.

A project is read in batches of documents (ordered by id, one query each for
documents, submitted assignments, spans with their labels, and links), turned
into the chosen layer of ``ExportDocument`` objects and streamed through a core
writer. Offsets are code points, end exclusive, as stored.

Each export gets a folder of its own, ``<export dir>/<project slug>/<UTC
timestamp>-<format>/`` (or the caller's ``out_dir``). Every file is written to
a hidden temporary name, fsynced and moved into place with ``os.replace``; the
manifest comes last, so a folder without ``manifest.json`` is never a finished
export. If anything fails, the folder and everything in it is removed.

The same options on the same data give byte-identical data files, dataset card
and manifest: stable ordering and no clock anywhere but the folder name.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Text, and_, exists, func, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from werkzeug.security import safe_join

import annotator
from annotator.core.agreement.units import span_table_from_rows, unitizing_components
from annotator.core.exports import (
    NO_ATTRIBUTES,
    ExportDocument,
    ExportFormat,
    ExportInputError,
    ExportLink,
    ExportOptions,
    ExportSpan,
    FormatStats,
    UnknownFormatError,
    get_format,
)
from annotator.core.exports.files import is_safe_relative_path
from annotator.core.exports.layers import majority_links, majority_spans
from annotator.core.exports.split import SPLITS, assign_split, check_ratios
from annotator.core.spans import Link, Span
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Assignment,
    AssignmentStatus,
    Document,
    Label,
    Project,
    SpanLink,
    User,
)
from annotator.models import Span as StoredSpan
from annotator.services import collector, review
from annotator.services.errors import NotFoundError, ServiceError

BATCH_SIZE = 500
#: Batches between two collections of the young generations while the garbage
#: collector is paused (each costs about as much as scanning one batch).
COLLECT_EVERY = 10
#: Bytes of data file between two background syncs (see _BackgroundSync).
SYNC_EVERY = 32 * 1024 * 1024
MANIFEST_NAME = "manifest.json"
CARD_NAME = "README.md"
DATA_STEM = "data"
MANIFEST_VERSION = 1
AGREEMENT_DIGITS = 6

LAYERS = ("annotators", "majority", "gold")
STATUSES = ("submitted", "adjudicated")
NO_GOLD = "no gold layer yet: the project has no adjudicated documents"

#: Export folder names made by ``write_export`` (``--out`` folders are the
#: caller's and are not listed).
EXPORT_NAME = re.compile(r"\d{8}T\d{6}Z-[a-z0-9-]+")

#: Why a document of the project is not in an export.
EXCLUSION_REASONS = {
    "not_submitted": "no annotator has submitted the document",
    "not_adjudicated": "no reviewer has adjudicated the document",
    "fewer_annotators_than_min": "fewer annotators submitted it than the "
    "majority threshold needs",
    "agreement_undefined": "agreement is undefined on the document (one "
    "annotator, or no spans of the exported labels)",
    "agreement_below_min": "agreement on the document is below the minimum",
}

AGREEMENT_MEASURE = (
    "Krippendorff's unitizing alpha (alpha-u) per document, over the submitted "
    f"annotations of the exported labels, rounded to {AGREEMENT_DIGITS} digits; "
    "null when undefined"
)

Progress = Callable[[int, int], None]
"""Called after each batch with (documents read, documents to read)."""


# ---------------------------------------------------------------- choices


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """What the user chooses; ``labels`` empty means every label of the project,
    ``min_annotators`` None means more than half of annotators_per_document,
    ``split`` None means no train/dev/test split."""

    format: str = "jsonl"
    layer: str = "annotators"
    min_annotators: int | None = None
    min_agreement: float | None = None
    labels: tuple[str, ...] = ()
    status: str = "submitted"
    split: tuple[float, float, float] | None = None
    seed: int = 0
    pseudonymise: bool = True

    def to_dict(self) -> dict[str, object]:
        """Plain JSON values for the manifest."""
        return {
            "layer": self.layer,
            "status": self.status,
            "labels": list(self.labels),
            "min_annotators": self.min_annotators,
            "min_agreement": self.min_agreement,
            "split": dict(zip(SPLITS, self.split, strict=True)) if self.split else None,
            "seed": self.seed if self.split else None,
            "pseudonymise": self.pseudonymise,
        }


@dataclass(frozen=True, slots=True)
class ExportResult:
    folder: Path
    manifest: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """A finished export as listed on the exports page."""

    name: str
    format: str
    layer: str
    documents: int
    spans: int
    files: tuple[str, ...]


def parse_ratios(value: str) -> tuple[float, float, float]:
    """``"0.8,0.1,0.1"`` as train, dev and test ratios (they must sum to 1)."""
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 3:
        raise ServiceError(f"split {value!r}: give three ratios, train,dev,test")
    try:
        ratios = tuple(float(part) for part in parts)
        check_ratios(dict(zip(SPLITS, ratios, strict=True)))
    except ValueError as error:
        raise ServiceError(f"split {value!r}: {error}") from None
    return ratios[0], ratios[1], ratios[2]


def parse_labels(value: str) -> tuple[str, ...]:
    """``"claim,denial"`` as a tuple of label names."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class _Plan:
    """Checked settings with every default filled in."""

    fmt: ExportFormat
    settings: ExportSettings
    options: ExportOptions
    #: Every label of the project is exported (no span is left out by label).
    every_label: bool

    @property
    def ratios(self) -> dict[str, float] | None:
        split = self.settings.split
        return dict(zip(SPLITS, split, strict=True)) if split else None


def _plan(project: Project, settings: ExportSettings) -> _Plan:
    try:
        fmt = get_format(settings.format)
    except UnknownFormatError as error:
        raise ServiceError(str(error.args[0])) from None
    if settings.layer not in LAYERS:
        raise ServiceError(f"layer {settings.layer!r}: one of {', '.join(LAYERS)}")
    if settings.status not in STATUSES:
        raise ServiceError(f"status {settings.status!r}: one of {', '.join(STATUSES)}")
    if settings.split is not None:
        _check_split(settings.split)
    labels = _checked_labels(project, settings.labels)
    settings = replace(
        settings,
        labels=labels,
        min_annotators=_checked_min_annotators(project, settings),
        min_agreement=_checked_min_agreement(settings.min_agreement),
    )
    every_label = len(labels) == len(project.labels)
    return _Plan(fmt, settings, ExportOptions(labels=labels), every_label)


def _check_split(split: Sequence[float]) -> None:
    try:
        check_ratios(dict(zip(SPLITS, split, strict=True)))
    except ValueError as error:
        raise ServiceError(f"split: {error}") from None


def _checked_labels(project: Project, chosen: Sequence[str]) -> tuple[str, ...]:
    """The chosen labels in the project's order (all of them if none chosen)."""
    names = [label.name for label in project.labels]
    unknown = [name for name in chosen if name not in names]
    if unknown:
        raise ServiceError(
            f"unknown label {unknown[0]!r}: the project's labels are {', '.join(names)}"
        )
    return tuple(name for name in names if not chosen or name in chosen)


def _checked_min_annotators(project: Project, settings: ExportSettings) -> int | None:
    wanted = settings.min_annotators
    if settings.layer != "majority":
        if wanted is not None:
            raise ServiceError("min_annotators applies to the majority layer only")
        return None
    if wanted is None:
        return project.annotators_per_document // 2 + 1
    if wanted < 1:
        raise ServiceError(f"min_annotators: at least 1, not {wanted}")
    return wanted


def _checked_min_agreement(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value <= 1.0):
        raise ServiceError(f"min_agreement: a number up to 1, not {value}")
    return value


# ---------------------------------------------------------------- reading


_SpanRow = tuple[int, int, int, str, Mapping[str, str], str]
"""A stored span as read for export: (span id, start, end, label name,
attributes, note); exports read millions, so they stay plain tuples."""


@dataclass(slots=True)
class _StoredDocument:
    """One document with its submitted annotations: user id -> span rows
    sorted by (start, end, label, id); links as (source id, target id, kind)."""

    external_id: str
    title: str
    text: str
    meta: Mapping[str, object]
    annotations: dict[int, list[_SpanRow]] = field(default_factory=dict)
    links: list[tuple[int, int, str]] = field(default_factory=list)
    adjudicated: bool = False
    #: Gold spans in (start, end, label, id) order: (gold id, span, ids of the
    #: annotators it came from); gold links as (source id, target id, kind).
    gold: list[tuple[int, Span, tuple[int, ...]]] = field(default_factory=list)
    gold_links: list[tuple[int, int, str]] = field(default_factory=list)


def _submitted(document_id: Any) -> Any:
    return exists().where(
        Assignment.document_id == document_id,
        Assignment.status == AssignmentStatus.SUBMITTED,
    )


def _count_documents(session: Session, project: Project) -> tuple[int, int]:
    """(documents in the project, documents someone submitted)."""
    query = select(func.count()).where(Document.project_id == project.id)
    total = session.scalar(query) or 0
    submitted = session.scalar(query.where(_submitted(Document.id))) or 0
    return total, submitted


@dataclass(slots=True)
class _Batch:
    """Documents read together, by id, with the rows they were built from:
    ``seen`` the (document id, user id) of each submitted assignment, ``spans``
    the span rows of ``_spans_query``. Agreement is computed from the rows,
    column by column, without a Python object per span."""

    documents: dict[int, _StoredDocument]
    seen: list[tuple[int, int]]
    spans: Sequence[Sequence[Any]]


def _document_batches(
    session: Session, project: Project, batch_size: int
) -> Iterator[_Batch]:
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
                _submitted(Document.id),
            )
            .order_by(Document.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        documents = {row[0]: _StoredDocument(*row[1:]) for row in rows}
        yield _load_annotations(session, documents)
        after = rows[-1][0]


def _load_annotations(session: Session, batch: dict[int, _StoredDocument]) -> _Batch:
    ids = list(batch)
    connection = session.connection()
    seen = connection.execute(
        select(Assignment.document_id, Assignment.user_id)
        .where(
            Assignment.document_id.in_(ids),
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
        .order_by(Assignment.document_id, Assignment.user_id)
    ).all()
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
    return _Batch(batch, [(row[0], row[1]) for row in seen], spans)


def _load_links(connection: Connection, batch: dict[int, _StoredDocument]) -> None:
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
            Assignment,
            and_(
                Assignment.document_id == StoredSpan.document_id,
                Assignment.user_id == StoredSpan.annotator_id,
            ),
        )
        .where(
            StoredSpan.document_id.in_(document_ids),
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
        .order_by(
            StoredSpan.document_id,
            StoredSpan.annotator_id,
            StoredSpan.start,
            StoredSpan.end,
            Label.name,
            StoredSpan.id,
        )
    )


def annotator_names(
    session: Session, project: Project, pseudonymise: bool = True
) -> dict[int, str]:
    """User id -> the name written in exports: ``annotator-1`` .. ``annotator-n``
    by ascending user id over everyone assigned in the project (stable as long
    as assignments are not deleted), or the usernames."""
    rows = session.execute(
        select(User.id, User.username)
        .where(
            User.id.in_(
                select(Assignment.user_id)
                .join(Document, Document.id == Assignment.document_id)
                .where(Document.project_id == project.id)
            )
        )
        .order_by(User.id)
    ).all()
    if not pseudonymise:
        return {row.id: row.username for row in rows}
    return {user_id: f"annotator-{n}" for n, (user_id, _) in enumerate(rows, 1)}


# ---------------------------------------------------------------- layers

Layer = tuple[tuple[ExportSpan, ...], tuple[ExportLink, ...]]


def _annotators_layer(document: _StoredDocument, names: Mapping[int, str]) -> Layer:
    """Every annotator's spans; span ids are ``<annotator>:<n>``, n counting
    that annotator's spans in (start, end, label) order from 1."""
    spans: list[ExportSpan] = []
    links: list[ExportLink] = []
    for user_id, stored in sorted(document.annotations.items()):
        name = names[user_id]
        who = (name,)
        numbered = [
            ExportSpan(start, end, label, f"{name}:{n}", attributes, note, who)
            for n, (_, start, end, label, attributes, note) in enumerate(stored, 1)
        ]
        spans += numbered
        if document.links:
            pairs = zip(stored, numbered, strict=True)
            ids = {row[0]: span.span_id for row, span in pairs}
            links += [
                ExportLink(ids[source], ids[target], kind)
                for source, target, kind in document.links
                if source in ids and target in ids
            ]
    return tuple(spans), tuple(links)


def _export_span(span: Span, span_id: str, annotators: tuple[str, ...]) -> ExportSpan:
    return ExportSpan(
        start=span.start,
        end=span.end,
        label=span.label,
        span_id=span_id,
        attributes=span.attributes,
        note=span.note,
        annotators=annotators,
    )


def _majority_layer(
    document: _StoredDocument, names: Mapping[int, str], min_annotators: int
) -> Layer:
    """Spans (and links) drawn alike by at least ``min_annotators`` annotators."""
    per_annotator: dict[str, tuple[list[Span], list[Link]]] = {}
    for user_id, stored in document.annotations.items():
        index = {row[0]: i for i, row in enumerate(stored)}
        links = [
            Link(index[source], index[target], kind)
            for source, target, kind in document.links
            if source in index and target in index
        ]
        spans = [Span(*row[1:]) for row in stored]
        per_annotator[names[user_id]] = (spans, links)
    layer = majority_spans(
        {name: spans for name, (spans, _) in per_annotator.items()}, min_annotators
    )
    return tuple(layer), tuple(majority_links(per_annotator, min_annotators))


def _gold_layer(document: _StoredDocument, names: Mapping[int, str]) -> Layer:
    """The reviewer's spans; ids ``gold:<n>`` in (start, end, label) order,
    each listing the annotators it came from; links between them."""
    ids = {gold_id: f"gold:{n}" for n, (gold_id, _, _) in enumerate(document.gold, 1)}
    spans = tuple(
        _export_span(
            span,
            ids[gold_id],
            tuple(sorted(names[uid] for uid in sources if uid in names)),
        )
        for gold_id, span, sources in document.gold
    )
    links = tuple(
        ExportLink(ids[source], ids[target], kind)
        for source, target, kind in document.gold_links
        if source in ids and target in ids
    )
    return spans, links


def _layer(plan: _Plan, document: _StoredDocument, names: Mapping[int, str]) -> Layer:
    if plan.settings.layer == "gold":
        return _gold_layer(document, names)
    if plan.settings.layer == "majority":
        return _majority_layer(document, names, plan.settings.min_annotators or 1)
    return _annotators_layer(document, names)


def _wants_gold(settings: ExportSettings) -> bool:
    """The gold layer, or any layer of adjudicated documents only."""
    return settings.layer == "gold" or settings.status == "adjudicated"


def _require_gold(session: Session, project: Project, settings: ExportSettings) -> None:
    if not _wants_gold(settings):
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
        raise ServiceError(NO_GOLD)


def _with_gold(session: Session, batches: Iterator[_Batch]) -> Iterator[_Batch]:
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
        owner: dict[int, _StoredDocument] = {}
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


def batch_agreement(batch: _Batch, labels: Sequence[str]) -> list[float | None]:
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


# ---------------------------------------------------------------- documents


@dataclass(slots=True)
class _Tally:
    """What the service counts while the writer streams."""

    read: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    split_documents: Counter[str] = field(default_factory=Counter)
    split_spans: Counter[str] = field(default_factory=Counter)


def _exclusion(
    plan: _Plan, document: _StoredDocument, agreement: float | None
) -> str | None:
    settings = plan.settings
    if _wants_gold(settings) and not document.adjudicated:
        return "not_adjudicated"
    if settings.layer == "majority" and len(document.annotations) < (
        settings.min_annotators or 1
    ):
        return "fewer_annotators_than_min"
    if settings.min_agreement is not None:
        if agreement is None:
            return "agreement_undefined"
        if agreement < settings.min_agreement:
            return "agreement_below_min"
    return None


def _export_documents(
    session: Session,
    project: Project,
    plan: _Plan,
    tally: _Tally,
    progress: Progress | None,
    total: int,
) -> Iterator[ExportDocument]:
    names = annotator_names(session, project, plan.settings.pseudonymise)
    batches = _document_batches(session, project, BATCH_SIZE)
    if _wants_gold(plan.settings):
        batches = _with_gold(session, batches)
    for number, batch in enumerate(batches, 1):
        stored = list(batch.documents.values())
        agreements = batch_agreement(batch, plan.options.labels)
        for document, agreement in zip(stored, agreements, strict=True):
            reason = _exclusion(plan, document, agreement)
            if reason:
                tally.excluded[reason] += 1
                continue
            yield _export_document(plan, document, names, agreement, tally)
        tally.read += len(stored)
        if number % COLLECT_EVERY == 0:
            # The collector is paused (see collector.paused): free the few
            # reference cycles of the last batches, so that memory stays flat.
            gc.collect(1)
        if progress is not None:
            progress(tally.read, total)


def _export_document(
    plan: _Plan,
    document: _StoredDocument,
    names: Mapping[int, str],
    agreement: float | None,
    tally: _Tally,
) -> ExportDocument:
    spans, links = _layer(plan, document, names)
    split = None
    if plan.ratios is not None:
        split = assign_split(document.external_id, str(plan.settings.seed), plan.ratios)
    key = split or "none"
    tally.split_documents[key] += 1
    if plan.every_label:
        tally.split_spans[key] += len(spans)
    else:
        exported = plan.options.labels
        tally.split_spans[key] += sum(span.label in exported for span in spans)
    return ExportDocument(
        id=document.external_id,
        title=document.title,
        text=document.text,
        meta=document.meta,
        spans=spans,
        links=links,
        split=split,
        agreement=agreement,
    )


# ---------------------------------------------------------------- files


#: fdatasync where the system has it (Linux), fsync elsewhere (macOS, Windows).
_sync_data = getattr(os, "fdatasync", os.fsync)


class _BackgroundSync:
    """Flushes a file being written to disk from a thread, a stretch at a time.

    The final fsync of a large export would otherwise wait for the whole file
    to reach the disk after the last byte is written (about a third of the
    time of a 100,000-document export here); syncing in a thread while the
    export goes on overlaps that wait with the work. fdatasync releases the
    GIL. A failed sync fails the export."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._fileno: int = handle.fileno()
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def start(self) -> None:
        """Begin a sync of what is written so far, unless one is running."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._raise_error()
        self._handle.flush()
        self._thread = threading.Thread(target=self._sync, daemon=True)
        self._thread.start()

    def _sync(self) -> None:
        try:
            _sync_data(self._fileno)
        except OSError as error:
            self._error = error

    def wait(self, *, raise_error: bool = True) -> None:
        """Wait for the running sync; raise its error unless told not to."""
        if self._thread is not None:
            self._thread.join()
        if raise_error:
            self._raise_error()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error


class _HashingWriter:
    """A binary file that keeps the SHA-256 and size of what went through it,
    and starts a background sync every ``SYNC_EVERY`` bytes."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0
        self.syncer = _BackgroundSync(handle)
        self._unsynced = 0

    def write(self, data: bytes, /) -> int:
        self.digest.update(data)
        self.size += len(data)
        written: int = self.handle.write(data)
        self._unsynced += len(data)
        if self._unsynced >= SYNC_EVERY:
            self._unsynced = 0
            self.syncer.start()
        return written


def _fsync_and_replace(handle: Any, temporary: Path, target: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, target)


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def _write_file(target: Path, data: bytes) -> dict[str, object]:
    """Write ``data`` to ``target`` atomically; its manifest record."""
    temporary = _temporary(target)
    handle = temporary.open("xb")
    try:
        handle.write(data)
        _fsync_and_replace(handle, temporary, target)
    finally:
        handle.close()
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


class _FolderSink:
    """The ``files`` callback of multi-file formats: each file lands, atomically,
    under the export folder, and never on a name already used."""

    def __init__(self, folder: Path, reserved: set[str]) -> None:
        self.folder = folder
        self.reserved = reserved
        self.records: dict[str, dict[str, object]] = {}

    def __call__(self, relative_path: str, data: bytes, /) -> None:
        if not is_safe_relative_path(relative_path):
            raise ExportInputError(f"unsafe file name {relative_path!r}")
        if relative_path in self.reserved or relative_path in self.records:
            raise ExportInputError(f"file {relative_path!r} written twice")
        target = self.folder / relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        self.records[relative_path] = _write_file(target, data)


def _write_data(
    folder: Path,
    plan: _Plan,
    documents: Iterator[ExportDocument],
) -> tuple[FormatStats, dict[str, dict[str, object]]]:
    """Stream the documents into the data file (and extra files); the stats
    and a manifest record per file written."""
    name = f"{DATA_STEM}.{plan.fmt.extension}"
    target = folder / name
    temporary = _temporary(target)
    sink = _FolderSink(folder, {name, MANIFEST_NAME, CARD_NAME})
    with temporary.open("xb") as handle:
        stream = _HashingWriter(handle)
        files = sink if plan.fmt.writes_files else None
        try:
            stats = plan.fmt.write(documents, stream, plan.options, files=files)
        except BaseException:
            # The writer's error is the one to report, not a sync's.
            stream.syncer.wait(raise_error=False)
            raise
        stream.syncer.wait()
        _fsync_and_replace(handle, temporary, target)
    record = {"sha256": stream.digest.hexdigest(), "bytes": stream.size}
    return stats, {name: record, **sink.records}


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def project_folder_name(project: Project) -> str:
    """``<slug of the name>-<id>``: readable, and distinct for every project."""
    slug = re.sub(r"[^a-z0-9]+", "-", project.name.lower()).strip("-")[:40]
    return f"{slug.strip('-') or 'project'}-{project.id}"


def _reserve_folder(
    export_dir: Path, project: Project, fmt: ExportFormat, now: datetime
) -> Path:
    """Create and return a new, empty folder for this export."""
    parent = export_dir / project_folder_name(project)
    stem = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{fmt.name}"
    for number in range(1, 1000):
        folder = parent / (stem if number == 1 else f"{stem}-{number}")
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            continue
        return folder
    raise ServiceError(f"too many exports named {stem} in {parent}")


def _claim_out_dir(out_dir: Path) -> bool:
    """Make sure ``out_dir`` is an empty folder; True if it was created here."""
    try:
        out_dir.mkdir(parents=True)
    except FileExistsError:
        if out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir()):
            return False
        message = f"{out_dir} already exists and is not an empty folder"
        raise ServiceError(message) from None
    return True


def _remove_export(folder: Path, created: bool) -> None:
    """Undo a failed export: remove the folder, or empty the caller's."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


# ---------------------------------------------------------------- manifest


def _manifest(
    project: Project,
    plan: _Plan,
    stats: FormatStats,
    tally: _Tally,
    documents_in_project: int,
    files: Mapping[str, Mapping[str, object]],
) -> dict[str, Any]:
    excluded = Counter(tally.excluded)
    not_submitted = documents_in_project - tally.read
    if not_submitted:
        excluded["not_submitted"] = not_submitted
    return {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "framing-annotator", "version": annotator.__version__},
        "project": {"id": project.id, "name": project.name},
        "format": {
            "name": plan.fmt.name,
            "schema_version": plan.fmt.schema_version,
            "media_type": plan.fmt.media_type,
            "description": plan.fmt.description,
        },
        "data_file": f"{DATA_STEM}.{plan.fmt.extension}",
        "options": {**plan.settings.to_dict(), "format": plan.options.to_dict()},
        "agreement": AGREEMENT_MEASURE,
        "documents": {
            "in_project": documents_in_project,
            "exported": stats.documents,
            "excluded": dict(sorted(excluded.items())),
        },
        "exclusion_reasons": {
            code: EXCLUSION_REASONS[code] for code in sorted(excluded)
        },
        "counts": stats.to_dict(),
        "splits": {
            key: {
                "documents": tally.split_documents[key],
                "spans": tally.split_spans[key],
            }
            for key in sorted(tally.split_documents)
        },
        "files": {path: dict(files[path]) for path in sorted(files)},
    }


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _count_line(counts: Mapping[str, object]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in counts.items()) or "none"


def dataset_card(manifest: Mapping[str, Any]) -> str:
    """A short Markdown dataset card for the export's README.md."""
    options, counts = manifest["options"], manifest["counts"]
    fmt, docs = manifest["format"], manifest["documents"]
    split = options["split"]
    lines = [
        f"# {manifest['project']['name']}: {fmt['name']} export",
        "",
        f"{fmt['description']}",
        "",
        f"- Data file: `{manifest['data_file']}` ({fmt['media_type']}, "
        f"schema version {fmt['schema_version']}).",
        f"- Layer: {options['layer']} (annotations with status "
        f"{options['status']}); labels: {', '.join(options['labels'])}.",
        f"- Documents: {docs['exported']} exported of {docs['in_project']}; "
        f"excluded: {_count_line(docs['excluded'])}.",
        f"- Spans per label: {_count_line(counts['spans'])}; links: {counts['links']}.",
        f"- Spans dropped: {_count_line(counts['dropped'])}; "
        f"spans cut in pieces: {_count_line(counts['split'])}.",
        f"- Train/dev/test split: {_count_line(split) if split else 'none'}"
        + (f", seed {options['seed']}." if split else "."),
        f"- Agreement: {manifest['agreement']}.",
        "- Offsets are Unicode code points into the text, end exclusive.",
        "",
        f"Made by framing-annotator {manifest['tool']['version']}; "
        f"`{MANIFEST_NAME}` lists every option, count and file checksum.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- the service


def _begin_snapshot(session: Session) -> None:
    """Read the whole export from one snapshot of the database."""
    session.rollback()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif dialect == "sqlite":
        # pysqlite opens no transaction for reads; WAL keeps writers going.
        session.connection().exec_driver_sql("BEGIN")


def write_export(
    session: Session,
    project: Project,
    options: ExportSettings,
    export_dir: Path,
    *,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export ``project`` as ``options`` say into a new folder under
    ``export_dir`` (or into ``out_dir``, which must be new or empty). On any
    error nothing is left behind and the error propagates (ServiceError for
    the user's mistakes)."""
    _begin_snapshot(session)
    try:
        plan = _plan(project, options)
        _require_gold(session, project, plan.settings)
        if out_dir is None:
            folder = _reserve_folder(export_dir, project, plan.fmt, now or _utcnow())
            created = True
        else:
            folder, created = out_dir, _claim_out_dir(out_dir)
        try:
            manifest = _write_folder(session, project, plan, folder, progress)
        except BaseException:
            _remove_export(folder, created)
            raise
    finally:
        session.rollback()
    return ExportResult(folder, manifest)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _write_folder(
    session: Session,
    project: Project,
    plan: _Plan,
    folder: Path,
    progress: Progress | None,
) -> dict[str, Any]:
    in_project, submitted = _count_documents(session, project)
    tally = _Tally()
    documents = _export_documents(session, project, plan, tally, progress, submitted)
    try:
        with collector.paused():
            stats, files = _write_data(folder, plan, documents)
    except ExportInputError as error:
        raise ServiceError(f"cannot export: {error}") from error
    manifest = _manifest(project, plan, stats, tally, in_project, files)
    card = _write_file(folder / CARD_NAME, dataset_card(manifest).encode("utf-8"))
    manifest["files"] = dict(sorted({**files, CARD_NAME: card}.items()))
    _write_file(folder / MANIFEST_NAME, _manifest_bytes(manifest))
    _fsync_folder(folder)
    return manifest


# ---------------------------------------------------------------- reading back


def _project_root(export_dir: Path, project: Project) -> Path:
    return export_dir / project_folder_name(project)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a finished export folder, or None."""
    try:
        loaded = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def list_exports(export_dir: Path, project: Project) -> list[ExportSummary]:
    """The project's finished exports, newest first."""
    root = _project_root(export_dir, project)
    if not root.is_dir():
        return []
    summaries = []
    for folder in sorted(root.iterdir(), reverse=True):
        manifest = None
        if EXPORT_NAME.fullmatch(folder.name) and not folder.is_symlink():
            manifest = read_manifest(folder)
        if manifest is not None:
            summaries.append(_summary(folder.name, manifest))
    return summaries


def _summary(name: str, manifest: Mapping[str, Any]) -> ExportSummary:
    counts = manifest.get("counts", {})
    return ExportSummary(
        name=name,
        format=str(manifest.get("format", {}).get("name", "")),
        layer=str(manifest.get("options", {}).get("layer", "")),
        documents=int(counts.get("documents", 0)),
        spans=sum(int(n) for n in counts.get("spans", {}).values()),
        files=(str(manifest.get("data_file", "")), CARD_NAME, MANIFEST_NAME),
    )


def export_file(export_dir: Path, project: Project, name: str, filename: str) -> Path:
    """The path of ``filename`` in the project's finished export ``name``;
    NotFoundError for anything else: other projects, ``..``, absolute paths,
    symlinks, folders, unfinished exports."""
    root = _project_root(export_dir, project).resolve()
    joined = safe_join(str(root), name, filename)
    missing = NotFoundError(f"no file {filename!r} in export {name!r}")
    if not EXPORT_NAME.fullmatch(name) or joined is None:
        raise missing
    path = Path(joined)
    try:
        # Without symlinks, resolving changes nothing; with one, it does.
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise missing from None
    if resolved != path or not resolved.is_relative_to(root / name):
        raise missing
    if not resolved.is_file() or read_manifest(root / name) is None:
        raise missing
    return resolved
