"""From per-document span sets to what the agreement measures count.

Everything is computed for all documents at once with numpy, on a flat
:class:`SpanTable` (one row per span). Offsets are code points, end exclusive
(or token indices, for token-level coding).

* Unitizing continua: :func:`unitizing_components` gives, per document and
  label, Krippendorff's observed and expected disagreement of alpha-u times L²
  (DKPro Statistics' ``KrippendorffAlphaUnitizingAgreement``; one continuum
  per document).
* Span matching: :func:`f1_components` gives, per document, annotator pair and
  label, what exact and overlap-weighted span F1 need.
* Coding units: :func:`coding_segments` cuts each document into runs over
  which every annotator's value stays the same; a run of ``w`` characters (or
  tokens) counts as ``w`` coded units.

Two normalisations of one annotator's spans of one label, each as its source
does it: alpha-u ignores a span that overlaps an earlier one (INCEpTION adds
only the first, by start then longest); span F1 merges overlapping spans into
one (the SemEval-2020 Task 11 scorer). Touching spans ([0, 5) and [5, 9)) do
not overlap and stay apart in both.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.diff import overlap_pairs
from annotator.core.spans import Span

IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
SpanTriple: TypeAlias = tuple[int, int, str]
SpanLike: TypeAlias = SpanTriple | Span

#: Label sets are coded as bit masks in an int64.
MAX_LABELS = 62

F1_MATCH, F1_CREDIT_I, F1_CREDIT_J, F1_COUNT_I, F1_COUNT_J = range(5)


def annotator_sort_key(annotator: Hashable) -> tuple[int, float, str]:
    """Numbers in numeric order, then strings, then anything else by repr."""
    if isinstance(annotator, bool):
        return (2, 0.0, repr(annotator))
    if isinstance(annotator, int | float):
        return (0, float(annotator), "")
    if isinstance(annotator, str):
        return (1, 0.0, annotator)
    return (2, 0.0, repr(annotator))


def as_triple(span: SpanLike) -> SpanTriple:
    if isinstance(span, Span):
        return (span.start, span.end, span.label)
    start, end, label = span
    return (start, end, label)


@dataclass(frozen=True, eq=False)
class SpanTable:
    """All spans of all documents, one row each, plus who saw which document."""

    lengths: IntArray  # per document
    present: BoolArray  # documents x annotators: the annotator saw the document
    annotators: tuple[Hashable, ...]
    labels: tuple[str, ...]
    doc: IntArray
    annotator: IntArray
    label: IntArray
    start: IntArray
    end: IntArray

    @property
    def n_docs(self) -> int:
        return int(self.lengths.shape[0])

    @property
    def n_annotators(self) -> int:
        return len(self.annotators)

    @property
    def n_labels(self) -> int:
        return len(self.labels)

    @property
    def size(self) -> int:
        return int(self.doc.shape[0])

    def take(self, rows: npt.NDArray[Any]) -> SpanTable:
        """The same table restricted to (or reordered by) ``rows``."""
        return SpanTable(
            self.lengths,
            self.present,
            self.annotators,
            self.labels,
            self.doc[rows],
            self.annotator[rows],
            self.label[rows],
            self.start[rows],
            self.end[rows],
        )

    def with_spans(
        self,
        doc: IntArray,
        annotator: IntArray,
        label: IntArray,
        start: IntArray,
        end: IntArray,
    ) -> SpanTable:
        return SpanTable(
            self.lengths, self.present, self.annotators, self.labels,
            doc, annotator, label, start, end,
        )  # fmt: skip


def build_span_table(
    documents: Sequence[tuple[int, Mapping[Any, Sequence[SpanLike]]]],
    labels: Sequence[str] | None,
) -> SpanTable:
    """Flatten ``(length, {annotator: spans})`` per document into a table.

    An annotator listed for a document saw it, even with no spans. With
    ``labels``, spans of other labels are left out and the label order is
    kept; otherwise the labels seen, sorted.
    """
    annotator_set: set[Hashable] = set()
    for _, by_annotator in documents:
        annotator_set.update(by_annotator)
    annotators = tuple(sorted(annotator_set, key=annotator_sort_key))
    annotator_index = {a: i for i, a in enumerate(annotators)}
    lengths = np.zeros(len(documents), dtype=np.int64)
    present = np.zeros((len(documents), len(annotators)), dtype=np.bool_)
    rows: list[tuple[int, int, int, int]] = []
    names: list[str] = []
    for d, (length, by_annotator) in enumerate(documents):
        lengths[d] = length
        for annotator, spans in by_annotator.items():
            a = annotator_index[annotator]
            present[d, a] = True
            for span in spans:
                start, end, name = span if type(span) is tuple else as_triple(span)
                if not 0 <= start < end <= length:
                    raise ValueError(
                        f"document #{d}, annotator {annotator!r}: span "
                        f"[{start}, {end}) must satisfy 0 <= start < end <= {length}"
                    )
                rows.append((d, a, start, end))
                names.append(name)
    label_order = tuple(labels) if labels is not None else tuple(sorted(set(names)))
    if len(set(label_order)) != len(label_order):
        raise ValueError("labels must not repeat")
    if len(label_order) > MAX_LABELS:
        raise ValueError(f"at most {MAX_LABELS} labels can be compared at once")
    label_index = {name: i for i, name in enumerate(label_order)}
    flat = np.array(rows, dtype=np.int64).reshape(-1, 4)
    label = np.array([label_index.get(n, -1) for n in names], dtype=np.int64)
    keep = label >= 0
    flat, label = flat[keep], label[keep]
    return SpanTable(
        lengths, present, annotators, label_order,
        flat[:, 0], flat[:, 1], label, flat[:, 2], flat[:, 3],
    )  # fmt: skip


def span_table_from_rows(
    lengths: npt.ArrayLike,
    seen: npt.ArrayLike,
    annotators: tuple[Hashable, ...],
    labels: tuple[str, ...],
    rows: npt.ArrayLike,
) -> SpanTable:
    """A table from spans already held as integer rows ``(document, annotator,
    label, start, end)``, indices into ``lengths``, ``annotators`` and
    ``labels``; label -1 leaves the span out. ``seen`` lists the (document,
    annotator) pairs who saw a document. The same table as build_span_table,
    for callers (exports) that must not build a triple per span first."""
    if len(set(labels)) != len(labels):
        raise ValueError("labels must not repeat")
    if len(labels) > MAX_LABELS:
        raise ValueError(f"at most {MAX_LABELS} labels can be compared at once")
    length = np.asarray(lengths, dtype=np.int64).reshape(-1)
    present = np.zeros((length.shape[0], len(annotators)), dtype=np.bool_)
    pairs = np.asarray(seen, dtype=np.int64).reshape(-1, 2)
    present[pairs[:, 0], pairs[:, 1]] = True
    flat = np.asarray(rows, dtype=np.int64).reshape(-1, 5)
    doc, annotator, label, start, end = (flat[:, i] for i in range(5))
    bad = (start < 0) | (start >= end) | (end > length[doc]) | ~present[doc, annotator]
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"row {row}: span [{int(start[row])}, {int(end[row])}) of annotator "
            f"#{int(annotator[row])} on document #{int(doc[row])} must satisfy "
            f"0 <= start < end <= {int(length[doc[row]])}, by an annotator who "
            "saw the document"
        )
    keep = label >= 0
    return SpanTable(
        length, present, annotators, labels,
        doc[keep], annotator[keep], label[keep], start[keep], end[keep],
    )  # fmt: skip


def _span_limit(table: SpanTable) -> int:
    """A number larger than every offset, for packing (group, offset) keys."""
    return int(table.lengths.max(initial=0)) + 1


def drop_overlaps(table: SpanTable) -> SpanTable:
    """INCEpTION's rule for alpha-u: per annotator and label, sorted by start
    then longest first, skip a span that starts before an earlier one ends."""
    limit = _span_limit(table)
    group = (table.doc * table.n_annotators + table.annotator) * max(
        table.n_labels, 1
    ) + table.label
    order = np.lexsort((-table.end, table.start, group))
    shift = group[order] * limit
    running = np.maximum.accumulate(table.end[order] + shift)
    previous = np.concatenate([[-1], running[:-1]])
    keep = table.start[order] + shift >= previous
    return table.take(order[keep])


def merge_overlaps(table: SpanTable) -> SpanTable:
    """The SemEval scorer's rule for span F1: per annotator and label, merge
    spans that share a character into their union."""
    limit = _span_limit(table)
    label = table.label
    group = (table.doc * table.n_annotators + table.annotator) * max(
        table.n_labels, 1
    ) + label
    order = np.lexsort((table.end, table.start, group))
    shift = group[order] * limit
    running = np.maximum.accumulate(table.end[order] + shift)
    previous = np.concatenate([[-1], running[:-1]])
    first = np.flatnonzero(table.start[order] + shift >= previous)
    ends = np.maximum.reduceat(table.end[order], first) if first.size else first
    rows = order[first]
    return table.with_spans(
        table.doc[rows], table.annotator[rows], label[rows], table.start[rows],
        ends.astype(np.int64),
    )  # fmt: skip


def merge_same_label(spans: Iterable[SpanLike]) -> list[SpanTriple]:
    """Pure-Python twin of :func:`merge_overlaps` for one annotator's spans."""
    merged: list[SpanTriple] = []
    for start, end, label in sorted({as_triple(s) for s in spans}, key=_by_label):
        last = merged[-1] if merged else None
        if last is not None and last[2] == label and start < last[1]:
            merged[-1] = (last[0], max(last[1], end), label)
        else:
            merged.append((start, end, label))
    return merged


