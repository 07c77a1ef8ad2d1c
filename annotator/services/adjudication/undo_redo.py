"""Undo and redo. Undo takes back any live decision no later live one
depends on (:mod:`annotator.core.decisions`), not only the latest; redo
re-applies the most recently undone decision from its undo. Both are audit
rows holding what they changed, so an undo of a redo takes back exactly the
redo, and both name the version like any decision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from annotator.core.spans import is_stored_int
from annotator.models import Adjudication, Document, Project, User
from annotator.services.adjudication.claims import claim, decision
from annotator.services.adjudication.recording import record
from annotator.services.adjudication.restoring import Restored, take_back
from annotator.services.history import (
    REDO,
    UNDO,
    History,
    action_of,
    history_of,
    names_of,
)
from annotator.services.review import DecisionBlocked, refuse


def _requested(data: Mapping[str, Any]) -> int | None:
    requested = data.get("decision_id")
    if requested is not None and not is_stored_int(requested):
        raise refuse("decision_id", "must be the id of a decision in the history")
    return requested


def _blocked(
    session: Session, history: History, ids: Sequence[int], message: str
) -> DecisionBlocked:
    return DecisionBlocked(
        f"{message}: undo {names_of(session, history, ids)} first.", ids
    )


def _undo_target(session: Session, history: History, requested: int | None) -> int:
    ledger = history.ledger
    row_id = ledger.latest_live() if requested is None else requested
    if row_id is None:
        raise refuse("decision", "there is no decision to undo")
    if row_id not in ledger.rows or ledger.rows[row_id].kind == UNDO:
        raise refuse("decision_id", "no such decision on this document")
    if not ledger.is_live(row_id):
        raise refuse("decision_id", "this decision is undone already")
    blocking = ledger.blockers(row_id)
    if blocking:
        name = names_of(session, history, [row_id])
        raise _blocked(
            session,
            history,
            blocking,
            f"{name} cannot be undone alone: later decisions depend on what it changed",
        )
    return row_id


def _redo_target(session: Session, history: History, requested: int | None) -> int:
    ledger = history.ledger
    row_id = ledger.redo_candidate()
    if row_id is None:
        raise refuse("decision", "there is no undone decision to redo")
    name = names_of(session, history, [row_id])
    if requested is not None and requested != row_id:
        raise refuse(
            "decision_id",
            f"only the most recently undone decision can be redone: {name}",
        )
    blocking = ledger.redo_blockers(row_id)
    if blocking:
        raise _blocked(
            session,
            history,
            blocking,
            f"{name} cannot be redone: decided since, these touch what it changed",
        )
    return row_id


def _answer(adjudication: Adjudication, done: Restored, **extra: Any) -> dict[str, Any]:
    return {
        "version": adjudication.version,
        "status": adjudication.status,
        **extra,
        "created": [entry.id for entry in done.log.created],
        "deleted": [entry.id for entry in done.log.deleted],
        "renamed": done.renamed,
    }


@decision
def undo(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Take back one live decision (any reviewer's): ``decision_id`` from the
    review's history, else the latest. Refused (:class:`DecisionBlocked`)
    while a later live decision depends on it (:mod:`annotator.core.decisions`);
    the undo is an audit row holding what it changed, so redo can re-apply it."""
    requested = _requested(data)
    adjudication = claim(session, document, data, open_only=False)
    history = history_of(session, adjudication)
    row_id = _undo_target(session, history, requested)
    done = take_back(session, document, adjudication, reviewer, history, row_id)
    action = action_of(history.by_id[row_id], history.changes[row_id])
    change = done.log.change(document, undoes=row_id, action=action)
    record(session, project, reviewer, adjudication, UNDO, change)
    return _answer(adjudication, done, undone=action, undone_id=row_id)


@decision
def redo(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Re-apply the most recently undone decision not redone yet (``decision_id``
    may name it), refused while a decision made since conflicts with it; gold
    spans come back with their sources and deciders. The redo is an audit row
    (a live decision: undo can take it back)."""
    requested = _requested(data)
    adjudication = claim(session, document, data, open_only=False)
    history = history_of(session, adjudication)
    row_id = _redo_target(session, history, requested)
    undo_id = history.ledger.undone_by[row_id]
    done = take_back(session, document, adjudication, reviewer, history, undo_id)
    redone = history.by_id[row_id]
    action = history.changes[row_id].action if redone.action == REDO else None
    action = action or redone.action
    change = done.log.change(document, redoes=row_id, action=action)
    record(session, project, reviewer, adjudication, REDO, change)
    return _answer(adjudication, done, redone=action, redone_id=row_id)
