"""An annotator's own work in a project: open, submitted and skipped
documents, whether each may be reopened (the rule of
:func:`annotations.reopen_refusal`), and how many are left to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from annotator.models import Assignment, AssignmentStatus, Document, Project, User
from annotator.services import assignments
from annotator.services.annotations import reopen_refusal


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One of the user's documents; ``refusal`` says why it cannot be
    reopened (None: it can, or it is open anyway)."""

    document_id: int
    name: str
    text_length: int
    status: str
    version: int
    updated_at: datetime
    refusal: str | None

    @property
    def status_text(self) -> str:
        return self.status.replace("_", " ")


@dataclass(frozen=True, slots=True)
class MyWork:
    """The user's documents by state, and the counts of the progress line:
    ``left`` is open documents plus those that could still be handed to them."""

    open: list[QueueRow]
    submitted: list[QueueRow]
    skipped: list[QueueRow]
    progress: assignments.Progress

    @property
    def left(self) -> int:
        return self.progress.total - self.progress.done

    @property
    def has_work(self) -> bool:
        """Whether the user ever took a document here."""
        return bool(self.open or self.submitted or self.skipped)

    @property
    def all_done(self) -> bool:
        """Some documents done and nothing left to do or to hand out."""
        return self.has_work and self.left == 0


def my_work(session: Session, project: Project, user: User) -> MyWork:
    """Every document ``user`` holds or held in ``project``, by document id."""
    rows = session.execute(
        select(Document, Assignment)
        .join(Assignment, Assignment.document_id == Document.id)
        .where(Document.project_id == project.id, Assignment.user_id == user.id)
        .order_by(Document.id)
        .options(defer(Document.text))
    )
    found: dict[str, list[QueueRow]] = {"open": [], "submitted": [], "skipped": []}
    for document, assignment in rows:
        row = QueueRow(
            document_id=document.id,
            name=document.title or document.external_id,
            text_length=document.text_length,
            status=assignment.status,
            version=assignment.version,
            updated_at=assignment.updated_at,
            refusal=reopen_refusal(session, document, user, assignment.status),
        )
        if assignment.status == AssignmentStatus.SUBMITTED:
            found["submitted"].append(row)
        elif assignment.status == AssignmentStatus.SKIPPED:
            found["skipped"].append(row)
        else:
            found["open"].append(row)
    return MyWork(
        found["open"],
        found["submitted"],
        found["skipped"],
        assignments.progress(session, project, user),
    )
