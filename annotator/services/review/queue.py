"""The review queue: complete documents nobody is still working on, most
disagreements first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.diff import GroupKind, disagreement_rank, kind_counts_many
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Document,
    GoldSpan,
    Project,
)
from annotator.services import submitted
from annotator.services.review.errors import refuse
from annotator.services.review.work import Submitted, project_work


@dataclass(frozen=True, slots=True)
class QueueEntry:
    document_id: int
    external_id: str
    title: str
    n_annotators: int
    n_groups: int
    n_disagreements: int
    kinds: Mapping[GroupKind, int]
    status: str
    n_gold: int

    @property
    def name(self) -> str:
        return self.title or self.external_id


def _entry(
    document: Document,
    work: Submitted,
    kinds: Mapping[GroupKind, int],
    label: str | None,
    status: str,
    n_gold: int,
) -> QueueEntry | None:
    n_groups = sum(kinds.values())
    if label is not None and not n_groups:
        return None
    return QueueEntry(
        document_id=document.id,
        external_id=document.external_id,
        title=document.title,
        n_annotators=len(work.annotators),
        n_groups=n_groups,
        n_disagreements=n_groups - kinds[GroupKind.SAME],
        kinds=kinds,
        status=status,
        n_gold=n_gold,
    )


def _statuses(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(
        select(Adjudication.document_id, Adjudication.status).where(
            Adjudication.document_id.in_(ids)
        )
    )
    return dict(rows.all())


def _gold_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for document_id in session.scalars(
        select(GoldSpan.document_id).where(GoldSpan.document_id.in_(ids))
    ):
        counts[document_id] = counts.get(document_id, 0) + 1
    return counts


def check_label(project: Project, label: str | None) -> str | None:
    """``label`` if the project has it (None: every label)."""
    if not label:
        return None
    names = [found.name for found in project.labels]
    if label not in names:
        raise refuse(
            "label", f"unknown label {label!r} (this project has: {', '.join(names)})"
        )
    return label


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """The queue, and a sentence about documents waiting for more annotators."""

    entries: list[QueueEntry]
    waiting: str | None


def review_queue(
    session: Session, project: Project, label: str | None = None
) -> list[QueueEntry]:
    """Complete documents nobody is still working on
    (:mod:`annotator.services.submitted`), most disagreements first (then the
    larger share of disagreeing groups); with ``label``, only groups with a
    span of that label count and documents without one are left out."""
    return queue_overview(session, project, label).entries


def queue_overview(
    session: Session, project: Project, label: str | None = None
) -> ReviewQueue:
    """:func:`review_queue` and what waits for more annotators, in words."""
    chosen = check_label(project, label)
    complete = submitted.project_work(session, project)
    ids = complete.reviewable_ids()
    work = project_work(session, project, complete, ids)
    statuses, gold = _statuses(session, ids), _gold_counts(session, ids)
    documents = session.scalars(select(Document).where(Document.id.in_(ids))).all()
    counted = kind_counts_many(
        [work[document.id].by_annotator() for document in documents], chosen
    )
    entries = [
        _entry(
            document,
            work[document.id],
            kinds,
            chosen,
            statuses.get(document.id, AdjudicationStatus.OPEN),
            gold.get(document.id, 0),
        )
        for document, kinds in zip(documents, counted, strict=True)
    ]
    found = [entry for entry in entries if entry is not None]
    ranked = sorted(
        found,
        key=lambda e: (
            *disagreement_rank(e.n_disagreements, e.n_groups),
            e.document_id,
        ),
    )
    return ReviewQueue(ranked, complete.waiting_message())


def next_open_document(
    session: Session, project: Project, after: int | None = None
) -> int | None:
    """The first document of the queue still open for review, but ``after``."""
    for entry in review_queue(session, project):
        if entry.status == AdjudicationStatus.OPEN and entry.document_id != after:
            return entry.document_id
    return None
