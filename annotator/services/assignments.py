"""Who annotates what: each document gets ``annotators_per_document`` different
annotators, and nobody gets the same document twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    delete,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.models import (
    Adjudication,
    Assignment,
    AssignmentStatus,
    Document,
    Project,
    User,
)
from annotator.services import audit, queue_order

OPEN_STATUSES = (AssignmentStatus.TODO, AssignmentStatus.IN_PROGRESS)
DONE_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED)
#: Documents tried per request when others fill them first.
MAX_ASSIGNMENT_TRIES = 20


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    in_progress: int
    total: int


def open_assignments(
    session: Session, project: Project, user: User
) -> list[tuple[Document, Assignment]]:
    rows = session.execute(
        select(Document, Assignment)
        .join(Assignment, Assignment.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            Assignment.user_id == user.id,
            Assignment.status.in_(OPEN_STATUSES),
        )
        .order_by(Document.id)
    )
    return [(document, assignment) for document, assignment in rows]


def _holds_place() -> ColumnElement[bool]:
    """An assignment that keeps a place on its document: a skipped one frees
    it (someone else annotates instead). Open assignments of a deactivated
    account are released when it is deactivated (release_open_assignments),
    so every rule that counts places sees the same thing."""
    return Assignment.status != AssignmentStatus.SKIPPED


def release_open_assignments(
    session: Session, user: User, project_id: int | None = None
) -> None:
    """``user``'s unfinished documents (in ``project_id``, or everywhere) go
    back to the queue: their assignments are deleted, their spans stay,
    unsubmitted, for the audit trail; submitted work stays. For a removed
    member and for a deactivated account (whose open work would otherwise
    hold a place nobody finishes and keep the document out of review)."""
    query = delete(Assignment).where(
        Assignment.user_id == user.id, Assignment.status.in_(OPEN_STATUSES)
    )
    if project_id is not None:
        query = query.where(
            Assignment.document_id.in_(
                select(Document.id).where(Document.project_id == project_id)
            )
        )
    session.execute(query.execution_options(synchronize_session=False))


def _needs_annotators(
    project: Project, user: User
) -> Callable[[SQLColumnExpression[int]], list[ColumnElement[bool]]]:
    """The conditions on a document id (a column of the queue's query) for
    handing that document to ``user``: fewer than the project's annotators
    hold a place on it, not the user already, and no reviewer has decided
    on it."""

    def conditions(
        document_id: SQLColumnExpression[int],
    ) -> list[ColumnElement[bool]]:
        # Counted per candidate (an index probe on assignments.document_id),
        # not joined as counts of every document: the queue orders walk an
        # index and stop at the first candidate, which a join to an
        # aggregate defeats on PostgreSQL (a nested loop over the aggregate
        # for every document).
        taken = (
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.document_id == document_id, _holds_place())
            .scalar_subquery()
        )
        return [
            taken < project.annotators_per_document,
            *_open_to(user, document_id),
        ]

    return conditions


def _open_to(
    user: User, document_id: SQLColumnExpression[int]
) -> list[ColumnElement[bool]]:
    """The rest of the rule, however the places are counted: not ``user``'s
    already, and no reviewer has decided on it."""
    mine = select(Assignment.document_id).where(Assignment.user_id == user.id)
    # Once a reviewer has decided on a document, nobody new joins it: the
    # gold layer is built on the work submitted so far.
    reviewed = select(Adjudication.id).where(
        Adjudication.document_id == document_id, Adjudication.version > 0
    )
    return [document_id.not_in(mine), ~reviewed.exists()]


def _documents_needing_annotators(project: Project, user: User) -> Select[int]:
    """All the documents ``_needs_annotators`` would hand to ``user`` (for
    counting them): the same rule, with the annotators of every document
    counted at once, which is cheaper when all are read."""
    taken = (
        select(Assignment.document_id, func.count().label("annotators"))
        .where(_holds_place())
        .group_by(Assignment.document_id)
        .subquery()
    )
    return (
        select(Document.id)
        .outerjoin(taken, taken.c.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            func.coalesce(taken.c.annotators, 0) < project.annotators_per_document,
            *_open_to(user, Document.id),
        )
    )


def next_document(session: Session, project: Project, user: User) -> Document | None:
    """The user's oldest open document, or a new assignment on the first
    document, in the project's queue order (services/queue_order.py), that
    still needs annotators; None when there is nothing left or the account
    is deactivated."""
    current = open_assignments(session, project, user)
    if current:
        return current[0][0]
    if not user.is_active:
        return None  # a deactivated account is given no new documents
    for _ in range(MAX_ASSIGNMENT_TRIES):
        candidate = _lock_candidate(session, project, user)
        if candidate is None:
            return None
        # Insert first, count after: on SQLite the insert takes the write lock,
        # so the count sees every committed assignment; on PostgreSQL the row
        # lock above orders us behind anyone taking the same document.
        try:
            _assign(session, project, user, candidate)
        except IntegrityError:  # the same user's other request took it first
            session.rollback()
            current = open_assignments(session, project, user)
            return current[0][0] if current else None
        if len(open_assignments(session, project, user)) > 1:
            session.rollback()  # the same user's other request won: theirs
            return next_document(session, project, user)
        if _assigned(session, candidate) <= project.annotators_per_document:
            session.commit()
            return session.get(Document, candidate)
        session.rollback()  # filled by someone else since we looked: next one
    return None


def _lock_candidate(session: Session, project: Project, user: User) -> int | None:
    """The first document, in the queue order, still needing annotators,
    its row locked on PostgreSQL (SQLite has no row locks and ignores FOR
    UPDATE). The order only chooses which document is tried first: the
    count after the insert guards every order alike."""
    parts = queue_order.ordered(project, _needs_annotators(project, user))
    for candidates in parts:
        found = session.scalar(candidates.limit(1).with_for_update(of=Document))
        if found is not None:
            return found
    return None


def _assigned(session: Session, document_id: int) -> int:
    """Annotators holding a place on the document now (a fresh count)."""
    count = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.document_id == document_id, _holds_place())
    )
    return int(count or 0)


def _assign(session: Session, project: Project, user: User, document_id: int) -> None:
    assignment = Assignment(
        document_id=document_id, user_id=user.id, status=AssignmentStatus.IN_PROGRESS
    )
    session.add(assignment)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        project_id=project.id,
        entity="assignment",
        entity_id=assignment.id,
        action="create",
        data={"document_id": document_id, "status": assignment.status},
    )


def progress(session: Session, project: Project, user: User) -> Progress:
    counts = dict(
        session.execute(
            select(Assignment.status, func.count())
            .join(Document, Document.id == Assignment.document_id)
            .where(
                and_(Document.project_id == project.id, Assignment.user_id == user.id)
            )
            .group_by(Assignment.status)
        ).all()
    )
    done = sum(counts.get(status, 0) for status in DONE_STATUSES)
    in_progress = sum(counts.get(status, 0) for status in OPEN_STATUSES)
    available = session.scalar(
        select(func.count()).select_from(
            _documents_needing_annotators(project, user).subquery()
        )
    )
    return Progress(done, in_progress, done + in_progress + (available or 0))