def _by_label(span: SpanTriple) -> tuple[str, int, int]:
    return (span[2], span[0], span[1])


def _sorted(table: SpanTable, group: IntArray) -> tuple[SpanTable, IntArray]:
    """The table and its group keys, sorted by (group, start, end)."""
    order = np.lexsort((table.end, table.start, group))
    return table.take(order), group[order]


def _covered_by_other(
    table: SpanTable,
    union: SpanTable,
    union_group: IntArray,
    group_of: IntArray,
) -> tuple[IntArray, IntArray, BoolArray]:
    """For each (span row, other annotator who saw the document): does the
    other annotator have a span (in ``union``, non-overlapping per group)
    sharing a position with it? ``union_group`` and ``group_of`` map an
    annotator's spans to the group to search (e.g. document and label)."""
    limit = _span_limit(table)
    n_ann = table.n_annotators
    row_ids, other = _other_annotators(table)
    target = group_of[row_ids] * n_ann + other
    if union.size == 0:
        return row_ids, other, np.zeros(row_ids.shape[0], dtype=np.bool_)
    key = union_group * limit + union.end  # sorted: spans in a group don't overlap
    # the first span of the other annotator ending after this one starts ...
    pos = np.searchsorted(key, target * limit + table.start[row_ids], side="right")
    inside = pos < key.shape[0]
    safe = np.minimum(pos, key.shape[0] - 1)
    # ... overlaps it if it is in the right group and starts before it ends
    hit = (
        inside
        & (union_group[safe] == target)
        & (union.start[safe] < table.end[row_ids])
    )
    return row_ids, other, hit


