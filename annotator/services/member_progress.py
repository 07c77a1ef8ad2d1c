"""How far each member of a project has got: documents assigned, submitted,
skipped and still open, as doccano's metrics page shows member progress.

Submitted work is read through :mod:`annotator.services.submitted` (the one
home of that rule); skipped and open assignments are counted here. A skipped
assignment stays with the member who skipped it (their place went to someone
else, who has an assignment of their own), so a reassigned document counts
once for each of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import (
    Assignment,
    AssignmentStatus,
    Document,
    Membership,
    Project,
    User,
)
from annotator.services import submitted
from annotator.services.assignments import OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class MemberProgress:
    """One person's assignments in a project; ``role`` is None for someone
    who is no longer a member but still has assignments in it."""

    user_id: int
    username: str
    role: str | None
    submitted: int
    skipped: int
    open: int  # to do or in progress

    @property
    def assigned(self) -> int:
        return self.submitted + self.skipped + self.open

    @property
    def share_submitted(self) -> float | None:
        """Submitted out of assigned (None when nothing is assigned)."""
        return self.submitted / self.assigned if self.assigned else None


@dataclass(frozen=True, slots=True)
class ProjectProgress:
    """Every member's progress and the documents' state at a glance."""

    members: tuple[MemberProgress, ...]
    n_documents: int
    n_complete: int  # enough annotators submitted (submitted.DocumentWork)
    n_waiting: int  # someone submitted, more annotators needed
    annotators_per_document: int

    @property
    def n_not_started(self) -> int:
        return self.n_documents - self.n_complete - self.n_waiting


def _other_counts(session: Session, project: Project) -> dict[int, Counter[str]]:
    """User id -> how many of their assignments are skipped or open."""
    rows = session.execute(
        select(Assignment.user_id, Assignment.status)
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Document.project_id == project.id,
            Assignment.status != AssignmentStatus.SUBMITTED,
        )
    )
    found: dict[int, Counter[str]] = {}
    for user_id, status in rows:
        kind = "open" if status in OPEN_STATUSES else "skipped"
        found.setdefault(user_id, Counter())[kind] += 1
    return found


def _people(
    session: Session, project: Project, user_ids: set[int]
) -> list[tuple[int, str, str | None]]:
    """(user id, username, role or None) of the members and of anyone else
    with assignments in the project, by username."""
    rows = session.execute(
        select(Membership.user_id, Membership.role).where(
            Membership.project_id == project.id
        )
    )
    roles: dict[int, str] = {row[0]: row[1] for row in rows}
    wanted = set(roles) | user_ids
    names = session.execute(
        select(User.id, User.username).where(User.id.in_(wanted))
    ).all()
    return sorted(
        ((uid, name, roles.get(uid)) for uid, name in names), key=lambda p: p[1]
    )


def member_progress(session: Session, project: Project) -> ProjectProgress:
    """Per member (and anyone else holding assignments in ``project``):
    documents submitted, skipped and still open; with the project's
    documents complete, waiting for more annotators, and not started."""
    work = submitted.project_work(session, project)
    done: Counter[int] = Counter(
        user_id
        for document in work.documents.values()
        for user_id, _ in document.submitted
    )
    others = _other_counts(session, project)
    members = tuple(
        MemberProgress(
            user_id=uid,
            username=name,
            role=role,
            submitted=done[uid],
            skipped=others.get(uid, Counter())["skipped"],
            open=others.get(uid, Counter())["open"],
        )
        for uid, name, role in _people(session, project, set(done) | set(others))
    )
    return ProjectProgress(
        members=members,
        n_documents=work.n_documents,
        n_complete=work.n_complete(),
        n_waiting=len(work.waiting_ids()),
        annotators_per_document=work.needed,
    )
