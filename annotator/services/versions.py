"""The version compare-and-set, stated once: an assignment (the annotation
page) and a document's adjudication (the review page) each carry a
``version`` that every change names and bumps, so that a change made on an
outdated view is refused (HTTP 409) instead of overwriting a newer one.

Callers pass their own refusal class so that each API keeps its error type.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Table, Update, bindparam, update
from sqlalchemy.orm import Session

from annotator.core.spans import FieldError, is_stored_int
from annotator.models import Adjudication, Assignment

VERSION_MESSAGE = "must be the non-negative integer last loaded"


def checked_version(value: object, refusal: Callable[[FieldError], Exception]) -> int:
    """``value`` as a version (a non-negative stored integer, not a bool);
    else ``refusal`` naming the field ``version``."""
    if not is_stored_int(value):
        raise refusal(FieldError("version", VERSION_MESSAGE))
    return value


def bump(
    session: Session,
    model: type[Assignment] | type[Adjudication],
    row_id: int,
    version: int,
    **values: Any,
) -> bool:
    """Set the row's version to ``version + 1`` (and ``values``) if it still
    is ``version``, in the caller's transaction; False when another change
    came first. A conditional UPDATE, so two racing changes cannot both win."""
    parameters = {f"set_{name}": value for name, value in values.items()}
    bumped = cast(
        CursorResult[Any],
        session.execute(
            _bump_statement(model, tuple(sorted(values))),
            {"row_id": row_id, "expected": version, "bumped": version + 1} | parameters,
        ),
    )
    return bumped.rowcount == 1


@cache
def _bump_statement(
    model: type[Assignment] | type[Adjudication], names: tuple[str, ...]
) -> Update:
    """The conditional UPDATE of :func:`bump`, built once per model and set of
    columns (every save runs it: building and keying a statement costs more
    CPU than the database takes to run it). A Core statement on the table,
    so the ORM neither evaluates nor synchronises it; the table's
    ``onupdate`` values still apply."""
    table = cast(Table, model.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .where(table.c.version == bindparam("expected"))
        .values(
            version=bindparam("bumped"),
            **{name: bindparam(f"set_{name}") for name in names},
        )
    )