def _other_annotators(table: SpanTable) -> tuple[IntArray, IntArray]:
    """All (row, annotator) with the annotator present in the row's document
    and not the row's own annotator."""
    doc_ann, ann = np.nonzero(table.present)
    starts = np.searchsorted(doc_ann, np.arange(table.n_docs + 1))
    per_doc = np.diff(starts)
    counts = per_doc[table.doc]
    row_ids = np.repeat(np.arange(table.size, dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    step = np.arange(row_ids.shape[0], dtype=np.int64) - np.repeat(offsets, counts)
    other = ann[starts[table.doc[row_ids]] + step].astype(np.int64)
    keep = other != table.annotator[row_ids]
    return row_ids[keep], other[keep]


def compared_documents(table: SpanTable) -> BoolArray:
    """Documents seen by at least two annotators."""
    result: BoolArray = table.present.sum(axis=1) >= 2
    return result


def only_compared(table: SpanTable) -> SpanTable:
    return table.take(np.flatnonzero(compared_documents(table)[table.doc]))


# --------------------------------------------------------------------------
# Unitizing alpha
# --------------------------------------------------------------------------


class UnitizingComponents(NamedTuple):
    """Per document x label: L² times D_o and D_e, and the number of units."""

    observed: FloatArray
    expected: FloatArray
    units: IntArray


def unitizing_components(table: SpanTable) -> UnitizingComponents:
    """Krippendorff's alpha-u terms per (document, label), as DKPro computes them.

    For one continuum of length L coded by m annotators, with δ² the
    distance between two segments (both units and overlapping: squared start
    difference plus squared end difference; a unit lying inside the other's
    gap: its length squared; otherwise 0):

        D_o = 2 / (m (m-1) L²) * Σ over annotator pairs of Σ δ²
        D_e = 2 / L * Σ_units [(N-1) l(l-1)(2l-1)/3 + l² Σ_gaps≥l (g-l+1)]
              / (m L (m L - 1) - Σ_units l(l-1))

    where N counts the label's units of all annotators and the gaps are every
    annotator's stretches without that label. Returns L²·D_o and L²·D_e so
    that documents can be pooled by summing.
    """
    n_docs, n_labels = table.n_docs, max(table.n_labels, 1)
    observed = np.zeros(n_docs * n_labels, dtype=np.float64)
    expected = np.zeros(n_docs * n_labels, dtype=np.float64)
    units = np.zeros(n_docs * n_labels, dtype=np.int64)
    shape = (n_docs, n_labels)
    units_table = drop_overlaps(only_compared(table))
    if units_table.size == 0:
        return UnitizingComponents(
            observed.reshape(shape), expected.reshape(shape), units.reshape(shape)
        )
    raters = table.present.sum(axis=1).astype(np.float64)
    sorted_table, cell = _sorted(
        units_table, units_table.doc * n_labels + units_table.label
    )
    observed += _observed_sums(sorted_table, cell, n_docs * n_labels)
    expected += _expected_sums(sorted_table, cell, n_docs * n_labels)
    units += np.bincount(cell, minlength=n_docs * n_labels)
    m = np.repeat(raters, n_labels)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.where(m >= 2, 2.0 * observed / (m * (m - 1.0)), 0.0)
    return UnitizingComponents(
        observed.reshape(shape), expected.reshape(shape), units.reshape(shape)
    )


def _observed_sums(table: SpanTable, cell: IntArray, n_cells: int) -> FloatArray:
    """Σ δ² over annotator pairs, per (document, label) cell."""
    limit = _span_limit(table)
    sums = np.zeros(n_cells, dtype=np.float64)
    for i, j in overlap_pairs(cell, table.start, table.end, limit):
        other = table.annotator[i] != table.annotator[j]
        i, j = i[other], j[other]
        d_start = (table.start[i] - table.start[j]).astype(np.float64)
        d_end = (table.end[i] - table.end[j]).astype(np.float64)
        sums += np.bincount(
            cell[i], weights=d_start * d_start + d_end * d_end, minlength=n_cells
        )
    # A unit that overlaps nothing of another annotator lies in that
    # annotator's gap: it adds its squared length once for that annotator.
    by_annotator = cell * table.n_annotators + table.annotator
    order = np.lexsort((table.start, by_annotator))
    union = table.take(order)
    rows, _, hit = _covered_by_other(table, union, by_annotator[order], cell)
    lonely = rows[~hit]
    length = (table.end[lonely] - table.start[lonely]).astype(np.float64)
    sums += np.bincount(cell[lonely], weights=length * length, minlength=n_cells)
    return sums


def _expected_sums(table: SpanTable, cell: IntArray, n_cells: int) -> FloatArray:
    """L² D_e per (document, label) cell (see :func:`unitizing_components`)."""
    n_labels = max(table.n_labels, 1)
    doc_of_cell = np.arange(n_cells) // n_labels
    length_of_cell = table.lengths[doc_of_cell].astype(np.float64)
    raters = table.present.sum(axis=1)[doc_of_cell].astype(np.float64)
    unit_len = (table.end - table.start).astype(np.float64)
    n_units = np.bincount(cell, minlength=n_cells).astype(np.float64)
    squares = np.bincount(cell, weights=unit_len * (unit_len - 1.0), minlength=n_cells)
    gap_cell, gap_len = _gaps(table, cell)
    # annotators who saw the document but have no unit of this label: one gap
    # the length of the whole text
    coding = (
        np.unique(cell * table.n_annotators + table.annotator) // table.n_annotators
    )
    with_units = np.bincount(coding, minlength=n_cells)
    empty = raters - with_units
    limit = _span_limit(table) + 1
    key = gap_cell * limit + gap_len
    order = np.argsort(key, kind="stable")
    key, gap_len = key[order], gap_len[order]
    cumulative = np.concatenate([[0.0], np.cumsum(gap_len.astype(np.float64))])
    low = np.searchsorted(key, cell * limit + (table.end - table.start), side="left")
    high = np.searchsorted(key, (cell + 1) * limit, side="left")
    fitting = (high - low).astype(np.float64)
    room = cumulative[high] - cumulative[low] - (unit_len - 1.0) * fitting
    room += empty[cell] * (length_of_cell[cell] - unit_len + 1.0)
    per_unit = (n_units[cell] - 1.0) * unit_len * (unit_len - 1.0) * (
        2.0 * unit_len - 1.0
    ) / 3.0 + unit_len * unit_len * room
    totals = np.bincount(cell, weights=per_unit, minlength=n_cells)
    total_len = raters * length_of_cell
    denominator = total_len * (total_len - 1.0) - squares
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(
            (totals > 0) & (denominator > 0),
            2.0 * length_of_cell * totals / denominator,
            0.0,
        )
    return result


def _gaps(table: SpanTable, cell: IntArray) -> tuple[IntArray, IntArray]:
    """Stretches without a unit, per annotator having units in a cell."""
    by_annotator = cell * table.n_annotators + table.annotator
    order = np.lexsort((table.start, by_annotator))
    group, start, end = by_annotator[order], table.start[order], table.end[order]
    first = np.concatenate([[True], group[1:] != group[:-1]])
    last = np.concatenate([group[1:] != group[:-1], [True]])
    previous_end = np.concatenate([[0], end[:-1]])
    before = np.where(first, start, start - previous_end)
    length = table.lengths[table.doc[order]]
    after = np.where(last, length - end, 0)
    cells = group // table.n_annotators
    gap_cell = np.concatenate([cells, cells[last]])
    gap_len = np.concatenate([before, after[last]])
    keep = gap_len > 0
    return gap_cell[keep], gap_len[keep].astype(np.int64)


# --------------------------------------------------------------------------
# Span F1
# --------------------------------------------------------------------------


class F1Components(NamedTuple):
    """Per compared (document, annotator pair) row and label: the five sums
    F1_MATCH, F1_CREDIT_I, F1_CREDIT_J, F1_COUNT_I, F1_COUNT_J (i is the pair's
    first annotator, taken as the reference; j the second)."""

    doc: IntArray
    first: IntArray
    second: IntArray
    values: FloatArray  # rows x labels x 5


def pair_rows(table: SpanTable) -> tuple[IntArray, IntArray, IntArray]:
    """Every (document, annotator i < j) where both saw the document."""
    docs: list[IntArray] = []
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    for i in range(table.n_annotators):
        for j in range(i + 1, table.n_annotators):
            both = np.flatnonzero(table.present[:, i] & table.present[:, j])
            docs.append(both.astype(np.int64))
            firsts.append(np.full(both.shape[0], i, dtype=np.int64))
            seconds.append(np.full(both.shape[0], j, dtype=np.int64))
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    doc, first, second = (np.concatenate(x) for x in (docs, firsts, seconds))
    order = np.lexsort((second, first, doc))
    return doc[order], first[order], second[order]


def f1_components(table: SpanTable, merged: SpanTable | None = None) -> F1Components:
    """Exact matches and overlap credits for every compared annotator pair.

    ``merged`` may pass ``merge_overlaps(only_compared(table))`` if known."""
    n_ann, n_labels = table.n_annotators, max(table.n_labels, 1)
    doc, first, second = pair_rows(table)
    values = np.zeros((doc.shape[0], n_labels, 5), dtype=np.float64)
    if doc.shape[0] == 0:
        return F1Components(doc, first, second, values)
    row_key = (doc * n_ann + first) * n_ann + second
    merged = merge_overlaps(only_compared(table)) if merged is None else merged
    counts = np.bincount(
        (merged.doc * n_ann + merged.annotator) * n_labels + merged.label,
        minlength=table.n_docs * n_ann * n_labels,
    ).reshape(table.n_docs, n_ann, n_labels)
    values[:, :, F1_COUNT_I] = counts[doc, first]
    values[:, :, F1_COUNT_J] = counts[doc, second]
    flat = values.reshape(-1, 5)
    cell = merged.doc * n_labels + merged.label
    sorted_table, cell = _sorted(merged, cell)
    limit = _span_limit(table)
    for i, j in overlap_pairs(cell, sorted_table.start, sorted_table.end, limit):
        a, b = sorted_table.annotator[i], sorted_table.annotator[j]
        keep = a != b
        i, j, a, b = i[keep], j[keep], a[keep], b[keep]
        swap = a > b
        i, j = np.where(swap, j, i), np.where(swap, i, j)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        key = (sorted_table.doc[i] * n_ann + lo) * n_ann + hi
        target = np.searchsorted(row_key, key) * n_labels + sorted_table.label[i]
        s_i, e_i = sorted_table.start[i], sorted_table.end[i]
        s_j, e_j = sorted_table.start[j], sorted_table.end[j]
        overlap = (np.minimum(e_i, e_j) - np.maximum(s_i, s_j)).astype(np.float64)
        size = flat.shape[0]
        exact = ((s_i == s_j) & (e_i == e_j)).astype(np.float64)
        flat[:, F1_MATCH] += np.bincount(target, weights=exact, minlength=size)
        flat[:, F1_CREDIT_I] += np.bincount(
            target, weights=overlap / (e_i - s_i), minlength=size
        )
        flat[:, F1_CREDIT_J] += np.bincount(
            target, weights=overlap / (e_j - s_j), minlength=size
        )
    return F1Components(doc, first, second, values)


def f1_from_sums(sums: FloatArray, partial: bool) -> tuple[FloatArray, BoolArray]:
    """F1 (and whether it is defined: some span on either side) from the five
    sums on the last axis."""
    count_i, count_j = sums[..., F1_COUNT_I], sums[..., F1_COUNT_J]
    credit_j = sums[..., F1_CREDIT_J] if partial else sums[..., F1_MATCH]
    credit_i = sums[..., F1_CREDIT_I] if partial else sums[..., F1_MATCH]
    zeros = np.zeros_like(count_i)
    precision = np.divide(credit_j, count_j, out=zeros.copy(), where=count_j > 0)
    recall = np.divide(credit_i, count_i, out=zeros.copy(), where=count_i > 0)
    total = precision + recall
    f1: FloatArray = np.divide(
        2.0 * precision * recall, total, out=zeros.copy(), where=total > 0
    )
    defined: BoolArray = (count_i + count_j) > 0
    return f1, defined


# --------------------------------------------------------------------------
# Coding units
# --------------------------------------------------------------------------


class Segments(NamedTuple):
    """Runs of units over which no annotator's value changes.

    ``codes[a, s]`` is annotator a's label set on run s as a bit mask (bit k =
    label k covers it; 0 = none), or -1 when a did not see the document.
    """

    doc: IntArray
    weights: FloatArray
    codes: IntArray


def coding_segments(table: SpanTable, merged: SpanTable | None = None) -> Segments:
    """Cut every document (seen by two or more annotators) into runs.

    ``merged`` may pass ``merge_overlaps(only_compared(table))`` if known."""
    compared = compared_documents(table)
    docs = np.flatnonzero(compared).astype(np.int64)
    spans = only_compared(table)
    limit = _span_limit(table) + 1
    keys = np.sort(
        np.concatenate(
            [
                docs * limit,
                docs * limit + table.lengths[docs],
                spans.doc * limit + spans.start,
                spans.doc * limit + spans.end,
            ]
        )
    )
    if keys.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        codes = np.zeros((table.n_annotators, 0), dtype=np.int64)
        return Segments(empty, np.zeros(0, dtype=np.float64), codes)
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    seg_doc = keys // limit
    position = keys % limit
    same_doc = np.concatenate([seg_doc[1:] == seg_doc[:-1], [False]])
    step = np.concatenate([position[1:] - position[:-1], [0]])
    weights = np.where(same_doc, step, 0)
    merged = merge_overlaps(spans) if merged is None else merged
    width = keys.shape[0]
    opened = merged.annotator * width + np.searchsorted(
        keys, merged.doc * limit + merged.start
    )
    closed = merged.annotator * width + np.searchsorted(
        keys, merged.doc * limit + merged.end
    )
    size = table.n_annotators * width
    codes = np.zeros(size, dtype=np.int64)
    for k in range(table.n_labels):
        # spans of one label and annotator never overlap: coverage is 0 or 1
        mine = merged.label == k
        steps = np.bincount(opened[mine], minlength=size) - np.bincount(
            closed[mine], minlength=size
        )
        covered = np.cumsum(steps.reshape(table.n_annotators, width), axis=1) > 0
        codes |= covered.ravel().astype(np.int64) << k
    codes = np.where(
        table.present[seg_doc].T, codes.reshape(table.n_annotators, width), -1
    )
    keep = weights > 0
    return Segments(seg_doc[keep], weights[keep].astype(np.float64), codes[:, keep])
