"""A document's review history: its audit rows (entity ``adjudication``),
which of them undo and redo can take back now, and the names that refusals
give. The dependency rule is :mod:`annotator.core.decisions`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core import decisions
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


def ledger_of(events: Iterable[AuditEvent]) -> decisions.Ledger:
    """The review's rows replayed: live, undone, redone, and what depends on
    what."""
    return decisions.replay(
        decisions.row_from_audit(event.id, event.action, event.data) for event in events
    )


def action_of(event: AuditEvent) -> str:
    """The decision a row made; a redo names the decision it redid."""
    if event.action == REDO:
        return f"redo {event.data.get('action', '?')}"
    return event.action


def moment_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def event_name(event: AuditEvent, users: Mapping[int, str]) -> str:
    """E.g. "'correct' by rita at 2026-12-01 12:03 UTC", for messages."""
    who = users.get(event.actor_id or 0, "?")
    return f"'{action_of(event)}' by {who} at {moment_text(event.created_at)}"


def names_of(session: Session, events: Sequence[AuditEvent], ids: Sequence[int]) -> str:
    """The rows ``ids`` named for a message, comma-separated."""
    by_id = {event.id: event for event in events}
    users = usernames(session, [by_id[i].actor_id for i in ids])
    return ", ".join(event_name(by_id[i], users) for i in ids)


# --------------------------------------------------------------------------
# What each row changed, in words
# --------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _spans_text(
    sign: str, spans: Sequence[Mapping[str, Any]], labels: Mapping[int, str]
) -> str:
    shown = [
        f"{labels.get(s['label_id'], '?')} {s['start']}\u2013{s['end']}"
        for s in spans[:SHOWN_SPANS]
    ]
    rest = len(spans) - len(shown)
    more = f" and {rest} more" if rest else ""
    return f"gold {sign} {', '.join(shown)}{more}"


def summary(data: Mapping[str, Any], labels: Mapping[int, str]) -> str:
    """What a row changed, e.g. "gold + claim 0-33; 1 link added"."""
    if "created" not in data and "status" not in data:
        return "took the decision back"  # an undo row of the first format
    parts = []
    for key, sign in (("created", "+"), ("deleted", "\u2212")):
        if data.get(key):
            parts.append(_spans_text(sign, data[key], labels))
    for key, verb in (("created_links", "added"), ("deleted_links", "removed")):
        if data.get(key):
            parts.append(f"{_plural(len(data[key]), 'link')} {verb}")
    if data.get("rejected"):
        parts.append(f"{_plural(len(data['rejected']), 'annotator span')} rejected")
    if data.get("unrejected"):
        parts.append(f"{_plural(len(data['unrejected']), 'rejection')} taken back")
    status = data.get("status")
    if status:
        parts.append(f"status {status['before']} \u2192 {status['after']}")
    return "; ".join(parts) or "nothing changed"


# --------------------------------------------------------------------------
# The history the review page shows
# --------------------------------------------------------------------------


def _label_names(session: Session, events: Iterable[AuditEvent]) -> dict[int, str]:
    ids = {
        span["label_id"]
        for event in events
        for key in ("created", "deleted")
        for span in event.data.get(key, ())
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


def _entry(
    event: AuditEvent,
    ledger: decisions.Ledger,
    by_id: Mapping[int, AuditEvent],
    users: Mapping[int, str],
    labels: Mapping[int, str],
) -> dict[str, Any]:
    row = ledger.rows[event.id]
    live = ledger.is_live(event.id)
    blocked = ledger.blockers(event.id) if live else []
    undone = ledger.undone_by.get(event.id)
    target = by_id.get(row.target) if row.target is not None else None
    return {
        **_who_when(event, users),
        "action": action_of(event),
        "kind": row.kind,
        "summary": summary(event.data, labels),
        "target": {"id": target.id, "action": action_of(target)} if target else None,
        "live": live,
        "undone_by": _who_when(by_id[undone], users) if undone else None,
        "can_undo": live and not blocked,
        "blocked_by": [event_name(by_id[i], users) for i in blocked],
    }


def _redo_json(
    ledger: decisions.Ledger,
    by_id: Mapping[int, AuditEvent],
    users: Mapping[int, str],
) -> dict[str, Any] | None:
    candidate = ledger.redo_candidate()
    if candidate is None:
        return None
    event = by_id[candidate]
    blocked = ledger.redo_blockers(candidate)
    return {
        **_who_when(event, users),
        "action": action_of(event),
        "undone_by": _who_when(by_id[ledger.undone_by[candidate]], users),
        "can_redo": not blocked,
        "blocked_by": [event_name(by_id[i], users) for i in blocked],
    }


def history_json(session: Session, adjudication: Adjudication | None) -> dict[str, Any]:
    """``history``: every row of the review, newest first, with who, when,
    what it changed, whether it is live and whether it can be undone now (or
    which later decisions stand in the way); ``redo``: the decision redo
    would re-apply, if any; ``last_decision``: what a plain undo takes back."""
    events = review_events(session, adjudication)
    ledger = ledger_of(events)
    by_id = {event.id: event for event in events}
    users = usernames(session, [event.actor_id for event in events])
    labels = _label_names(session, events)
    latest = ledger.latest_live()
    return {
        "last_decision": action_of(by_id[latest]) if latest is not None else None,
        "history": [
            _entry(event, ledger, by_id, users, labels) for event in reversed(events)
        ],
        "redo": _redo_json(ledger, by_id, users),
    }
