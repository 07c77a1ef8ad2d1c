"""Taking one audit row back: remove what it created (found by key,
wherever undo and redo moved it), put back what it deleted (with the ids it
had when they are free), swap its rejections and revert its status change.
Undo applies this to a decision; redo applies it to that decision's undo.
What it did is gathered in a :class:`ChangeLog` for the undo or redo row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.core import decisions
from annotator.core.changes import Change, GoldEntry, LinkEntry, StatusChange
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    AuditEvent,
    Document,
    GoldLink,
    GoldSource,
    GoldSpan,
    RejectedSpan,
    User,
)
from annotator.models import Span as SpanRow
from annotator.services.adjudication.gold_layer import links_touching
from annotator.services.adjudication.recording import (
    ChangeLog,
    gold_entry,
    link_entry,
    status_change,
)
from annotator.services.history import History, iso
from annotator.services.review import InvalidDecision, refuse, rejected_ids

Entry = TypeVar("Entry", GoldEntry, LinkEntry)


@dataclass(slots=True)
class Restored:
    """What taking a row back did, and the objects that came back under a
    new id because their old one was taken."""

    log: ChangeLog = field(default_factory=ChangeLog)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    span_ids: dict[decisions.Key, int] = field(default_factory=dict)

    def came_back(self, kind: str, entry: Entry, was: int) -> Entry:
        """``entry`` as it came back; ``was`` is the id it had."""
        if entry.id == was:
            return entry
        self.renamed.append({"kind": kind, "was": was, "id": entry.id})
        return replace(entry, was=was)


def _inconsistent(what: str) -> InvalidDecision:
    return refuse(
        "decision_id",
        f"{what}: the gold layer differs from its history; decide anew instead",
    )


def _drop_links(session: Session, ids: Sequence[int], done: Restored) -> None:
    for link_id in ids:
        found = session.get(GoldLink, link_id)
        if found is not None:
            done.log.deleted_links.append(link_entry(found))
            session.delete(found)
    session.flush()


def _drop_spans(session: Session, ids: Sequence[int], done: Restored) -> None:
    for gold_id in ids:
        gold = session.get(GoldSpan, gold_id)
        if gold is None:
            continue
        _drop_links(
            session, [link.id for link in links_touching(session, gold_id)], done
        )
        done.log.deleted.append(gold_entry(gold))
        session.delete(gold)
    session.flush()


def _free_id(
    session: Session, model: type[GoldSpan] | type[GoldLink], wanted: int
) -> int | None:
    """``wanted`` if no row has it (ids are restored as they were), else None."""
    return wanted if session.get(model, wanted) is None else None


def _place_taken(session: Session, document: Document, entry: GoldEntry) -> bool:
    found = session.scalar(
        select(GoldSpan.id).where(
            GoldSpan.document_id == document.id,
            GoldSpan.start == entry.start,
            GoldSpan.end == entry.end,
            GoldSpan.label_id == entry.label_id,
        )
    )
    return found is not None


def _raise_span(
    session: Session, document: Document, entry: GoldEntry, done: Restored
) -> int:
    if _place_taken(session, document, entry):
        raise _inconsistent(f"a gold span already lies at {entry.start}-{entry.end}")
    wanted = {s.span_id for s in entry.sources if s.span_id is not None}
    alive = set(session.scalars(select(SpanRow.id).where(SpanRow.id.in_(wanted))))
    gold = GoldSpan(
        id=_free_id(session, GoldSpan, entry.id),
        document_id=document.id,
        label_id=entry.label_id,
        start=entry.start,
        end=entry.end,
        attributes=dict(entry.attributes),
        note=entry.note,
        decision=entry.decision,
        decided_by_id=entry.decided_by_id,
        decided_at=datetime.fromisoformat(entry.decided_at),
        sources=[
            GoldSource(
                span_id=s.span_id if s.span_id in alive else None,
                annotator_id=s.annotator_id,
            )
            for s in entry.sources
        ],
    )
    session.add(gold)
    session.flush()
    done.log.created.append(done.came_back("gold span", gold_entry(gold), entry.id))
    return gold.id


def _raise_link(
    session: Session,
    entry: LinkEntry,
    ends: tuple[decisions.Key, decisions.Key],
    done: Restored,
) -> None:
    source, target = (done.span_ids.get(end) for end in ends)
    if source is None or target is None:
        raise _inconsistent(f"an end of gold link {entry.id} is gone")
    created = GoldLink(
        id=_free_id(session, GoldLink, entry.id),
        source_id=source,
        target_id=target,
        kind=entry.kind,
    )
    session.add(created)
    try:
        session.flush()
    except IntegrityError as error:
        raise _inconsistent(f"gold link {entry.id} exists again") from error
    done.log.created_links.append(
        done.came_back("gold link", link_entry(created), entry.id)
    )


def _swap_rejections(
    session: Session,
    document: Document,
    change: Change,
    reviewer: User,
    done: Restored,
) -> None:
    """Take back the row's rejections and restore the ones it took back."""
    for row in session.scalars(
        select(RejectedSpan).where(RejectedSpan.span_id.in_(change.rejected))
    ):
        done.log.unrejected.append(row.span_id)
        session.delete(row)
    present = rejected_ids(session, document)
    for span_id in sorted(set(change.unrejected) - present):
        if session.get(SpanRow, span_id) is not None:
            done.log.rejected.append(span_id)
            session.add(
                RejectedSpan(
                    document_id=document.id, span_id=span_id, decided_by_id=reviewer.id
                )
            )


