"""The records of an export: the chosen layer of each document, which
documents are left out and why, and the split each goes to."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from annotator.core.exports import (
    ExportDocument,
    ExportLink,
    ExportSpan,
)
from annotator.core.exports.layers import majority_links, majority_spans
from annotator.core.exports.split import assign_split
from annotator.core.spans import Link, Span
from annotator.models import (
    Project,
)
from annotator.services.exports.reading import (
    BATCH_SIZE,
    COLLECT_EVERY,
    Progress,
    SpanRow,
    StoredDocument,
    StoredLink,
    batch_agreement,
    document_batches,
    wants_gold,
    with_gold,
)
from annotator.services.exports.settings import Plan

EXCLUSION_REASONS = {
    "not_submitted": "no annotator has submitted the document",
    "not_adjudicated": "no reviewer has adjudicated the document",
    "fewer_annotators_than_min": "fewer annotators submitted it than the "
    "majority threshold needs",
    "agreement_undefined": "agreement is undefined on the document (one "
    "annotator, or no spans of the exported labels)",
    "agreement_below_min": "agreement on the document is below the minimum",
}

Layer = tuple[tuple[ExportSpan, ...], tuple[ExportLink, ...]]
Names = Mapping[int, str]
"""User id -> the name written in exports, in the order records are written
(the order of the stored pseudonyms)."""


def _annotator_layer(
    stored: list[SpanRow], links: list[StoredLink], name: str
) -> Layer:
    """One annotator's spans; span ids are ``<annotator>:<n>``, n counting the
    annotator's spans in (start, end, label) order from 1; their links."""
    who = (name,)
    spans = tuple(
        ExportSpan(start, end, label, f"{name}:{n}", attributes, note, who)
        for n, (_, start, end, label, attributes, note) in enumerate(stored, 1)
    )
    if not links:
        return spans, ()
    ids = {row[0]: span.span_id for row, span in zip(stored, spans, strict=True)}
    return spans, tuple(
        ExportLink(ids[source], ids[target], kind)
        for source, target, kind in links
        if source in ids and target in ids
    )


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
    document: StoredDocument, names: Names, min_annotators: int
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


def _gold_layer(document: StoredDocument, names: Names) -> Layer:
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


def _records(
    plan: Plan, document: StoredDocument, names: Names, rank: Mapping[int, int]
) -> Iterator[tuple[str | None, Layer]]:
    """(annotator, layer) of each record of the document: one per annotator
    who submitted it, in pseudonym order, at the annotators layer; one with
    no annotator at the others."""
    layer = plan.settings.layer
    if layer == "gold":
        yield None, _gold_layer(document, names)
    elif layer == "majority":
        yield None, _majority_layer(document, names, plan.settings.min_annotators or 1)
    else:
        for user_id in sorted(document.annotations, key=rank.__getitem__):
            name = names[user_id]
            stored = document.annotations[user_id]
            yield name, _annotator_layer(stored, document.links, name)


# ---------------------------------------------------------------- documents


@dataclass(slots=True)
class Tally:
    """What the service counts while the writer streams: documents read and
    documents left out, by reason."""

    read: int = 0
    excluded: Counter[str] = field(default_factory=Counter)


def exclusion(
    plan: Plan, document: StoredDocument, agreement: float | None
) -> str | None:
    """Why the document is left out of the export, or None."""
    settings = plan.settings
    if wants_gold(settings) and not document.adjudicated:
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


def export_documents(
    session: Session,
    project: Project,
    plan: Plan,
    names: Names,
    tally: Tally,
    progress: Progress | None,
    total: int,
) -> Iterator[ExportDocument]:
    """The export's records, batch by batch, in document id order."""
    rank = {user_id: n for n, user_id in enumerate(names)}
    batches = document_batches(session, project, BATCH_SIZE)
    if wants_gold(plan.settings):
        batches = with_gold(session, batches)
    for number, batch in enumerate(batches, 1):
        stored = list(batch.documents.values())
        agreements = batch_agreement(batch, plan.options.labels)
        for document, agreement in zip(stored, agreements, strict=True):
            reason = exclusion(plan, document, agreement)
            if reason:
                tally.excluded[reason] += 1
                continue
            yield from _export_records(plan, document, names, rank, agreement)
        tally.read += len(stored)
        if number % COLLECT_EVERY == 0:
            # The collector is paused (see collector.paused): free the few
            # reference cycles of the last batches, so that memory stays flat.
            gc.collect(1)
        if progress is not None:
            progress(tally.read, total)


def _export_records(
    plan: Plan,
    document: StoredDocument,
    names: Names,
    rank: Mapping[int, int],
    agreement: float | None,
) -> Iterator[ExportDocument]:
    split = None
    if plan.ratios is not None:
        split = assign_split(document.external_id, str(plan.settings.seed), plan.ratios)
    for annotator, (spans, links) in _records(plan, document, names, rank):
        yield ExportDocument(
            id=document.external_id,
            title=document.title,
            text=document.text,
            meta=document.meta,
            spans=spans,
            links=links,
            split=split,
            agreement=agreement,
            annotator=annotator,
        )
