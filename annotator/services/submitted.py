"""Which work counts: submitted assignments, complete documents, and what a
viewer may not see. The one home of the rule; review, agreement and exports
read it here.

- An annotator's work on a document is *submitted* when their assignment's
  status is ``submitted``. A skipped assignment is not a submission and frees
  its place for someone else.
- A document is *complete* when at least ``project.annotators_per_document``
  annotators have submitted it (more is complete too), or once a reviewer has
  decided on it: nobody new joins such a document
  (:mod:`annotator.services.assignments`), the gold layer rests on the work
  submitted so far.
- A complete document is *reviewable* while nobody's assignment on it is
  still open (todo or in progress).
- A viewer never sees others' work on a document they have open themselves
  (blind annotation), even as a reviewer: :mod:`annotator.services.blind`.

The SQL pieces (:func:`submitted_clause`, :func:`complete_clause`,
:func:`submitted_assignment`) take the document (and annotator) id columns of
the caller's query, so a query of any shape can filter by the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from annotator.models import (
    ROLE_RANK,
    Adjudication,
    Assignment,
    AssignmentStatus,
    Document,
    Membership,
    Project,
    Role,
    User,
)
from annotator.models import Span as SpanRow
from annotator.services.assignments import OPEN_STATUSES

#: Roles whose members take assignments (the annotate pages ask for at least
#: ``annotator``): today every role.
ANNOTATING_ROLES = tuple(
    str(role) for role in Role if ROLE_RANK[role] >= ROLE_RANK[Role.ANNOTATOR]
)
ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}


# --------------------------------------------------------------------------
# The rule in SQL, for queries of any shape
# --------------------------------------------------------------------------


def submitted_assignment(
    document_id: SQLColumnExpression[int], user_id: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """True where ``user_id`` submitted ``document_id``: the join condition
    that keeps a span only when it is its annotator's submitted work."""
    found = aliased(Assignment)
    return exists().where(
        found.document_id == document_id,
        found.user_id == user_id,
        found.status == AssignmentStatus.SUBMITTED,
    )


def submitted_join(
    document_id: SQLColumnExpression[int], user_id: SQLColumnExpression[int]
) -> tuple[type[Assignment], ColumnElement[bool]]:
    """``submitted_assignment`` as a join target and its on-clause, for
    queries that read many rows: SQLite runs the join a quarter faster than
    the correlated EXISTS (measured on export's span query)."""
    return Assignment, and_(
        Assignment.document_id == document_id,
        Assignment.user_id == user_id,
        Assignment.status == AssignmentStatus.SUBMITTED,
    )


