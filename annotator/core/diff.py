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

The one implementation is :func:`group_spans`, vectorised over many
documents (the agreement report and the review queue call it once for a
whole project); :func:`align` builds :class:`Group` objects from it for one
document's page, :func:`align_many` for several.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

SpanTriple = tuple[int, int, str]
IntArray: TypeAlias = npt.NDArray[np.int64]
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


#: Group kinds by their code in :attr:`SpanGroups.kind`.
KINDS: tuple[GroupKind, ...] = tuple(GroupKind)
_PARTIAL, _BOUNDARY, _LABEL, _SAME = (
    KINDS.index(kind)
    for kind in (GroupKind.PARTIAL, GroupKind.BOUNDARY, GroupKind.LABEL, GroupKind.SAME)
)
#: Pairs of overlapping spans are generated in chunks of about this many.
PAIR_CHUNK = 2_000_000


@dataclass(frozen=True, eq=False)
class SpanGroups:
    """The groups of many documents' spans, from :func:`group_spans`.

    Groups are numbered across all documents, in document order and, within a
    document, in text order (by start, longest first): the order :func:`align`
    returns them in.
    """

    row_group: IntArray  # per input span: its group (a duplicate: its twin's)
    row_label: IntArray  # per input span: its label code, as given
    doc: IntArray  # per group: its document
    kind: IntArray  # per group: its kind's position in KINDS
    n_annotators: IntArray  # per group: annotators with a span in it

    @property
    def n_groups(self) -> int:
        return int(self.doc.shape[0])


def group_spans(
    doc: IntArray,
    annotator: IntArray,
    start: IntArray,
    end: IntArray,
    label: IntArray,
    n_present: IntArray,
) -> SpanGroups:
    """Align the spans of every document at once (one row per span: document,
    annotator and label as integer codes; code points, end exclusive).

    ``n_present[d]`` is the number of annotators who saw document ``d``
    (including those without spans); a group with fewer is PARTIAL.
    """
    spans = _Spans.distinct(doc, annotator, start, end, label)
    component = _components(spans)
    roots = np.flatnonzero(component == np.arange(component.shape[0]))
    root_of = np.searchsorted(roots, component)
    group_end = np.zeros(roots.shape[0], dtype=np.int64)
    np.maximum.at(group_end, root_of, spans.end)
    # roots are each group's first span in (document, start, longest) order
    longest = int(group_end.max(initial=0)) - group_end  # longest first
    order = _lexsort((roots, longest, spans.start[roots], spans.doc[roots]))
    number = np.empty_like(order)
    number[order] = np.arange(order.shape[0])
    group = number[root_of]
    n_groups = roots.shape[0]
    group_doc = spans.doc[roots][order]
    counts = _annotators_per_group(group, spans.annotator, n_groups)
    kind = _kinds(spans, group, counts, n_present[group_doc])
    return SpanGroups(group[spans.of_row], label, group_doc, kind, counts)


@dataclass(frozen=True, eq=False)
class _Spans:
    """Distinct spans sorted by (document, start, longest first, label,
    annotator); ``of_row[i]``: the distinct span of input row ``i``."""

    doc: IntArray
    annotator: IntArray
    start: IntArray
    end: IntArray
    label: IntArray
    of_row: IntArray

    @classmethod
    def distinct(
        cls,
        doc: IntArray,
        annotator: IntArray,
        start: IntArray,
        end: IntArray,
        label: IntArray,
    ) -> _Spans:
        longest = int(end.max(initial=0)) - end  # longest first
        columns = (annotator, label, longest, start, doc)
        order = _lexsort(columns)
        new = _run_starts(order, columns)
        keep = order[new]
        of_row = np.empty_like(order)
        of_row[order] = np.cumsum(new) - 1
        return cls(
            doc[keep], annotator[keep], start[keep], end[keep], label[keep], of_row
        )


def _lexsort(columns: Sequence[IntArray]) -> npt.NDArray[np.intp]:
    """``np.lexsort(columns)`` (the last column sorts first) for columns of
    non-negative integers; one stable sort of a packed key when the key fits
    in 62 bits, which is several times faster than sorting column by column."""
    sizes = [int(column.max(initial=0)) + 1 for column in columns]
    if math.prod(sizes) >= 1 << 62:
        return np.lexsort(columns)
    key = np.zeros(columns[0].shape[0], dtype=np.int64)
    for column, size in zip(reversed(columns), reversed(sizes), strict=True):
        key = key * size + column
    return np.argsort(key, kind="stable")


