"""The team view's documents list: where each document of a project stands
(:mod:`annotator.core.progress`), who holds it, and filters by status and by
label, one page at a time.

Submitted work is read through :mod:`annotator.services.submitted`; the
statuses of a whole project come from a handful of queries (documents,
assignments, adjudications), whatever its size, and only the shown page's
documents are read further. Blind annotation holds here too: on a document
the viewer has open to annotate, the other assignees stay unnamed, its spans
are not counted and a label filter never matches it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.progress import DocumentStatus, Progress
from annotator.core.spans import FieldError
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    AssignmentStatus,
    Document,
    GoldSpan,
    Label,
    Project,
    User,
)
from annotator.models import Span as SpanRow
from annotator.services import blind, submitted
from annotator.services.errors import FieldRefused

#: Documents per page of the list.
PAGE_SIZE = 50
#: An assignment's status in words.
ASSIGNMENT_TEXT = {
    AssignmentStatus.TODO: "to do",
    AssignmentStatus.IN_PROGRESS: "in progress",
    AssignmentStatus.SUBMITTED: "submitted",
    AssignmentStatus.SKIPPED: "skipped",
}


class InvalidFilter(FieldRefused):
    """A status or label the project does not have; ``field`` names it."""


@dataclass(frozen=True, slots=True)
class Assignee:
    """Someone holding (or having skipped) an assignment, named for the
    viewer, with the assignment's status in words."""

    name: str
    state: str
    is_viewer: bool = False


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    external_id: str
    title: str
    text_length: int
    progress: Progress
    assignees: tuple[Assignee, ...]
    unnamed: int  # other assignees hidden: the viewer annotates this document
    n_spans: int | None  # submitted spans; None while the viewer annotates it
    reviewable: bool  # the review queue holds it (submitted.is_reviewable)
    annotating: bool  # the viewer has it open to annotate (blind)

    @property
    def status(self) -> DocumentStatus:
        return self.progress.status


@dataclass(frozen=True, slots=True)
class DocumentsPage:
    """One page of the list: ``counts`` per status over the documents the
    label filter keeps (all of them without one), ``n_matching`` those the
    status filter keeps too, and a sentence about documents waiting for
    annotators (:meth:`submitted.ProjectWork.waiting_message`)."""

    rows: list[DocumentRow]
    counts: Mapping[DocumentStatus, int]
    n_matching: int
    page: int
    pages: int
    waiting: str | None


def check_filters(
    project: Project, status: str | None, label: str | None
) -> tuple[DocumentStatus | None, Label | None]:
    """The status and the project's label named, None where not given;
    :class:`InvalidFilter` names an unknown one."""
    chosen_status = None
    if status:
        try:
            chosen_status = DocumentStatus(status)
        except ValueError:
            known = ", ".join(s.value for s in DocumentStatus)
            message = f"unknown status {status!r} (one of: {known})"
            raise InvalidFilter(FieldError("status", message)) from None
    chosen_label = None
    if label:
        chosen_label = next((x for x in project.labels if x.name == label), None)
        if chosen_label is None:
            names = ", ".join(x.name for x in project.labels)
            message = f"unknown label {label!r} (this project has: {names})"
            raise InvalidFilter(FieldError("label", message))
    return chosen_status, chosen_label


def _adjudicated(session: Session, project: Project) -> set[int]:
    return set(
        session.scalars(
            select(Adjudication.document_id)
            .join(Document, Document.id == Adjudication.document_id)
            .where(
                Document.project_id == project.id,
                Adjudication.status == AdjudicationStatus.ADJUDICATED,
            )
        )
    )


def _with_label(session: Session, project: Project, label: Label) -> set[int]:
    """Documents where a submitted annotation or the gold layer has a span
    labelled ``label``."""
    target, on = submitted.submitted_join(SpanRow.document_id, SpanRow.annotator_id)
    annotated = session.scalars(
        select(SpanRow.document_id)
        .join(target, on)
        .join(Document, Document.id == SpanRow.document_id)
        .where(Document.project_id == project.id, SpanRow.label_id == label.id)
        .distinct()
    )
    gold = session.scalars(
        select(GoldSpan.document_id)
        .join(Document, Document.id == GoldSpan.document_id)
        .where(Document.project_id == project.id, GoldSpan.label_id == label.id)
        .distinct()
    )
    return {*annotated, *gold}


