"""One document, annotator by annotator: each submitted annotator's spans,
the text cut into labelled segments for display, and the spans aligned into
classified groups (the side-by-side view of the Agreement page)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from annotator.core.adjudication import alias
from annotator.core.diff import (
    Group,
    GroupKind,
    Segment,
    SpanTriple,
    align,
    count_kinds,
    segments,
)
from annotator.models import Document, Project
from annotator.services import submitted
from annotator.services.agreement.coverage import left_out_reason
from annotator.services.agreement.reading import submitted_spans
from annotator.services.documents import no_document


@dataclass(frozen=True, slots=True)
class AnnotatorRow:
    """One annotator's spans on a document and the text cut for display."""

    annotator: str
    spans: tuple[SpanTriple, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class DocumentComparison:
    """Every compared annotator's spans on one document, aligned into groups."""

    document_id: int
    external_id: str
    title: str
    text: str
    labels: tuple[str, ...]  # the project's labels, in order
    rows: tuple[AnnotatorRow, ...]
    groups: tuple[Group, ...]
    kind_counts: Mapping[GroupKind, int] = field(default_factory=dict)
    #: Why the document is not in the agreement figures, None if it is.
    left_out_reason: str | None = None
    names_shown: bool = False

    @property
    def disagreements(self) -> tuple[Group, ...]:
        return tuple(group for group in self.groups if group.is_disagreement)


def document_comparison(
    session: Session, project: Project, document: Document, show_names: bool = False
) -> DocumentComparison:
    """Each submitted annotator's spans on ``document`` (code points, end
    exclusive), the text cut into labelled segments per annotator, and the
    spans aligned into classified groups (:func:`annotator.core.diff.align`).
    Annotators are A, B, C (as on the review page, in the same order) unless
    ``show_names``."""
    if document.project_id != project.id:
        raise no_document(project, document.id)
    work = submitted.document_work(session, document)
    spans = submitted_spans(session, project, document.id).get(document.id, {})
    by_annotator = {
        name if show_names else alias(index): spans.get(name, [])
        for index, name in enumerate(work.usernames)
    }
    rows = tuple(
        AnnotatorRow(
            name,
            tuple(found),
            tuple(segments(document.text_length, found)),
        )
        for name, found in by_annotator.items()
    )
    groups = tuple(align(by_annotator))
    counts = count_kinds(group.kind for group in groups)
    return DocumentComparison(
        document_id=document.id,
        external_id=document.external_id,
        title=document.title,
        text=document.text,
        labels=tuple(label.name for label in project.labels),
        rows=rows,
        groups=groups,
        kind_counts=counts,
        left_out_reason=left_out_reason(work, project.annotators_per_document),
        names_shown=show_names,
    )
