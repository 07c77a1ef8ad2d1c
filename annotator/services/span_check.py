"""Find stored spans that split a character as a reader sees it.

Spans saved before the API and the import refused edges inside an extended
grapheme cluster (UAX #29) are kept as they are, never rewritten: this
read-only check lists them, annotators' and gold alike, so that a person can
decide what to do. Offsets are code points, end exclusive.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.offsets import GraphemeIndex, Range
from annotator.models import Document, GoldSpan, Project, User
from annotator.models import Span as SpanRow

GOLD = "(gold)"
_BATCH = 200


@dataclass(frozen=True, slots=True)
class SplitSpan:
    """A stored span with at least one edge inside a grapheme cluster;
    ``edges`` pairs "start" or "end" with the cluster (code points) it is in."""

    project: str
    document_id: int
    span_id: int
    annotator: str  # ``GOLD`` for a gold span
    start: int
    end: int
    edges: tuple[tuple[str, Range], ...]

    def __str__(self) -> str:
        offsets = {"start": self.start, "end": self.end}
        inside = ", ".join(
            f"{edge} {offsets[edge]} is inside the character at {first}-{last}"
            for edge, (first, last) in self.edges
        )
        what = "gold span" if self.annotator == GOLD else "span"
        who = "" if self.annotator == GOLD else f" by {self.annotator}"
        return (
            f"{self.project}: document {self.document_id}, {what} {self.span_id}"
            f"{who}, offsets {self.start}-{self.end}: {inside}"
        )


def split_spans(
    session: Session, project: Project | None = None
) -> Iterator[SplitSpan]:
    """Every stored span (annotators', then gold, per document in id order)
    whose start or end falls inside a grapheme cluster; reads, never writes.
    Texts are read a batch of documents at a time."""
    ids = select(Document.id).order_by(Document.id)
    if project is not None:
        ids = ids.where(Document.project_id == project.id)
    found = list(session.scalars(ids))
    for at in range(0, len(found), _BATCH):
        yield from _split_in(session, found[at : at + _BATCH])


def _split_in(session: Session, ids: Sequence[int]) -> Iterator[SplitSpan]:
    documents = session.execute(
        select(Document.id, Project.name, Document.text)
        .join(Project, Project.id == Document.project_id)
        .where(Document.id.in_(ids))
        .order_by(Document.id)
    ).all()
    spans = session.execute(
        select(
            SpanRow.document_id, SpanRow.id, User.username, SpanRow.start, SpanRow.end
        )
        .join(User, User.id == SpanRow.annotator_id)
        .where(SpanRow.document_id.in_(ids))
        .order_by(SpanRow.document_id, SpanRow.id)
    ).all()
    gold = session.execute(
        select(GoldSpan.document_id, GoldSpan.id, GoldSpan.start, GoldSpan.end)
        .where(GoldSpan.document_id.in_(ids))
        .order_by(GoldSpan.document_id, GoldSpan.id)
    ).all()
    by_document: dict[int, list[tuple[int, str, int, int]]] = {}
    for document_id, span_id, annotator, start, end in spans:
        by_document.setdefault(document_id, []).append((span_id, annotator, start, end))
    for document_id, span_id, start, end in gold:
        by_document.setdefault(document_id, []).append((span_id, GOLD, start, end))
    for document_id, project_name, text in documents:
        graphemes = GraphemeIndex(text)
        for span_id, annotator, start, end in by_document.get(document_id, ()):
            edges = _split_edges(graphemes, start, end)
            if edges:
                yield SplitSpan(
                    project_name, document_id, span_id, annotator, start, end, edges
                )


def _split_edges(
    graphemes: GraphemeIndex, start: int, end: int
) -> tuple[tuple[str, Range], ...]:
    """The edges (in range: the database holds 0 <= start < end) that split."""
    found = []
    for name, offset in (("start", start), ("end", end)):
        cluster = graphemes.cluster_at(offset)
        if cluster != (offset, offset):
            found.append((name, cluster))
    return tuple(found)
