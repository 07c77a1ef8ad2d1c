"""The steps decisions build the gold layer from: check a span against the
rules of annotators' spans (:mod:`annotator.core.spans`), add a gold span
with its sources, remove one with its links, carry annotators' links over
and move a replaced span's links to its successor. Each step notes what it
did in the decision's :class:`ChangeLog`. Offsets are code points, end
exclusive.

Annotators' links come along: a decision that makes gold spans from
annotators' spans also links those gold spans wherever at least one
submitted annotator linked two spans that are now both sources of gold
spans, one of them made by this decision
(:func:`annotator.core.adjudication.carried_links`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from annotator.core import adjudication as rules
from annotator.core.diff import SpanTriple
from annotator.core.labels import link_allowed
from annotator.core.spans import FieldError, Span, parse_span, span_errors
from annotator.models import (
    Document,
    GoldDecision,
    GoldLink,
    GoldSource,
    GoldSpan,
    Project,
    RejectedSpan,
    User,
)
from annotator.models.base import utcnow
from annotator.services.adjudication.recording import (
    ChangeLog,
    gold_entry,
    link_entry,
)
from annotator.services.projects import span_schema
from annotator.services.review import (
    InvalidDecision,
    SpanRecord,
    Submitted,
    annotator_links,
    gold_ends,
    gold_links_of,
    gold_spans,
    refuse,
)

#: A gold span's source: (annotator span id, None once that span is gone;
#: annotator id).
Source = tuple[int | None, int]


def sources_of(records: Iterable[SpanRecord]) -> list[Source]:
    return [(record.id, record.annotator_id) for record in records]


def label_ids(project: Project) -> dict[str, int]:
    return {label.name: label.id for label in project.labels}


def checked_span(data: Mapping[str, Any], project: Project, document: Document) -> Span:
    """A gold span obeys the rules of annotators' spans (core.spans)."""
    span, errors = parse_span(data, "span")
    if span is not None:
        errors = span_errors(span, document.text, span_schema(project), "span")
    if errors or span is None:
        first = errors[0]
        raise InvalidDecision(
            FieldError(first.field.removeprefix("span."), first.message)
        )
    return span


def span_data(span: Span) -> dict[str, Any]:
    """A span as the fields of a decision's body."""
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "attributes": dict(span.attributes),
        "note": span.note,
    }


def gold_data(gold: GoldSpan) -> dict[str, Any]:
    """A gold span as the fields of a decision's body."""
    return {
        "start": gold.start,
        "end": gold.end,
        "label": gold.label.name,
        "attributes": dict(gold.attributes),
        "note": gold.note,
    }


def chosen_spans(work: Submitted, data: Mapping[str, Any]) -> list[SpanRecord]:
    """The submitted spans ``span_ids`` names (400 naming ``span_ids``)."""
    ids = data.get("span_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise refuse("span_ids", "must be a non-empty list of span ids")
    known = {span.id: span for span in work.spans}
    missing = [i for i in ids if i not in known]
    if missing:
        raise refuse(
            "span_ids",
            f"no span {missing[0]} among the submitted spans of this document",
        )
    return [known[i] for i in dict.fromkeys(ids)]


def proposal_span(triple: SpanTriple, sources: Sequence[SpanRecord]) -> Span:
    """``triple`` with the attributes all ``sources`` share."""
    shared = set(sources[0].attributes.items())
    for span in sources[1:]:
        shared &= set(span.attributes.items())
    return Span(triple[0], triple[1], triple[2], dict(sorted(shared)))


def _gold_exists(
    session: Session, document: Document, span: Span, label_id: int
) -> bool:
    found = session.scalar(
        select(GoldSpan.id).where(
            GoldSpan.document_id == document.id,
            GoldSpan.start == span.start,
            GoldSpan.end == span.end,
            GoldSpan.label_id == label_id,
        )
    )
    return found is not None


def add_gold(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    span: Span,
    decision: GoldDecision,
    sources: Sequence[Source],
    log: ChangeLog,
) -> GoldSpan:
    """Add ``span`` to the gold layer, refused where a gold span of the same
    place (offsets and label) is; its sources leave rejection."""
    label_id = label_ids(project)[span.label]
    if _gold_exists(session, document, span, label_id):
        raise refuse(
            "span", f"{span.start}-{span.end} {span.label} is already in the gold layer"
        )
    gold = GoldSpan(
        document_id=document.id,
        label_id=label_id,
        start=span.start,
        end=span.end,
        attributes=dict(span.attributes),
        note=span.note,
        decision=decision,
        decided_by_id=reviewer.id,
        decided_at=utcnow(),
        sources=[
            GoldSource(span_id=span_id, annotator_id=annotator_id)
            for span_id, annotator_id in dict.fromkeys(sources)
        ],
    )
    session.add(gold)
    session.flush()
    log.created.append(gold_entry(gold))
    _unreject(session, [i for i, _ in sources if i is not None], log)
    return gold


def _unreject(session: Session, span_ids: Sequence[int], log: ChangeLog) -> None:
    for row in session.scalars(
        select(RejectedSpan).where(RejectedSpan.span_id.in_(span_ids))
    ):
        log.unrejected.append(row.span_id)
        session.delete(row)


def links_touching(session: Session, gold_id: int) -> list[GoldLink]:
    """The gold links from or to gold span ``gold_id``, oldest first."""
    return list(
        session.scalars(
            select(GoldLink)
            .where(or_(GoldLink.source_id == gold_id, GoldLink.target_id == gold_id))
            .order_by(GoldLink.id)
        )
    )


def remove_gold(session: Session, gold: GoldSpan, log: ChangeLog) -> list[GoldLink]:
    """Delete ``gold`` and its links; answers the links as they were."""
    links = links_touching(session, gold.id)
    for found in links:
        log.deleted_links.append(link_entry(found))
        session.delete(found)
    session.flush()
    log.deleted.append(gold_entry(gold))
    session.delete(gold)
    session.flush()
    return links


def move_links(
    session: Session,
    links: Sequence[GoldLink],
    replaced: GoldSpan,
    created: GoldSpan,
    log: ChangeLog,
) -> None:
    """Draw ``links`` of the replaced gold span again to the one replacing
    it, where both ends exist and the link rules allow the link between
    their labels now."""
    for old in links:
        source_id = created.id if old.source_id == replaced.id else old.source_id
        target_id = created.id if old.target_id == replaced.id else old.target_id
        source, target = (session.get(GoldSpan, i) for i in (source_id, target_id))
        if source is None or target is None or source_id == target_id:
            continue
        if not link_allowed(old.kind, source.label.name, target.label.name):
            continue
        moved = GoldLink(source_id=source_id, target_id=target_id, kind=old.kind)
        session.add(moved)
        session.flush()
        log.created_links.append(link_entry(moved))


def carry_links(
    session: Session, document: Document, work: Submitted, log: ChangeLog
) -> None:
    """Link the gold spans this decision made as annotators linked their
    sources (see the module docstring); the links go into ``log``."""
    gold = gold_spans(session, document)
    existing = {
        (found.source_id, found.target_id, found.kind)
        for found in gold_links_of(session, [g.id for g in gold])
    }
    carried = rules.carried_links(
        annotator_links(session, work),
        gold_ends(gold),
        existing,
        [entry.id for entry in log.created],
    )
    for source_id, target_id, kind in carried:
        created = GoldLink(source_id=source_id, target_id=target_id, kind=kind)
        session.add(created)
        session.flush()
        log.created_links.append(link_entry(created))
