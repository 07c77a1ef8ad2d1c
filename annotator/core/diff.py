"""Aligning several annotators' spans on one document, for review and agreement.

Offsets are code points, end exclusive. :func:`align` puts spans that speak
about the same passage into one :class:`Group` and says how the annotators
differ there; :func:`segments` cuts a text into runs over which one
annotator's labels do not change, so that a page can mark spans without
parsing HTML.

Two spans of different annotators belong to one group when they overlap and
either have the same label or exactly the same boundaries. A span that has
no such partner among another annotator's spans joins any overlapping span of
that annotator which has none either (a claim drawn where someone else drew
a hedge of other length). Spans of one annotator are never joined directly:
a hedge nested in a claim stays its own group unless others drew it too.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

SpanTriple = tuple[int, int, str]
Annotator = TypeVar("Annotator", bound=Hashable)


class GroupKind(enum.StrEnum):
    """How the annotators who saw a document differ on one group of spans."""

    SAME = "same"  # every annotator: the same boundaries and the same labels
    LABEL = "label"  # every annotator: the same boundaries, different labels
    BOUNDARY = "boundary"  # every annotator marked it, boundaries differ
    PARTIAL = "partial"  # only some of the annotators marked anything here


#: One-line plain-language description of each kind, for pages and the CLI.
GROUP_KIND_TEXT: Mapping[GroupKind, str] = {
    GroupKind.SAME: "same span, same label",
    GroupKind.LABEL: "same span, different label",
    GroupKind.BOUNDARY: "overlapping, different boundaries",
    GroupKind.PARTIAL: "marked by only some annotators",
}


@dataclass(frozen=True, slots=True)
class Group:
    """Spans of several annotators about one passage ``[start, end)``."""

    start: int
    end: int
    kind: GroupKind
    spans: Mapping[Hashable, tuple[SpanTriple, ...]]  # by annotator, sorted

    @property
    def is_disagreement(self) -> bool:
        return self.kind is not GroupKind.SAME

    @property
    def labels_differ(self) -> bool:
        labels = [{label for _, _, label in spans} for spans in self.spans.values()]
        return any(found != labels[0] for found in labels)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run ``[start, end)`` of text covered by ``labels`` (outermost first;
    empty: no span)."""

    start: int
    end: int
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Item:
    annotator: Hashable
    start: int
    end: int
    label: str


def _items(annotations: Mapping[Annotator, Iterable[SpanTriple]]) -> list[_Item]:
    """Every distinct span, by start, longest first (a span drawn twice by one
    annotator counts once)."""
    found = {
        _Item(annotator, start, end, label)
        for annotator, spans in annotations.items()
        for start, end, label in spans
    }
    return sorted(found, key=lambda i: (i.start, -i.end, i.label, repr(i.annotator)))


def _overlapping_pairs(items: Sequence[_Item]) -> Iterator[tuple[int, int]]:
    """Index pairs (i < j) of overlapping spans of different annotators."""
    for i, first in enumerate(items):
        for j in range(i + 1, len(items)):
            second = items[j]
            if second.start >= first.end:
                break
            if second.annotator != first.annotator:
                yield i, j


def _strong(first: _Item, second: _Item) -> bool:
    same_bounds = first.start == second.start and first.end == second.end
    return same_bounds or first.label == second.label


class _Groups:
    """Union-find over span indices."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def _lonely(index: int, other: _Item, partnered: set[tuple[int, Hashable]]) -> bool:
    """Span ``index`` has no strong partner among ``other``'s annotator's spans."""
    return (index, other.annotator) not in partnered


def _link(items: Sequence[_Item]) -> _Groups:
    groups = _Groups(len(items))
    pairs = list(_overlapping_pairs(items))
    partnered: set[tuple[int, Hashable]] = set()
    for i, j in pairs:
        if _strong(items[i], items[j]):
            groups.join(i, j)
            partnered.add((i, items[j].annotator))
            partnered.add((j, items[i].annotator))
    for i, j in pairs:
        if _lonely(i, items[j], partnered) and _lonely(j, items[i], partnered):
            groups.join(i, j)
    return groups


def _kind(spans: Mapping[Hashable, tuple[SpanTriple, ...]], everyone: int) -> GroupKind:
    if len(spans) < everyone:
        return GroupKind.PARTIAL
    bounds = [{(start, end) for start, end, _ in found} for found in spans.values()]
    if any(found != bounds[0] for found in bounds):
        return GroupKind.BOUNDARY
    marked = [set(found) for found in spans.values()]
    if any(found != marked[0] for found in marked):
        return GroupKind.LABEL
    return GroupKind.SAME


def align(
    annotations: Mapping[Annotator, Iterable[SpanTriple]],
    annotators: Iterable[Annotator] = (),
) -> list[Group]:
    """Group the spans of ``annotations`` (annotator -> (start, end, label))
    and classify each group, in text order.

    The annotators who saw the document are the keys of ``annotations`` plus
    ``annotators`` (who may have marked nothing); a group misses someone when
    one of them has no span in it.
    """
    order = list(dict.fromkeys([*annotations, *annotators]))
    items = _items(annotations)
    groups = _link(items)
    members: dict[int, list[_Item]] = {}
    for index, item in enumerate(items):
        members.setdefault(groups.find(index), []).append(item)
    result = [_group(found, order) for found in members.values()]
    return sorted(result, key=lambda g: (g.start, -g.end))


def _group(items: list[_Item], order: Sequence[Hashable]) -> Group:
    """One group; ``spans`` keyed in the annotators' given order."""
    spans: dict[Hashable, list[SpanTriple]] = {}
    for item in items:
        spans.setdefault(item.annotator, []).append((item.start, item.end, item.label))
    frozen = {a: tuple(sorted(spans[a])) for a in order if a in spans}
    return Group(
        start=min(item.start for item in items),
        end=max(item.end for item in items),
        kind=_kind(frozen, len(order)),
        spans=frozen,
    )


def segments(length: int, spans: Iterable[SpanTriple]) -> list[Segment]:
    """Cut ``[0, length)`` into runs over which the covering labels do not
    change; every code point lies in exactly one run."""
    ordered = sorted(set(spans), key=lambda s: (s[0], -s[1], s[2]))
    cuts = sorted({0, length, *(s[0] for s in ordered), *(s[1] for s in ordered)})
    result: list[Segment] = []
    active: list[SpanTriple] = []  # outermost first: by start, longest first
    waiting = 0
    for start, end in pairwise(cuts):
        if end > length:
            break
        active = [span for span in active if span[1] > start]
        while waiting < len(ordered) and ordered[waiting][0] <= start:
            active.append(ordered[waiting])
            waiting += 1
        labels = tuple(dict.fromkeys(label for _, _, label in active))
        result.append(Segment(start, end, labels))
    return result
