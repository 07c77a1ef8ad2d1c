"""Where review stands in a project, for the API: the review queue and, for
each document still open for review, how many groups the reviewer has not
decided yet (the count that adjudicating asks to confirm)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import AdjudicationStatus, Document, Project
from annotator.services.adjudication.documents import open_groups
from annotator.services.review import ReviewQueue, queue_overview, submitted_work


@dataclass(frozen=True, slots=True)
class ReviewState:
    queue: ReviewQueue
    #: Document id -> its undecided groups (every label), open documents only.
    undecided: Mapping[int, int]


def review_state(
    session: Session, project: Project, label: str | None = None
) -> ReviewState:
    """:func:`review.queue_overview` and the undecided groups of each open
    document of the queue (a few reads per open document)."""
    queue = queue_overview(session, project, label)
    open_ids = [
        entry.document_id
        for entry in queue.entries
        if entry.status == AdjudicationStatus.OPEN
    ]
    documents = session.scalars(select(Document).where(Document.id.in_(open_ids)))
    undecided = {
        document.id: len(
            open_groups(session, document, submitted_work(session, document))
        )
        for document in documents
    }
    return ReviewState(queue, undecided)
