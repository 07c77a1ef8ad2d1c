"""A document's review history: its audit rows (entity ``adjudication``)
read through the codec (:mod:`annotator.core.changes`), which of them undo
and redo can take back now, and the names that refusals give. The dependency
rule is :mod:`annotator.core.decisions`. A stored row that does not decode
raises :class:`annotator.core.changes.MalformedRow` naming the row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core import decisions
from annotator.core.changes import Change, GoldEntry, MalformedRow, decode
from annotator.models import Adjudication, AuditEvent, Label, User

ENTITY = "adjudication"
UNDO = decisions.UNDO
REDO = decisions.REDO
SHOWN_SPANS = 3  # a summary names this many gold spans, then counts the rest


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return dict(rows.all())


def review_events(
    session: Session, adjudication: Adjudication | None
) -> list[AuditEvent]:
    """The audit rows of a document's review (decisions, undos, redos),
    oldest first."""
    if adjudication is None:
        return []
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == ENTITY, AuditEvent.entity_id == adjudication.id)
            .order_by(AuditEvent.id)
        )
    )


def change_of(event: AuditEvent) -> Change:
    """What the audit row holds; :class:`MalformedRow` names the row."""
    try:
        return decode(event.data)
    except MalformedRow as error:
        raise error.in_row(event.id) from None


@dataclass(frozen=True, slots=True)
class History:
    """A document's review rows, what each holds, and the rows replayed:
    live, undone, redone, and what depends on what."""

    events: list[AuditEvent]
    changes: dict[int, Change]
    ledger: decisions.Ledger

    @property
    def by_id(self) -> dict[int, AuditEvent]:
        return {event.id: event for event in self.events}


def history_of(session: Session, adjudication: Adjudication | None) -> History:
    """The review's rows read and replayed (:class:`History`)."""
    events = review_events(session, adjudication)
    changes = {event.id: change_of(event) for event in events}
    rows = (decisions.row_of(e.id, e.action, changes[e.id]) for e in events)
    return History(events, changes, decisions.replay(rows))


def action_of(event: AuditEvent, change: Change) -> str:
    """The decision a row made; a redo names the decision it redid."""
    if event.action == REDO:
        return f"redo {change.action or '?'}"
    return event.action


def moment_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def event_name(event: AuditEvent, change: Change, users: Mapping[int, str]) -> str:
    """E.g. "'correct' by rita at 2026-12-01 12:03 UTC", for messages."""
    who = users.get(event.actor_id or 0, "?")
    when = moment_text(event.created_at)
    return f"'{action_of(event, change)}' by {who} at {when}"


def names_of(session: Session, history: History, ids: Sequence[int]) -> str:
    """The rows ``ids`` named for a message, comma-separated."""
    by_id = history.by_id
    users = usernames(session, [by_id[i].actor_id for i in ids])
    return ", ".join(event_name(by_id[i], history.changes[i], users) for i in ids)


# --------------------------------------------------------------------------
# What each row changed, in words
# --------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _spans_text(
    sign: str, spans: Sequence[GoldEntry], labels: Mapping[int, str]
) -> str:
    shown = [
        f"{labels.get(s.label_id, '?')} {s.start}\u2013{s.end}"
        for s in spans[:SHOWN_SPANS]
    ]
    rest = len(spans) - len(shown)
    more = f" and {rest} more" if rest else ""
    return f"gold {sign} {', '.join(shown)}{more}"


def summary(change: Change, labels: Mapping[int, str]) -> str:
    """What a row changed, e.g. "gold + claim 0-33; 1 link added"."""
    if not change.held:
        return "took the decision back"  # an undo row of the first format
    parts = []
    for spans, sign in ((change.created, "+"), (change.deleted, "\u2212")):
        if spans:
            parts.append(_spans_text(sign, spans, labels))
    for links, verb in (
        (change.created_links, "added"),
        (change.deleted_links, "removed"),
    ):
        if links:
            parts.append(f"{_plural(len(links), 'link')} {verb}")
    if change.rejected:
        parts.append(f"{_plural(len(change.rejected), 'annotator span')} rejected")
    if change.unrejected:
        parts.append(f"{_plural(len(change.unrejected), 'rejection')} taken back")
    if change.status:
        parts.append(f"status {change.status.before} \u2192 {change.status.after}")
    return "; ".join(parts) or "nothing changed"


# --------------------------------------------------------------------------
# The history the review page shows
# --------------------------------------------------------------------------


def _label_names(session: Session, changes: Iterable[Change]) -> dict[int, str]:
    ids = {
        span.label_id
        for change in changes
        for span in (*change.created, *change.deleted)
    }
    if not ids:
        return {}
    return dict(
        session.execute(select(Label.id, Label.name).where(Label.id.in_(ids))).all()
    )


def _who_when(event: AuditEvent, users: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": event.id,
        "by": users.get(event.actor_id or 0),
        "at": iso(event.created_at),
    }


@dataclass(frozen=True, slots=True)
class _Names:
    """What the history's entries are named with."""

    history: History
    by_id: dict[int, AuditEvent]
    users: Mapping[int, str]

    def action(self, row_id: int) -> str:
        return action_of(self.by_id[row_id], self.history.changes[row_id])

    def name(self, row_id: int) -> str:
        event = self.by_id[row_id]
        return event_name(event, self.history.changes[row_id], self.users)

    def who_when(self, row_id: int) -> dict[str, Any]:
        return _who_when(self.by_id[row_id], self.users)


def _entry(
    event: AuditEvent, names: _Names, labels: Mapping[int, str]
) -> dict[str, Any]:
    ledger = names.history.ledger
    row = ledger.rows[event.id]
    live = ledger.is_live(event.id)
    blocked = ledger.blockers(event.id) if live else []
    undone = ledger.undone_by.get(event.id)
    target = row.target if row.target in names.by_id else None
    return {
        **names.who_when(event.id),
        "action": names.action(event.id),
        "kind": row.kind,
        "summary": summary(names.history.changes[event.id], labels),
        "target": (
            {"id": target, "action": names.action(target)}
            if target is not None
            else None
        ),
        "live": live,
        "undone_by": names.who_when(undone) if undone else None,
        "can_undo": live and not blocked,
        "blocked_by": [names.name(i) for i in blocked],
    }


def _redo_json(names: _Names) -> dict[str, Any] | None:
    ledger = names.history.ledger
    candidate = ledger.redo_candidate()
    if candidate is None:
        return None
    blocked = ledger.redo_blockers(candidate)
    return {
        **names.who_when(candidate),
        "action": names.action(candidate),
        "undone_by": names.who_when(ledger.undone_by[candidate]),
        "can_redo": not blocked,
        "blocked_by": [names.name(i) for i in blocked],
    }


def history_json(session: Session, adjudication: Adjudication | None) -> dict[str, Any]:
    """``history``: every row of the review, newest first, with who, when,
    what it changed, whether it is live and whether it can be undone now (or
    which later decisions stand in the way); ``redo``: the decision redo
    would re-apply, if any; ``last_decision``: what a plain undo takes back."""
    history = history_of(session, adjudication)
    users = usernames(session, [event.actor_id for event in history.events])
    names = _Names(history, history.by_id, users)
    labels = _label_names(session, history.changes.values())
    latest = history.ledger.latest_live()
    return {
        "last_decision": names.action(latest) if latest is not None else None,
        "history": [_entry(event, names, labels) for event in reversed(history.events)],
        "redo": _redo_json(names),
    }