def project_progress(
    session: Session, project: Project, work: submitted.ProjectWork | None = None
) -> dict[int, Progress]:
    """Document id -> its :class:`Progress`, for every document of
    ``project``, in id order (three queries with ``work`` given, five without)."""
    work = work or submitted.project_work(session, project)
    adjudicated = _adjudicated(session, project)
    ids = session.scalars(
        select(Document.id)
        .where(Document.project_id == project.id)
        .order_by(Document.id)
    )
    return {doc_id: _progress(work, doc_id, adjudicated) for doc_id in ids}


def _progress(
    work: submitted.ProjectWork, doc_id: int, adjudicated: Collection[int]
) -> Progress:
    found = work.of(doc_id)
    return Progress(
        needed=work.needed,
        submitted=len(found.submitted),
        open=found.n_open,
        review_begun=found.review_begun,
        adjudicated=doc_id in adjudicated,
    )


def status_counts(progress: Iterable[Progress]) -> dict[DocumentStatus, int]:
    """How many documents are in each status (every status, zeros too)."""
    counts = dict.fromkeys(DocumentStatus, 0)
    for found in progress:
        counts[found.status] += 1
    return counts


def documents_page(
    session: Session,
    project: Project,
    viewer: User,
    *,
    status: str | None = None,
    label: str | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> DocumentsPage:
    """Page ``page`` (from 1; clamped to the pages there are) of the project's
    documents in id order, kept by ``status`` (a :class:`DocumentStatus`
    value) and ``label`` (a label name: documents with a submitted or gold
    span of it), with who holds each and whether it can be reviewed."""
    chosen_status, chosen_label = check_filters(project, status, label)
    work = submitted.project_work(session, project)
    progress = project_progress(session, project, work)
    hidden = blind.open_to(session, project, viewer)
    if chosen_label is not None:
        kept = _with_label(session, project, chosen_label) - hidden
        progress = {i: p for i, p in progress.items() if i in kept}
    counts = status_counts(progress.values())
    matching = [
        doc_id
        for doc_id, found in progress.items()
        if chosen_status is None or found.status is chosen_status
    ]
    pages = max(1, math.ceil(len(matching) / per_page))
    page = min(max(page, 1), pages)
    shown = matching[(page - 1) * per_page : page * per_page]
    rows = _rows(session, work, progress, shown, viewer, hidden)
    return DocumentsPage(
        rows, counts, len(matching), page, pages, work.waiting_message()
    )


def _rows(
    session: Session,
    work: submitted.ProjectWork,
    progress: Mapping[int, Progress],
    ids: Sequence[int],
    viewer: User,
    hidden: Collection[int],
) -> list[DocumentRow]:
    documents = session.execute(
        select(Document.id, Document.external_id, Document.title, Document.text_length)
        .where(Document.id.in_(ids))
        .order_by(Document.id)
    )
    spans = _span_counts(session, ids)
    rows = []
    for doc_id, external_id, title, length in documents:
        blind = doc_id in hidden
        assignees, unnamed = _assignees(work.of(doc_id), viewer, blind)
        rows.append(
            DocumentRow(
                id=doc_id,
                external_id=external_id,
                title=title,
                text_length=length,
                progress=progress[doc_id],
                assignees=assignees,
                unnamed=unnamed,
                n_spans=None if blind else spans.get(doc_id, 0),
                reviewable=not blind and work.of(doc_id).is_reviewable(work.needed),
                annotating=blind,
            )
        )
    return rows


def _assignees(
    work: submitted.DocumentWork, viewer: User, blind: bool
) -> tuple[tuple[Assignee, ...], int]:
    """Everyone with an assignment on the document, by name; while the viewer
    annotates it, only the viewer, and how many others there are."""
    everyone = sorted(
        [(name, uid, AssignmentStatus.SUBMITTED) for uid, name in work.submitted]
        + [(name, uid, status) for uid, name, status in work.unsubmitted]
    )
    named = tuple(
        Assignee(name, ASSIGNMENT_TEXT[AssignmentStatus(status)], uid == viewer.id)
        for name, uid, status in everyone
        if not blind or uid == viewer.id
    )
    return named, len(everyone) - len(named)


def _span_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Submitted spans per document of ``ids``."""
    target, on = submitted.submitted_join(SpanRow.document_id, SpanRow.annotator_id)
    rows = session.execute(
        select(SpanRow.document_id, func.count(SpanRow.id))
        .join(target, on)
        .where(SpanRow.document_id.in_(ids))
        .group_by(SpanRow.document_id)
    )
    return {doc_id: int(count) for doc_id, count in rows}
