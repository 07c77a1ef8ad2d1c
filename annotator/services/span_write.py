"""Saving a new span in few statements and a short write section.

All that a save checks is read first, in one query (the document's text, the
annotator's assignment, the label's id, how many spans they have, whether
this one is a duplicate). The writes come last and back to back: the version
bump (a conditional UPDATE, so the stale-write check stays atomic), the span
and its audit row, then the commit. On SQLite the write lock is taken by the
first write and held to the commit, so keeping the writes together keeps
other annotators' saves from waiting. Every read is made safe by the version
bump: any change to this annotator's spans or status bumps the version, so a
check that went stale between the read and the write ends in a conflict.

The statements are built once (``functools.cache``) and take their values
as bound parameters: building a statement and its cache key took more of a
save's CPU than running it (``bench/save_profile.py``). The writes are Core
statements on the tables, so the ORM does not evaluate them either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Insert,
    Select,
    Table,
    bindparam,
    exists,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from annotator.core.spans import Span
from annotator.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Document,
    Label,
    User,
)
from annotator.models import Span as SpanRow
from annotator.services import audit, versions


@dataclass(frozen=True, slots=True)
class SaveState:
    """What a span save is checked against, read in one statement.
    ``text`` is None when the project has no such document;
    ``assignment_id`` is None when the document is not assigned to the user;
    ``label_id`` is None for a label the project does not have."""

    text: str | None
    assignment_id: int | None
    status: str
    version: int
    label_id: int | None
    span_count: int
    duplicate: bool


def save_state(
    session: Session, project_id: int, document_id: int, user: User, span: Span
) -> SaveState:
    """Read the document's text, the assignment, the label id, the span
    count and the duplicate check for a new ``span`` in one query (scalar
    subqueries, no FROM of its own, so a missing row still answers the
    rest). The offsets must be stored integers (they are compared in SQL)."""
    row = session.execute(
        _state_statement(),
        {
            "project_id": project_id,
            "document_id": document_id,
            "user_id": user.id,
            "label": span.label,
            "start": span.start,
            "end": span.end,
        },
    ).one()
    text, found, status, version, label, count, duplicate = row
    return SaveState(
        text, found, status or "", version or 0, label, count, bool(duplicate)
    )


@cache
def _state_statement() -> Select[Any]:
    document_id: BindParameter[int] = bindparam("document_id")
    user_id: BindParameter[int] = bindparam("user_id")
    mine = (SpanRow.document_id == document_id, SpanRow.annotator_id == user_id)
    label_id = (
        select(Label.id)
        .where(Label.project_id == bindparam("project_id"))
        .where(Label.name == bindparam("label"))
        .scalar_subquery()
    )
    assignment = select(Assignment).where(
        Assignment.document_id == document_id, Assignment.user_id == user_id
    )
    text = select(Document.text).where(
        Document.id == document_id, Document.project_id == bindparam("project_id")
    )
    return select(
        text.scalar_subquery(),
        assignment.with_only_columns(Assignment.id).scalar_subquery(),
        assignment.with_only_columns(Assignment.status).scalar_subquery(),
        assignment.with_only_columns(Assignment.version).scalar_subquery(),
        label_id,
        select(func.count()).select_from(SpanRow).where(*mine).scalar_subquery(),
        exists().where(
            *mine,
            SpanRow.start == bindparam("start"),
            SpanRow.end == bindparam("end"),
            SpanRow.label_id == label_id,
        ),
    )


@cache
def _span_insert() -> Insert:
    table = cast(Table, SpanRow.__table__)
    return insert(table).returning(table.c.id)


@cache
def _audit_insert() -> Insert:
    return insert(cast(Table, AuditEvent.__table__))


@dataclass(frozen=True, slots=True)
class SpanWrite:
    """A checked new span, ready to store."""

    document_id: int
    project_id: int
    user_id: int
    label_id: int
    span: Span

    def values(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "annotator_id": self.user_id,
            "label_id": self.label_id,
            "start": self.span.start,
            "end": self.span.end,
            "attributes": dict(self.span.attributes),
            "note": self.span.note,
        }

    def created(self, span_id: int) -> dict[str, Any]:
        """The span as the API answers it (and as the audit row keeps it)."""
        span = self.span
        return {
            "id": span_id,
            "start": span.start,
            "end": span.end,
            "label": span.label,
            "attributes": dict(span.attributes),
            "note": span.note,
        }


def write_span(
    session: Session, assignment_id: int, status: str, claimed: int, write: SpanWrite
) -> dict[str, Any] | None:
    """Bump the assignment's version from ``claimed`` (opening it if still
    to do), insert the span and its audit row, commit; the created span, or
    None (nothing written, the transaction rolled back) when another change
    came first."""
    opened = (
        {"status": AssignmentStatus.IN_PROGRESS}
        if status == AssignmentStatus.TODO
        else {}
    )
    if not versions.bump(session, Assignment, assignment_id, claimed, **opened):
        session.rollback()
        return None
    span_id: int = session.execute(_span_insert(), write.values()).scalar_one()
    created = write.created(span_id)
    row = audit.values(
        actor_id=write.user_id,
        project_id=write.project_id,
        entity="span",
        entity_id=span_id,
        action="create",
        data=audit.document_change(write.document_id, {"after": created}),
    )
    session.execute(_audit_insert(), row)
    session.commit()
    return created
