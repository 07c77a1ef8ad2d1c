"""What a review audit row holds: the one codec for the ``data`` of the
``adjudication`` audit rows, written by the reviewer's decisions, undo and
redo, and read by the dependency rule (:mod:`annotator.core.decisions`), by
undo and redo and by the history the review page shows.

A row holds the document, the change it made (gold spans created and
deleted, each with everything needed to put it back; gold links created and
deleted; annotator spans rejected and taken back from rejection; a status
change), and for undo and redo rows the row they take back or re-apply and
that row's action. Offsets are code points, end exclusive; moments are ISO
8601 strings as stored.

Older shapes still in databases decode too: rows written before gold links
(no link keys), status changes written before they named who adjudicated
after them (no ``after_`` keys: :attr:`StatusChange.after_known` is False)
and undo rows of the first format, which held no change (``held`` is False:
they took back their target exactly). :func:`encode` writes the current
shape. A row that does not decode raises :class:`MalformedRow` naming the
field. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")
#: The keys of a row's change (present on every row the code writes today).
CHANGE_KEYS = (
    "created",
    "deleted",
    "rejected",
    "unrejected",
    "created_links",
    "deleted_links",
)


class MalformedRow(ValueError):
    """A stored review row that does not decode; ``field`` names the bad
    part (e.g. ``created[0].start``) and ``row_id`` the audit row, when known."""

    def __init__(self, field: str, message: str, row_id: int | None = None) -> None:
        self.field = field
        self.message = message
        self.row_id = row_id
        where = f"review history row {row_id}" if row_id is not None else "a row"
        super().__init__(f"{where} is malformed: {field} {message}")

    def in_row(self, row_id: int) -> MalformedRow:
        """The same error, naming the audit row."""
        return MalformedRow(self.field, self.message, row_id)


@dataclass(frozen=True, slots=True)
class Source:
    """One annotator span a gold span came from (``span_id`` None once that
    span is gone; the annotator is kept)."""

    span_id: int | None
    annotator_id: int


@dataclass(frozen=True, slots=True)
class GoldEntry:
    """A gold span as a change stores it, with everything needed to put it
    back; ``was`` is the id it had before undo or redo gave it a new one."""

    id: int
    start: int
    end: int
    label_id: int
    attributes: Mapping[str, str]
    note: str
    decision: str
    decided_by_id: int | None
    decided_at: str
    sources: tuple[Source, ...] = ()
    was: int | None = None

    @property
    def source_span_ids(self) -> frozenset[int]:
        """Ids of the annotator spans it came from that still exist."""
        return frozenset(s.span_id for s in self.sources if s.span_id is not None)


@dataclass(frozen=True, slots=True)
class LinkEntry:
    """A gold link as a change stores it (gold span ids as they were then)."""

    id: int
    source_id: int
    target_id: int
    kind: str
    was: int | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The document's status before and after, and who adjudicated it (and
    when) before and after. ``after_known`` is False for rows written before
    the ``after_`` values were stored."""

    before: str
    after: str
    adjudicated_by_id: int | None
    adjudicated_at: str | None
    after_adjudicated_by_id: int | None = None
    after_adjudicated_at: str | None = None
    after_known: bool = True

    def inverse(self) -> StatusChange:
        """The status change that takes this one back."""
        return StatusChange(
            self.after,
            self.before,
            self.after_adjudicated_by_id,
            self.after_adjudicated_at,
            self.adjudicated_by_id,
            self.adjudicated_at,
        )


@dataclass(frozen=True, slots=True)
class Change:
    """What one review audit row holds (see the module docstring).

    ``undoes`` / ``redoes`` name the row an undo takes back or a redo
    re-applies, ``action`` that row's action; ``held`` is False for undo rows
    of the first format, which stored no change."""

    document_id: int
    created: tuple[GoldEntry, ...] = ()
    deleted: tuple[GoldEntry, ...] = ()
    rejected: tuple[int, ...] = ()
    unrejected: tuple[int, ...] = ()
    created_links: tuple[LinkEntry, ...] = ()
    deleted_links: tuple[LinkEntry, ...] = ()
    status: StatusChange | None = None
    undoes: int | None = None
    redoes: int | None = None
    action: str | None = None
    held: bool = True

    def inverse(self) -> Change:
        """The change that takes this one back, ids unchanged."""
        return replace(
            self,
            created=self.deleted,
            deleted=self.created,
            rejected=self.unrejected,
            unrejected=self.rejected,
            created_links=self.deleted_links,
            deleted_links=self.created_links,
            status=self.status.inverse() if self.status else None,
        )


# --------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------


def _gold_data(entry: GoldEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entry.id,
        "start": entry.start,
        "end": entry.end,
        "label_id": entry.label_id,
        "attributes": dict(entry.attributes),
        "note": entry.note,
        "decision": entry.decision,
        "decided_by_id": entry.decided_by_id,
        "decided_at": entry.decided_at,
        "sources": [
            {"span_id": s.span_id, "annotator_id": s.annotator_id}
            for s in entry.sources
        ],
    }
    if entry.was is not None:
        data["was"] = entry.was
    return data


def _link_data(entry: LinkEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entry.id,
        "source_id": entry.source_id,
        "target_id": entry.target_id,
        "kind": entry.kind,
    }
    if entry.was is not None:
        data["was"] = entry.was
    return data


def _status_data(status: StatusChange) -> dict[str, Any]:
    data: dict[str, Any] = {
        "before": status.before,
        "after": status.after,
        "adjudicated_by_id": status.adjudicated_by_id,
        "adjudicated_at": status.adjudicated_at,
    }
    if status.after_known:
        data["after_adjudicated_by_id"] = status.after_adjudicated_by_id
        data["after_adjudicated_at"] = status.after_adjudicated_at
    return data


