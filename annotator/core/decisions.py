"""Which reviewer decisions can be undone or redone on their own.

A document's review is a list of audit rows, oldest first: *decisions*
(accept, correct, add, reject, remove, link, unlink, accept-agreed,
accept-majority, adjudicate, reopen), *undo* rows and *redo* rows. Each row
holds the change it made: gold spans created and deleted (offsets, label,
source annotator spans), gold links created and deleted, annotator spans
rejected and taken back from rejection, and a status change. A decision or
redo row is *live* until an undo row undoes it.

**The dependency rule.** Each change *writes* things and *reads* things:

- it writes every gold span it created or deleted, that span's place (start,
  end, label: the database holds one gold span per place), and each
  annotator span that is a source of one of them;
- it writes every gold link it created or deleted and that link's place
  (source, target, kind), and reads the two gold spans the link joins;
- it writes each annotator span it rejected or took back from rejection;
- a status change (adjudicate, reopen) stands between everything before and
  after it.

Two changes *conflict* when one writes something the other writes or reads,
or when either changes the status. A live decision can be undone alone when
it conflicts with no live row after it; the later conflicting rows are the
ones to undo first. The most recently undone decision not redone yet can be
redone when its undo conflicts with no live row decided after that undo (a
redo made since of a decision older than that undo gives back what was there
then, so it does not count: redoing a run of undos in turn works). Rows that
touch different things commute, so undoing one of them alone leaves the
document exactly as if it had never been made.

A correction that replaces a gold span (``correct`` with ``replaces``) is
one row that deletes the old span and its links and creates the new span and
the links moved to it, so the rule above covers it unchanged. Rows are read
through :mod:`annotator.core.changes`.

Gold spans and links are identified across undo and redo by a *key*: the row
that first created them and the id they had then. A restored span keeps its
key when it gets a new id (``was`` names the id it had), so a reused or
changed database id never confuses two spans. Standard library only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from annotator.core.changes import Change, GoldEntry, LinkEntry

RowKind = Literal["decision", "undo", "redo"]
UNDO = "undo"
REDO = "redo"

#: A gold span or link across undo and redo: (row that created it, its id then).
Key = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Row:
    """One audit row of a document's review, in the order rows were written.
    ``change`` is what it holds (:mod:`annotator.core.changes`); ``target``
    is the row an undo undoes or a redo redoes."""

    id: int
    kind: RowKind
    change: Change
    target: int | None = None


def row_of(row_id: int, action: str, change: Change) -> Row:
    """A :class:`Row` from an ``adjudication`` audit row's action and its
    decoded data."""
    if action == UNDO:
        return Row(row_id, "undo", change, change.undoes)
    if action == REDO:
        return Row(row_id, "redo", change, change.redoes)
    return Row(row_id, "decision", change)


@dataclass(frozen=True, slots=True)
class Footprint:
    """What a change writes and reads (see the module docstring)."""

    writes: frozenset[Hashable]
    reads: frozenset[Hashable]
    status: bool

    def conflicts(self, other: Footprint) -> bool:
        return (
            self.status
            or other.status
            or bool(self.writes & (other.writes | other.reads))
            or bool(self.reads & other.writes)
        )


@dataclass(frozen=True, slots=True)
class Keyed:
    """A row's change with the key of every span and link it names."""

    change: Change
    created: tuple[Key, ...]
    deleted: tuple[Key, ...]
    created_links: tuple[Key, ...]
    deleted_links: tuple[Key, ...]
    # (source span key, target span key) of each created, then deleted link
    created_ends: tuple[tuple[Key, Key], ...]
    deleted_ends: tuple[tuple[Key, Key], ...]

    def footprint(self) -> Footprint:
        change = self.change
        writes: set[Hashable] = set()
        for refs, keys in (
            (change.created, self.created),
            (change.deleted, self.deleted),
        ):
            for ref, key in zip(refs, keys, strict=True):
                writes |= {("span", key), ("place", ref.start, ref.end, ref.label_id)}
                writes |= {("annotator_span", s) for s in ref.source_span_ids}
        reads: set[Hashable] = set()
        for links, keys, ends in (
            (change.created_links, self.created_links, self.created_ends),
            (change.deleted_links, self.deleted_links, self.deleted_ends),
        ):
            for link, key, (source, target) in zip(links, keys, ends, strict=True):
                writes |= {("link", key), ("link_place", source, target, link.kind)}
                reads |= {("span", source), ("span", target)}
        spans = {*change.rejected, *change.unrejected}
        writes |= {("annotator_span", s) for s in spans}
        return Footprint(frozenset(writes), frozenset(reads), change.status is not None)


@dataclass(slots=True)
class _Objects:
    """Which key each current id of one kind of object (gold spans, or gold
    links) stands for, and the keys each row deleted, so that the row's undo
    or redo can give them back under the same keys."""

    live: dict[int, Key] = field(default_factory=dict)
    buried: dict[int, dict[int, Key]] = field(default_factory=dict)

    def bury(self, row: int, ids: Iterable[int]) -> tuple[Key, ...]:
        graves = self.buried.setdefault(row, {})
        keys = []
        for object_id in ids:
            key = self.live.pop(object_id, (0, object_id))
            graves[object_id] = key
            keys.append(key)
        return tuple(keys)

    def raise_up(
        self, row: int, restores: int | None, refs: Iterable[GoldEntry | LinkEntry]
    ) -> tuple[Key, ...]:
        """Keys of created objects: fresh for a decision, the buried ones of
        the row it takes back for an undo or redo."""
        graves = self.buried.get(restores, {}) if restores is not None else {}
        keys = []
        for ref in refs:
            key = graves.get(ref.id if ref.was is None else ref.was, (row, ref.id))
            self.live[ref.id] = key
            keys.append(key)
        return tuple(keys)

    def ends(self, links: Iterable[LinkEntry]) -> tuple[tuple[Key, Key], ...]:
        """Span keys of each link's ends (self holds the spans)."""
        return tuple(
            (
                self.live.get(link.source_id, (0, link.source_id)),
                self.live.get(link.target_id, (0, link.target_id)),
            )
            for link in links
        )