def submitted_pairs(document_ids: Sequence[int]) -> Select[int, int]:
    """(document id, user id) of every submitted assignment of the documents,
    in that order: whose work a reader of these documents gets."""
    return (
        select(Assignment.document_id, Assignment.user_id)
        .where(
            Assignment.document_id.in_(document_ids),
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
        .order_by(Assignment.document_id, Assignment.user_id)
    )


def submitted_clause(document_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """True where at least one annotator has submitted the document."""
    found = aliased(Assignment)
    return exists().where(
        found.document_id == document_id,
        found.status == AssignmentStatus.SUBMITTED,
    )


def _review_begun_clause(document_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    found = aliased(Adjudication)
    return exists().where(found.document_id == document_id, found.version > 0)


def complete_clause(
    document_id: SQLColumnExpression[int], needed: int
) -> ColumnElement[bool]:
    """True where the document is complete: at least ``needed`` (the project's
    ``annotators_per_document``) annotators submitted it, or a reviewer has
    decided on it and someone submitted it."""
    found = aliased(Assignment)
    count = (
        select(func.count(found.id))
        .where(
            found.document_id == document_id,
            found.status == AssignmentStatus.SUBMITTED,
        )
        .scalar_subquery()
    )
    return or_(
        count >= needed,
        and_(_review_begun_clause(document_id), submitted_clause(document_id)),
    )


# --------------------------------------------------------------------------
# The rule in Python, on what one query read
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentWork:
    """Who submitted one document (user id, username; by username), whether
    its review has begun, and the assignments on it not submitted (user id,
    username, status: to do, in progress or skipped)."""

    submitted: tuple[tuple[int, str], ...] = ()
    review_begun: bool = False
    unsubmitted: tuple[tuple[int, str, str], ...] = ()

    @property
    def n_open(self) -> int:
        """Assignments still open (to do or in progress)."""
        return sum(status in OPEN_STATUSES for _, _, status in self.unsubmitted)

    @property
    def usernames(self) -> list[str]:
        return [name for _, name in self.submitted]

    def is_complete(self, needed: int) -> bool:
        """``needed`` or more submissions, or review begun on a submission."""
        found = len(self.submitted)
        return found >= needed or (self.review_begun and found > 0)

    def is_reviewable(self, needed: int) -> bool:
        """Complete, and nobody still working on it."""
        return self.is_complete(needed) and self.n_open == 0


NO_WORK = DocumentWork()


@dataclass(frozen=True, slots=True)
class ProjectWork:
    """The submitted work of a project's documents and what the rule needs:
    ``needed`` annotators per document, ``eligible`` members who can annotate."""

    needed: int
    eligible: int
    n_documents: int
    documents: Mapping[int, DocumentWork] = field(default_factory=dict)

    def of(self, document_id: int) -> DocumentWork:
        return self.documents.get(document_id, NO_WORK)

    def is_complete(self, document_id: int) -> bool:
        return self.of(document_id).is_complete(self.needed)

    def reviewable_ids(self) -> list[int]:
        """Complete documents nobody is still working on, by id."""
        return sorted(
            doc_id
            for doc_id, work in self.documents.items()
            if work.is_reviewable(self.needed)
        )

    def waiting_ids(self) -> list[int]:
        """Documents someone submitted that still need more submissions."""
        return sorted(
            doc_id
            for doc_id, work in self.documents.items()
            if work.submitted and not work.is_complete(self.needed)
        )

    def n_complete(self) -> int:
        return sum(work.is_complete(self.needed) for work in self.documents.values())

    def waiting_message(self) -> str | None:
        """A plain sentence about documents waiting for more annotators, and
        about too few members who can annotate; None when neither applies."""
        waiting = [self.of(doc_id) for doc_id in self.waiting_ids()]
        short = self.eligible < self.needed
        needs = (
            f"the project needs {self.needed} annotator"
            f"{'' if self.needed == 1 else 's'} per document"
        )
        members = f"has {self.eligible} who can annotate"
        if not waiting:
            if not short or self.n_complete() == self.n_documents:
                return None
            return (
                f"{needs[0].upper()}{needs[1:]} and {members}: its documents "
                "cannot be completed until more members who can annotate join it."
            )
        fewest = min(len(work.submitted) for work in waiting)
        ordinal = ORDINALS.get(self.needed) if fewest == self.needed - 1 else None
        whom = f"a {ordinal} annotator" if ordinal else "more annotators"
        n = len(waiting)
        sentence = (
            f"{n} document{'' if n == 1 else 's'} wait{'s' if n == 1 else ''} for "
            f"{whom}: {needs}"
        )
        if short:
            them = "it" if n == 1 else "them"
            sentence += (
                f" and {members}; add members who can annotate to complete {them}"
            )
        return (
            f"{sentence}. Until then {'it is' if n == 1 else 'they are'} not "
            "reviewed or counted in the agreement figures."
        )


def eligible_annotators(session: Session, project: Project) -> int:
    """Members of ``project`` whose role takes assignments."""
    count = session.scalar(
        select(func.count(Membership.id)).where(
            Membership.project_id == project.id,
            Membership.role.in_(ANNOTATING_ROLES),
        )
    )
    return int(count or 0)


def _work_rows(session: Session, where: ColumnElement[bool]) -> dict[int, DocumentWork]:
    """Document id -> its work, for the assignments and adjudications ``where``
    (a condition on ``Document``) selects."""
    submitted: dict[int, list[tuple[int, str]]] = {}
    others: dict[int, list[tuple[int, str, str]]] = {}
    rows = session.execute(
        select(Assignment.document_id, User.id, User.username, Assignment.status)
        .join(Document, Document.id == Assignment.document_id)
        .join(User, User.id == Assignment.user_id)
        .where(where)
        .order_by(Assignment.document_id, User.username)
    )
    for document_id, user_id, username, status in rows:
        if status == AssignmentStatus.SUBMITTED:
            submitted.setdefault(document_id, []).append((user_id, username))
        else:
            others.setdefault(document_id, []).append((user_id, username, status))
    begun = set(
        session.scalars(
            select(Adjudication.document_id)
            .join(Document, Document.id == Adjudication.document_id)
            .where(where, Adjudication.version > 0)
        )
    )
    return {
        doc_id: DocumentWork(
            tuple(submitted.get(doc_id, ())),
            doc_id in begun,
            tuple(others.get(doc_id, ())),
        )
        for doc_id in sorted({*submitted, *others, *begun})
    }


def project_work(session: Session, project: Project) -> ProjectWork:
    """Every document's submitted work in ``project``, with the rule's needs."""
    n_documents = session.scalar(
        select(func.count(Document.id)).where(Document.project_id == project.id)
    )
    return ProjectWork(
        needed=project.annotators_per_document,
        eligible=eligible_annotators(session, project),
        n_documents=int(n_documents or 0),
        documents=_work_rows(session, Document.project_id == project.id),
    )


def submission_times(session: Session, project: Project) -> dict[int, datetime]:
    """Document id -> when its latest submission happened (UTC), for the
    documents someone submitted. A submitted assignment is frozen until it
    is reopened, so the time it was last changed is when it was submitted
    (imported work: when it was imported)."""
    rows = session.execute(
        select(Assignment.document_id, func.max(Assignment.updated_at))
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Document.project_id == project.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
        .group_by(Assignment.document_id)
    )
    return {row[0]: row[1] for row in rows}


def document_work(session: Session, document: Document) -> DocumentWork:
    """One document's submitted work (see :class:`DocumentWork`)."""
    return _work_rows(session, Document.id == document.id).get(document.id, NO_WORK)


def is_complete(session: Session, document: Document) -> bool:
    """Whether enough annotators submitted ``document`` (see the module)."""
    needed = document.project.annotators_per_document
    return document_work(session, document).is_complete(needed)


def is_reviewable(session: Session, document: Document) -> bool:
    """What the review queue holds: complete, nobody still working on it."""
    needed = document.project.annotators_per_document
    return document_work(session, document).is_reviewable(needed)


def version(session: Session, project: Project) -> tuple[Any, ...]:
    """A cheap fingerprint of what the rule reads: it changes whenever a span,
    an assignment, a document, a first review decision, the annotators needed
    or the members who can annotate of ``project`` change."""
    spans = session.execute(
        select(
            func.count(SpanRow.id),
            func.max(SpanRow.id),
            func.max(SpanRow.updated_at),
            func.sum(SpanRow.start + SpanRow.end * 7 + SpanRow.label_id * 13),
        )
        .join(Document, Document.id == SpanRow.document_id)
        .where(Document.project_id == project.id)
    ).one()
    assignments = session.execute(
        select(
            func.count(Assignment.id),
            func.max(Assignment.updated_at),
            func.count(Assignment.id).filter(
                Assignment.status == AssignmentStatus.SUBMITTED
            ),
        )
        .join(Document, Document.id == Assignment.document_id)
        .where(Document.project_id == project.id)
    ).one()
    documents = session.execute(
        select(func.count(Document.id), func.max(Document.id)).where(
            Document.project_id == project.id
        )
    ).one()
    begun = session.scalar(
        select(func.count(Adjudication.id))
        .join(Document, Document.id == Adjudication.document_id)
        .where(Document.project_id == project.id, Adjudication.version > 0)
    )
    rule = (project.annotators_per_document, eligible_annotators(session, project))
    return (*spans, *assignments, *documents, begun, *rule)
