"""The reviewer's decisions so far, as stored: the adjudication row, the
gold layer with its sources and links, and rejected annotator spans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from annotator.core import adjudication as rules
from annotator.core.diff import SpanTriple
from annotator.models import (
    Adjudication,
    Document,
    GoldLink,
    GoldSpan,
    Label,
    RejectedSpan,
)
from annotator.services.review.work import Submitted


def adjudication_of(session: Session, document: Document) -> Adjudication | None:
    return session.scalar(
        select(Adjudication).where(Adjudication.document_id == document.id)
    )


def gold_spans(session: Session, document: Document) -> list[GoldSpan]:
    """The document's gold layer, in text order."""
    return list(
        session.scalars(
            select(GoldSpan)
            .options(selectinload(GoldSpan.sources), selectinload(GoldSpan.label))
            .where(GoldSpan.document_id == document.id)
            .order_by(GoldSpan.start, GoldSpan.end, GoldSpan.id)
        )
    )


def gold_spans_of(session: Session, document_ids: Sequence[int]) -> list[GoldSpan]:
    """The gold spans of several documents, by document, then in text order."""
    return list(
        session.scalars(
            select(GoldSpan)
            .options(selectinload(GoldSpan.sources), selectinload(GoldSpan.label))
            .join(Label, Label.id == GoldSpan.label_id)
            .where(GoldSpan.document_id.in_(document_ids))
            .order_by(
                GoldSpan.document_id,
                GoldSpan.start,
                GoldSpan.end,
                Label.name,
                GoldSpan.id,
            )
        )
    )


def gold_links_of(session: Session, gold_ids: Sequence[int]) -> list[GoldLink]:
    """Links whose source is one of ``gold_ids``, in (source, target, kind) order."""
    return list(
        session.scalars(
            select(GoldLink)
            .where(GoldLink.source_id.in_(gold_ids))
            .order_by(GoldLink.source_id, GoldLink.target_id, GoldLink.kind)
        )
    )


def link_json(link: GoldLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "source_id": link.source_id,
        "target_id": link.target_id,
        "kind": link.kind,
    }


def rejected_ids(session: Session, document: Document) -> set[int]:
    return set(
        session.scalars(
            select(RejectedSpan.span_id).where(RejectedSpan.document_id == document.id)
        )
    )


@dataclass(frozen=True, slots=True)
class Decided:
    """The reviewer's decisions so far on one document."""

    adjudication: Adjudication | None
    gold: list[GoldSpan]
    rejected: set[int]  # annotator span ids

    def gold_triples(self) -> list[SpanTriple]:
        return [(g.start, g.end, g.label.name) for g in self.gold]

    def gold_sources(self) -> set[int | None]:
        return {s.span_id for g in self.gold for s in g.sources}

    def gold_marks(self, work: Submitted) -> list[rules.GoldMark]:
        return gold_marks(self.gold, work)

    def rejected_triples(self, work: Submitted) -> set[SpanTriple]:
        return {s.triple for s in work.spans if s.id in self.rejected}


def gold_marks(gold: Iterable[GoldSpan], work: Submitted) -> list[rules.GoldMark]:
    """Gold spans as the decided rule sees them (:func:`rules.is_decided`):
    their sources as the triples of the reviewed spans they came from."""
    triples = {span.id: span.triple for span in work.spans}
    return [
        rules.GoldMark(
            g.start,
            g.end,
            g.label.name,
            frozenset(triples[s.span_id] for s in g.sources if s.span_id in triples),
        )
        for g in gold
    ]


def decided_on(session: Session, document: Document) -> Decided:
    """The reviewer's decisions so far on ``document``."""
    return Decided(
        adjudication_of(session, document),
        gold_spans(session, document),
        rejected_ids(session, document),
    )