def _run_starts(
    order: npt.NDArray[np.intp], columns: Sequence[IntArray]
) -> npt.NDArray[np.bool_]:
    """In ``order``: where a row differs from the previous one in a column."""
    new = np.zeros(order.shape[0], dtype=np.bool_)
    new[:1] = True
    for column in columns:
        ordered = column[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    return new


def overlap_pairs(
    group: IntArray, start: IntArray, end: IntArray, limit: int
) -> Iterator[tuple[IntArray, IntArray]]:
    """Every unordered pair (i, j) of rows in the same group whose spans share
    a position, in chunks. Rows must be sorted by (group, start); ``limit``
    must exceed every offset."""
    key = group * limit + start
    high = np.searchsorted(key, group * limit + end, side="left").astype(np.int64)
    rows = np.arange(key.shape[0], dtype=np.int64)
    counts = high - rows - 1
    totals = np.cumsum(counts)
    begin = 0
    while begin < rows.shape[0]:
        base = int(totals[begin - 1]) if begin else 0
        stop = int(np.searchsorted(totals, base + PAIR_CHUNK, side="right"))
        stop = max(stop, begin + 1)
        chunk_counts = counts[begin:stop]
        first = np.repeat(rows[begin:stop], chunk_counts)
        offsets = np.cumsum(chunk_counts) - chunk_counts
        step = np.arange(first.shape[0], dtype=np.int64) - np.repeat(
            offsets, chunk_counts
        )
        yield first, first + 1 + step
        begin = stop


def _joined_pairs(spans: _Spans) -> tuple[IntArray, IntArray]:
    """The pairs of spans that join: overlapping, of different annotators, and
    strong (same label or same boundaries) or both without a strong partner
    among the other's annotator's spans."""
    limit = int(spans.end.max(initial=0)) + 1
    n_annotators = int(spans.annotator.max(initial=0)) + 1
    strong_i, strong_j, weak_i, weak_j = [], [], [], []
    for i, j in overlap_pairs(spans.doc, spans.start, spans.end, limit):
        other = spans.annotator[i] != spans.annotator[j]
        i, j = i[other], j[other]
        strong = (spans.label[i] == spans.label[j]) | (
            (spans.start[i] == spans.start[j]) & (spans.end[i] == spans.end[j])
        )
        strong_i.append(i[strong])
        strong_j.append(j[strong])
        weak_i.append(i[~strong])
        weak_j.append(j[~strong])
    si, sj, wi, wj = (
        np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        for found in (strong_i, strong_j, weak_i, weak_j)
    )
    ann = spans.annotator
    partnered = distinct_sorted(
        np.concatenate([si * n_annotators + ann[sj], sj * n_annotators + ann[si]])
    )
    lonely = ~is_member(wi * n_annotators + ann[wj], partnered) & ~is_member(
        wj * n_annotators + ann[wi], partnered
    )
    return np.concatenate([si, wi[lonely]]), np.concatenate([sj, wj[lonely]])


def distinct_sorted(values: IntArray) -> IntArray:
    """``values`` sorted, each once (``np.unique`` without its hash tables,
    several times faster here)."""
    ordered = np.sort(values)
    keep = np.ones(ordered.shape[0], dtype=np.bool_)
    keep[1:] = ordered[1:] != ordered[:-1]
    result: IntArray = ordered[keep]
    return result


def is_member(values: IntArray, sorted_set: IntArray) -> npt.NDArray[np.bool_]:
    """Which of ``values`` are in ``sorted_set`` (ascending)."""
    if sorted_set.shape[0] == 0:
        return np.zeros(values.shape[0], dtype=np.bool_)
    pos = np.minimum(np.searchsorted(sorted_set, values), sorted_set.shape[0] - 1)
    found: npt.NDArray[np.bool_] = sorted_set[pos] == values
    return found


def _components(spans: _Spans) -> IntArray:
    """Per span, the smallest span index of its group (connected components
    of the joined pairs: hook each root to the smallest neighbouring label,
    then follow pointers, until nothing changes)."""
    first, second = _joined_pairs(spans)
    label = np.arange(spans.doc.shape[0], dtype=np.int64)
    while True:
        low = np.minimum(label[first], label[second])
        hooked = label.copy()
        for side in (first, second):
            np.minimum.at(hooked, label[side], low)
            np.minimum.at(hooked, side, low)
        while True:
            jumped = hooked[hooked]
            if np.array_equal(jumped, hooked):
                break
            hooked = jumped
        if np.array_equal(hooked, label):
            return label
        label = hooked


def _annotators_per_group(
    group: IntArray, annotator: IntArray, n_groups: int
) -> IntArray:
    n_annotators = int(annotator.max(initial=0)) + 1
    pairs = distinct_sorted(group * n_annotators + annotator)
    counts: IntArray = np.bincount(pairs // n_annotators, minlength=n_groups)
    return counts.astype(np.int64)


def _kinds(
    spans: _Spans, group: IntArray, counts: IntArray, n_present: IntArray
) -> IntArray:
    """PARTIAL: fewer annotators than saw the document; else BOUNDARY: some
    boundary pair not drawn by every annotator of the group; else LABEL: some
    span not drawn by all of them; else SAME."""
    by_span = _fewest_annotators(group, (spans.start, spans.end, spans.label), counts)
    bounds = _distinct_rows((spans.annotator, spans.end, spans.start, group))
    by_bounds = _fewest_annotators(
        group[bounds], (spans.start[bounds], spans.end[bounds]), counts
    )
    kind = np.full(counts.shape[0], _SAME, dtype=np.int64)
    kind[by_span < counts] = _LABEL
    kind[by_bounds < counts] = _BOUNDARY
    kind[counts < n_present] = _PARTIAL
    return kind


def _distinct_rows(columns: Sequence[IntArray]) -> IntArray:
    """Indices of one row per distinct combination of ``columns``."""
    order = _lexsort(columns)
    result: IntArray = order[_run_starts(order, columns)]
    return result


def _fewest_annotators(
    group: IntArray,
    columns: Sequence[IntArray],
    counts: IntArray,
) -> IntArray:
    """Per group, the fewest rows sharing the same ``columns`` values (rows
    are distinct per annotator, so: the fewest annotators who drew one of
    the group's spans, or boundaries)."""
    keys = (*columns, group)
    order = _lexsort(keys)
    starts = np.flatnonzero(_run_starts(order, keys))
    lengths = np.diff(np.append(starts, order.shape[0]))
    fewest = counts.copy()
    np.minimum.at(fewest, group[order[starts]], lengths)
    return fewest


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
    order = dict.fromkeys([*annotations, *annotators])
    return align_many([{a: annotations.get(a, ()) for a in order}])[0]


def align_many(
    documents: Sequence[Mapping[Annotator, Iterable[SpanTriple]]],
) -> list[list[Group]]:
    """:func:`align` for each document (its keys: the annotators who saw it),
    with one :func:`group_spans` call for all of them."""
    rows, found, _ = _group_documents(documents)
    members: list[dict[int, set[SpanTriple]]] = [{} for _ in range(found.n_groups)]
    groups = found.row_group.tolist()
    for (_, k, start, end, label), g in zip(rows, groups, strict=True):
        members[g].setdefault(k, set()).add((start, end, label))
    result: list[list[Group]] = [[] for _ in documents]
    names = [tuple(by_annotator) for by_annotator in documents]
    for spans, d, kind in zip(
        members, found.doc.tolist(), found.kind.tolist(), strict=True
    ):
        result[d].append(_group(spans, KINDS[kind], names[d]))
    return result


def kind_counts_many(
    documents: Sequence[Mapping[Annotator, Iterable[SpanTriple]]],
    label: str | None = None,
) -> list[dict[GroupKind, int]]:
    """Per document, how many of :func:`align`'s groups are of each kind
    (with ``label``: only groups holding a span of that label), without
    building the groups."""
    _, found, code = _group_documents(documents)
    chosen = np.ones(found.n_groups, dtype=np.bool_)
    if label is not None:
        chosen[:] = False
        chosen[found.row_group[found.row_label == code.get(label, -1)]] = True
    size = len(documents) * len(KINDS)
    counts = np.bincount(
        (found.doc * len(KINDS) + found.kind)[chosen], minlength=size
    ).reshape(len(documents), len(KINDS))
    return [dict(zip(KINDS, row, strict=True)) for row in counts.tolist()]


def _group_documents(
    documents: Sequence[Mapping[Annotator, Iterable[SpanTriple]]],
) -> tuple[list[tuple[int, int, int, int, str]], SpanGroups, dict[str, int]]:
    """Every span as (document, annotator position, start, end, label), their
    groups, and the label codes used."""
    rows: list[tuple[int, int, int, int, str]] = []
    for d, by_annotator in enumerate(documents):
        rows.extend(
            (d, k, start, end, label)
            for k, spans in enumerate(by_annotator.values())
            for start, end, label in spans
        )
    code = {name: c for c, name in enumerate(sorted({row[4] for row in rows}))}
    columns = np.array(
        [(d, k, start, end, code[label]) for d, k, start, end, label in rows],
        dtype=np.int64,
    ).reshape(-1, 5)
    n_present = np.array([len(a) for a in documents], dtype=np.int64)
    found = group_spans(
        columns[:, 0], columns[:, 1], columns[:, 2], columns[:, 3], columns[:, 4],
        n_present,
    )  # fmt: skip
    return rows, found, code


def _group(
    spans: Mapping[int, set[SpanTriple]],
    kind: GroupKind,
    order: Sequence[Hashable],
) -> Group:
    """One group; ``spans`` by annotator position, keyed by name in order."""
    frozen = {order[k]: tuple(sorted(spans[k])) for k in sorted(spans)}
    start = min(found[0][0] for found in frozen.values())
    end = max(end for found in frozen.values() for _, end, _ in found)
    return Group(start, end, kind, frozen)


def count_kinds(kinds: Iterable[GroupKind]) -> dict[GroupKind, int]:
    """How many groups of each kind (every kind listed, in declaration order)."""
    counts = dict.fromkeys(GroupKind, 0)
    for kind in kinds:
        counts[kind] += 1
    return counts


def disagreement_rank(n_disagreements: int, n_groups: int) -> tuple[int, float]:
    """Ascending sort key of a document in the review queue and in the
    agreement report's document list: the most disagreeing groups first, then
    the larger share of disagreeing groups."""
    share = n_disagreements / n_groups if n_groups else 0.0
    return (-n_disagreements, -share)


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