def encode(change: Change) -> dict[str, Any]:
    """The audit row ``data`` of ``change``, in the current shape (an undo
    row of the first format stays without a change)."""
    data: dict[str, Any] = {"document_id": change.document_id}
    for key, value in (("undoes", change.undoes), ("redoes", change.redoes)):
        if value is not None:
            data[key] = value
    if change.action is not None:
        data["action"] = change.action
    if not change.held:
        return data
    data |= {
        "created": [_gold_data(e) for e in change.created],
        "deleted": [_gold_data(e) for e in change.deleted],
        "rejected": list(change.rejected),
        "unrejected": list(change.unrejected),
        "created_links": [_link_data(e) for e in change.created_links],
        "deleted_links": [_link_data(e) for e in change.deleted_links],
    }
    if change.status is not None:
        data["status"] = _status_data(change.status)
    return data


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def _count(value: object, path: str) -> int:
    """An id or offset: a non-negative integer, not a bool."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedRow(path, "must be a non-negative integer")
    return value


def _int(data: Mapping[str, Any], key: str, path: str) -> int:
    return _count(data.get(key), f"{path}{key}")


def _optional_int(data: Mapping[str, Any], key: str, path: str) -> int | None:
    return None if data.get(key) is None else _int(data, key, path)


def _str(data: Mapping[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise MalformedRow(f"{path}{key}", "must be a string")
    return value


def _moment(data: Mapping[str, Any], key: str, path: str) -> str | None:
    if data.get(key) is None:
        return None
    value = _str(data, key, path)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise MalformedRow(f"{path}{key}", "must be an ISO 8601 moment") from None
    return value


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedRow(path or "data", "must be an object")
    return value


def _list(
    data: Mapping[str, Any], key: str, item: Callable[[Any, str], T]
) -> tuple[T, ...]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise MalformedRow(key, "must be a list")
    return tuple(item(found, f"{key}[{index}]") for index, found in enumerate(value))


def _attributes(value: object, path: str) -> dict[str, str]:
    found = _object(value, path)
    for key, text in found.items():
        if not isinstance(key, str) or not isinstance(text, str):
            raise MalformedRow(f"{path}.{key}", "must be a string")
    return dict(found)


def _source(value: object, path: str) -> Source:
    data = _object(value, path)
    return Source(
        _optional_int(data, "span_id", f"{path}."),
        _int(data, "annotator_id", f"{path}."),
    )


def _gold(value: object, path: str) -> GoldEntry:
    data = _object(value, path)
    at = f"{path}."
    sources = data.get("sources", [])
    if not isinstance(sources, list):
        raise MalformedRow(f"{at}sources", "must be a list")
    start, end = _int(data, "start", at), _int(data, "end", at)
    if end <= start:
        raise MalformedRow(f"{at}end", "must be after start")
    decided_at = _moment(data, "decided_at", at)
    if decided_at is None:
        raise MalformedRow(f"{at}decided_at", "must be an ISO 8601 moment")
    return GoldEntry(
        id=_int(data, "id", at),
        start=start,
        end=end,
        label_id=_int(data, "label_id", at),
        attributes=_attributes(data.get("attributes", {}), f"{at}attributes"),
        note=_str(data, "note", at),
        decision=_str(data, "decision", at),
        decided_by_id=_optional_int(data, "decided_by_id", at),
        decided_at=decided_at,
        sources=tuple(_source(s, f"{at}sources[{i}]") for i, s in enumerate(sources)),
        was=_optional_int(data, "was", at),
    )


def _link(value: object, path: str) -> LinkEntry:
    data = _object(value, path)
    at = f"{path}."
    return LinkEntry(
        _int(data, "id", at),
        _int(data, "source_id", at),
        _int(data, "target_id", at),
        _str(data, "kind", at),
        _optional_int(data, "was", at),
    )


def _status(value: object) -> StatusChange:
    data = _object(value, "status")
    at = "status."
    known = "after_adjudicated_by_id" in data or "after_adjudicated_at" in data
    return StatusChange(
        _str(data, "before", at),
        _str(data, "after", at),
        _optional_int(data, "adjudicated_by_id", at),
        _moment(data, "adjudicated_at", at),
        _optional_int(data, "after_adjudicated_by_id", at),
        _moment(data, "after_adjudicated_at", at),
        known,
    )


def _held(data: Mapping[str, Any]) -> bool:
    """Every row holds its change but undo rows of the first format."""
    return any(key in data for key in (*CHANGE_KEYS, "status"))


def decode(value: object) -> Change:
    """The :class:`Change` an audit row's ``data`` holds, in any shape still
    stored (see the module docstring); :class:`MalformedRow` names the first
    field that does not fit."""
    data = _object(value, "")
    action = data.get("action")
    if action is not None and not isinstance(action, str):
        raise MalformedRow("action", "must be a string")
    document_id = _int(data, "document_id", "")
    undoes = _optional_int(data, "undoes", "")
    redoes = _optional_int(data, "redoes", "")
    if not _held(data):
        return Change(
            document_id, undoes=undoes, redoes=redoes, action=action, held=False
        )
    status = data.get("status")
    return Change(
        document_id,
        created=_list(data, "created", _gold),
        deleted=_list(data, "deleted", _gold),
        rejected=_list(data, "rejected", _count),
        unrejected=_list(data, "unrejected", _count),
        created_links=_list(data, "created_links", _link),
        deleted_links=_list(data, "deleted_links", _link),
        status=None if status is None else _status(status),
        undoes=undoes,
        redoes=redoes,
        action=action,
    )
