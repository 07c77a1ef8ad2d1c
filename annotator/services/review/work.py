"""Reading the submitted work of documents under review: the submitted
annotators and their spans (plain columns), their links, and a project's
document by id. Which work counts is :mod:`annotator.services.submitted`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core import adjudication as rules
from annotator.core.diff import Group, SpanTriple, align
from annotator.models import Document, GoldSpan, Label, Project, SpanLink
from annotator.models import Span as SpanRow
from annotator.services import submitted


@dataclass(frozen=True, slots=True)
class SpanRecord:
    id: int
    annotator_id: int
    start: int
    end: int
    label: str
    attributes: Mapping[str, str]
    note: str

    @property
    def triple(self) -> SpanTriple:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class Submitted:
    """One document's submitted annotators (by username) and their spans."""

    annotators: tuple[tuple[int, str], ...]  # (user id, username)
    spans: tuple[SpanRecord, ...]

    def by_annotator(self) -> dict[int, list[SpanTriple]]:
        found: dict[int, list[SpanTriple]] = {uid: [] for uid, _ in self.annotators}
        for span in self.spans:
            found[span.annotator_id].append(span.triple)
        return found

    def groups(self) -> list[Group]:
        """The spans aligned by :func:`annotator.core.diff.align`."""
        return align(self.by_annotator())

    def with_triple(self, triple: SpanTriple) -> list[SpanRecord]:
        return [span for span in self.spans if span.triple == triple]


def span_query() -> Any:
    """Plain columns, not ORM objects: the queue reads every span of a project."""
    return (
        select(
            SpanRow.document_id,
            SpanRow.id,
            SpanRow.annotator_id,
            SpanRow.start,
            SpanRow.end,
            Label.name,
            SpanRow.attributes,
            SpanRow.note,
        )
        .join(Label, Label.id == SpanRow.label_id)
        .where(
            submitted.submitted_assignment(SpanRow.document_id, SpanRow.annotator_id)
        )
        .order_by(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.id)
    )


def record(row: Any) -> SpanRecord:
    """A span from a row of :func:`span_query` (after its document id)."""
    _, span_id, annotator_id, start, end, label, attributes, note = row
    return SpanRecord(span_id, annotator_id, start, end, label, attributes or {}, note)


def submitted_work(session: Session, document: Document) -> Submitted:
    """The submitted annotators of ``document`` and their spans."""
    work = submitted.document_work(session, document)
    rows = session.execute(span_query().where(SpanRow.document_id == document.id)).all()
    return Submitted(work.submitted, tuple(record(row) for row in rows))


def annotator_links(session: Session, work: Submitted) -> list[rules.AnnotatorLink]:
    """The links submitted annotators drew between their spans of the document."""
    owner = {span.id: span.annotator_id for span in work.spans}
    if not owner:
        return []
    rows = session.execute(
        select(SpanLink.id, SpanLink.source_id, SpanLink.target_id, SpanLink.kind)
        .where(SpanLink.source_id.in_(list(owner)))
        .order_by(SpanLink.id)
    )
    return [
        rules.AnnotatorLink(link_id, owner[source], source, target, kind)
        for link_id, source, target, kind in rows
        if target in owner
    ]


def gold_ends(gold: Iterable[GoldSpan]) -> list[rules.GoldEnd]:
    """Gold spans as link ends: id, label name and source span ids."""
    return [
        rules.GoldEnd(
            g.id,
            g.label.name,
            frozenset(s.span_id for s in g.sources if s.span_id is not None),
        )
        for g in gold
    ]


def project_work(
    session: Session, project: Project, work: submitted.ProjectWork, ids: Sequence[int]
) -> dict[int, Submitted]:
    """The submitted work of the project's documents ``ids``, in one query."""
    spans: dict[int, list[SpanRecord]] = {i: [] for i in ids}
    query = span_query().join(Document, Document.id == SpanRow.document_id)
    for row in session.execute(query.where(Document.project_id == project.id)):
        if row[0] in spans:
            spans[row[0]].append(record(row))
    return {i: Submitted(work.of(i).submitted, tuple(spans[i])) for i in ids}