@dataclass(slots=True)
class Ledger:
    """A document's review replayed: every row's keyed change, which rows
    are undone and redone, and the current id of every gold span and link key."""

    order: list[int] = field(default_factory=list)
    rows: dict[int, Row] = field(default_factory=dict)
    keyed: dict[int, Keyed] = field(default_factory=dict)
    footprints: dict[int, Footprint] = field(default_factory=dict)
    undone_by: dict[int, int] = field(default_factory=dict)
    redone_by: dict[int, int] = field(default_factory=dict)
    span_ids: dict[Key, int] = field(default_factory=dict)
    link_ids: dict[Key, int] = field(default_factory=dict)

    def is_live(self, row_id: int) -> bool:
        row = self.rows[row_id]
        return row.kind != "undo" and row_id not in self.undone_by

    def live(self) -> list[int]:
        """Live decisions and redos, oldest first."""
        return [row_id for row_id in self.order if self.is_live(row_id)]

    def latest_live(self) -> int | None:
        found = self.live()
        return found[-1] if found else None

    def blockers(self, row_id: int) -> list[int]:
        """The live rows after ``row_id`` that conflict with it, oldest first:
        they must be undone before it can be undone alone."""
        return self._conflicting_after(row_id, self.footprints[row_id])

    def redo_candidate(self) -> int | None:
        """The most recently undone row not redone yet (None: nothing to redo)."""
        for row_id in reversed(self.order):
            row = self.rows[row_id]
            if row.kind == "undo" and row.target not in (None, *self.redone_by):
                return row.target
        return None

    def redo_blockers(self, row_id: int) -> list[int]:
        """The live rows decided since ``row_id`` was undone that conflict with
        redoing it. A redo since of a decision older than that undo is not
        decided since: it gives back what was there when ``row_id`` was
        undone (redoing a run of undos in turn needs this)."""
        undo = self.undone_by[row_id]
        return [
            later
            for later in self._conflicting_after(undo, self.footprints[undo])
            if self.origin(later) > undo
        ]

    def origin(self, row_id: int) -> int:
        """The decision a row re-applies (following redo after redo), or itself."""
        row = self.rows[row_id]
        while row.kind == "redo" and row.target in self.rows:
            row = self.rows[row.target]
        return row.id

    def _conflicting_after(self, after: int, footprint: Footprint) -> list[int]:
        return [
            later
            for later in self.live()
            if later > after and footprint.conflicts(self.footprints[later])
        ]


def _effective(row: Row, ledger: Ledger) -> Change:
    """What the row changed; an undo row of the first format held nothing
    and took back its target exactly."""
    if row.change.held:
        return row.change
    if row.target is None or row.target not in ledger.keyed:
        return Change(row.change.document_id)
    return ledger.keyed[row.target].change.inverse()


def _restores(row: Row, ledger: Ledger) -> int | None:
    """The row whose deletions this row's creations give back."""
    if row.kind == "undo":
        return row.target
    if row.kind == "redo" and row.target is not None:
        return ledger.undone_by.get(row.target)
    return None


def _resolve_target(row: Row, ledger: Ledger) -> Row:
    if row.kind != "undo" or row.target is not None:
        return row
    latest = ledger.latest_live()  # the oldest undo rows undid the latest
    return Row(row.id, row.kind, row.change, latest)


def _keyed(row: Row, ledger: Ledger, spans: _Objects, links: _Objects) -> Keyed:
    """Apply one row to the replay: deleted links, deleted spans, created
    spans, created links, in the order the services change them."""
    change = _effective(row, ledger)
    restores = _restores(row, ledger)
    deleted_ends = spans.ends(change.deleted_links)
    deleted_links = links.bury(row.id, (x.id for x in change.deleted_links))
    deleted = spans.bury(row.id, (x.id for x in change.deleted))
    created = spans.raise_up(row.id, restores, change.created)
    created_ends = spans.ends(change.created_links)
    created_links = links.raise_up(row.id, restores, change.created_links)
    return Keyed(
        change,
        created,
        deleted,
        created_links,
        deleted_links,
        created_ends,
        deleted_ends,
    )


def replay(rows: Iterable[Row]) -> Ledger:
    """Replay a document's audit rows (in the order they were written)."""
    ledger = Ledger()
    spans, links = _Objects(), _Objects()
    for given in rows:
        row = _resolve_target(given, ledger)
        keyed = _keyed(row, ledger, spans, links)
        ledger.keyed[row.id] = keyed
        ledger.footprints[row.id] = keyed.footprint()
        ledger.order.append(row.id)
        ledger.rows[row.id] = row
        if row.kind == "undo" and row.target is not None:
            ledger.undone_by[row.target] = row.id
        elif row.kind == "redo" and row.target is not None:
            ledger.redone_by[row.target] = row.id
    ledger.span_ids = {key: object_id for object_id, key in spans.live.items()}
    ledger.link_ids = {key: object_id for object_id, key in links.live.items()}
    return ledger