def _with_after(status: StatusChange | None, event: AuditEvent) -> StatusChange | None:
    """A row's status change; rows written before status changes held their
    ``after_`` values adjudicated as their author, when they were written."""
    if status is None or status.after_known:
        return status
    adjudicated = status.after == AdjudicationStatus.ADJUDICATED
    return replace(
        status,
        after_adjudicated_by_id=event.actor_id if adjudicated else None,
        after_adjudicated_at=iso(event.created_at) if adjudicated else None,
        after_known=True,
    )


def _status_taken_back(history: History, row_id: int) -> StatusChange | None:
    """The status change taking row ``row_id`` back makes, if any."""
    by_id = history.by_id
    row = history.ledger.rows[row_id]
    status = _with_after(history.changes[row_id].status, by_id[row_id])
    if not row.change.held and row.target is not None:  # undo row, first format
        target = _with_after(history.changes[row.target].status, by_id[row.target])
        status = target.inverse() if target else None
    return status.inverse() if status else None


def _apply_status(
    adjudication: Adjudication, status: StatusChange, done: Restored
) -> None:
    if adjudication.status != status.before:
        raise _inconsistent(f"the document is {adjudication.status} now")
    by, at = status.after_adjudicated_by_id, status.after_adjudicated_at
    done.log.status = status_change(adjudication, status.after, by, at)
    adjudication.status = status.after
    adjudication.adjudicated_by_id = by
    adjudication.adjudicated_at = datetime.fromisoformat(at) if at else None


def _current_ids(
    ids: Mapping[decisions.Key, int], keys: Sequence[decisions.Key]
) -> list[int]:
    return [ids[key] for key in keys if key in ids]


def take_back(
    session: Session,
    document: Document,
    adjudication: Adjudication,
    reviewer: User,
    history: History,
    row_id: int,
) -> Restored:
    """Apply the inverse of row ``row_id`` (see the module docstring)."""
    ledger = history.ledger
    keyed = ledger.keyed[row_id]
    change = keyed.change
    if adjudication.status == AdjudicationStatus.ADJUDICATED and not change.status:
        raise refuse(
            "status", "this document is adjudicated: reopen it to change its gold"
        )
    done = Restored(span_ids=dict(ledger.span_ids))
    _drop_links(session, _current_ids(ledger.link_ids, keyed.created_links), done)
    _drop_spans(session, _current_ids(ledger.span_ids, keyed.created), done)
    for entry, key in zip(change.deleted, keyed.deleted, strict=True):
        done.span_ids[key] = _raise_span(session, document, entry, done)
    for link, ends in zip(change.deleted_links, keyed.deleted_ends, strict=True):
        _raise_link(session, link, ends, done)
    _swap_rejections(session, document, change, reviewer, done)
    status = _status_taken_back(history, row_id)
    if status is not None:
        _apply_status(adjudication, status, done)
    return done
