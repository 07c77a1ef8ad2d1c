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
    update,
)
from sqlalchemy.orm import Session

from annotator.core.spans import BAD_CHARACTER, Span
from annotator.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Document,
    Label,
    SpanOrigin,
    User,
)
from annotator.models import Span as SpanRow
from annotator.models.base import utcnow
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
    #: PostgreSQL: the id the new span will take (from its sequence, so the
    #: writes need not wait for it); None on SQLite.
    span_id: int | None = None


def save_state(
    session: Session, project_id: int, document_id: int, user: User, span: Span
) -> SaveState:
    """Read the document's text, the assignment, the label id, the span
    count and the duplicate check for a new ``span`` in one query (scalar
    subqueries, no FROM of its own, so a missing row still answers the
    rest). The offsets must be stored integers (they are compared in SQL)."""
    row = session.execute(
        _state_statement(_dialect(session)),
        {
            "project_id": project_id,
            "document_id": document_id,
            "user_id": user.id,
            # A label the database cannot take (NUL, a lone surrogate) is
            # none of the project's: bound as NULL it matches no label, and
            # the save is refused as any unknown label is, not by the driver.
            "label": None if BAD_CHARACTER.search(span.label) else span.label,
            "start": span.start,
            "end": span.end,
        },
    ).one()
    text, found, status, version, label, count, duplicate, *span_id = row
    return SaveState(
        text,
        found,
        status or "",
        version or 0,
        label,
        count,
        bool(duplicate),
        *span_id,
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@cache
def _state_statement(dialect: str) -> Select[Any]:
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
    columns: list[Any] = [
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
    ]
    if dialect == "postgresql":
        # An id taken here and not used (a refused save) is a gap in the
        # sequence, as a rolled-back insert leaves.
        columns.append(func.nextval(func.pg_get_serial_sequence("spans", "id")))
    return select(*columns)


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

    def audit_row(self, created: dict[str, Any]) -> dict[str, Any]:
        """The columns of the audit row of the ``created`` span."""
        return audit.values(
            actor_id=self.user_id,
            project_id=self.project_id,
            entity="span",
            entity_id=created["id"],
            action="create",
            data=audit.document_change(self.document_id, {"after": created}),
        )


def write_span(
    session: Session,
    assignment_id: int,
    state: SaveState,
    claimed: int,
    write: SpanWrite,
) -> dict[str, Any] | None:
    """Bump the assignment's version from ``claimed`` (opening it if still
    to do), insert the span and its audit row, commit; the created span, or
    None (nothing written, the transaction rolled back) when another change
    came first. On PostgreSQL, where the span's id is known beforehand, the
    three writes are one statement (one round trip instead of three)."""
    opened = (
        {"status": AssignmentStatus.IN_PROGRESS}
        if state.status == AssignmentStatus.TODO
        else {}
    )
    if state.span_id is not None:
        return _write_at_once(session, assignment_id, claimed, opened, write, state)
    if not versions.bump(session, Assignment, assignment_id, claimed, **opened):
        session.rollback()
        return None
    span_id: int = session.execute(_span_insert(), write.values()).scalar_one()
    created = write.created(span_id)
    session.execute(_audit_insert(), write.audit_row(created))
    session.commit()
    return created


def _write_at_once(
    session: Session,
    assignment_id: int,
    claimed: int,
    opened: dict[str, Any],
    write: SpanWrite,
    state: SaveState,
) -> dict[str, Any] | None:
    """:func:`write_span`'s three writes as one PostgreSQL statement: the
    version bump, and the span and audit inserts each of one row per row
    the bump changed (none when another change came first)."""
    span_id = cast(int, state.span_id)
    created = write.created(span_id)
    parameters = (
        {"row_id": assignment_id, "expected": claimed, "bumped": claimed + 1}
        | {"now": utcnow(), "span_id": span_id, "span_origin": SpanOrigin.MANUAL}
        | {f"set_{name}": value for name, value in opened.items()}
        | {f"span_{name}": value for name, value in write.values().items()}
        | {f"audit_{name}": value for name, value in write.audit_row(created).items()}
    )
    statement = _written_at_once(tuple(sorted(opened)))
    if session.execute(statement, parameters).scalar_one() != 1:
        session.rollback()
        return None
    session.commit()
    return created


@cache
def _written_at_once(names: tuple[str, ...]) -> Select[int]:
    """Built once per set of assignment columns set beside the version."""
    assignments = cast(Table, Assignment.__table__)
    bumped = (
        update(assignments)
        .where(assignments.c.id == bindparam("row_id"))
        .where(assignments.c.version == bindparam("expected"))
        # The table's onupdate is not applied to an UPDATE in a WITH.
        .values(
            version=bindparam("bumped"),
            updated_at=bindparam("now"),
            **{name: bindparam(f"set_{name}") for name in names},
        )
        .returning(assignments.c.id)
        .cte("bumped")
    )

    def one_per_bump(table: Table, prefix: str, names: list[str]) -> Any:
        """One row of ``table`` per row bumped: the columns ``names`` from
        parameters ``prefix + name``, the timestamps from ``now`` (nor are
        the columns' Python defaults applied in a WITH: every one is named)."""
        stamps = [name for name in ("created_at", "updated_at") if name in table.c]
        rows = select(
            *(bindparam(prefix + name, type_=table.c[name].type) for name in names),
            *(bindparam("now", type_=table.c[name].type) for name in stamps),
        ).select_from(bumped)
        return (
            insert(table)
            .from_select([*names, *stamps], rows, include_defaults=False)
            .cte(f"new_{table.name}")
        )

    spans = cast(Table, SpanRow.__table__)
    span_columns = ["document_id", "annotator_id", "label_id", "start", "end"]
    span_columns += ["id", "attributes", "note", "origin"]
    audits = cast(Table, AuditEvent.__table__)
    audit_columns = ["actor_id", "project_id", "entity", "entity_id", "action", "data"]
    return (
        select(func.count())
        .select_from(bumped)
        .add_cte(
            one_per_bump(spans, "span_", span_columns),
            one_per_bump(audits, "audit_", audit_columns),
        )
    )
