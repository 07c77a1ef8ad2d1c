"""The agreement report's view of :func:`annotator.core.diff.align`.

The review page shows each document's spans as the groups ``align`` makes;
the report's label confusion and per-document disagreement counts are
computed from exactly those groups (one alignment, in ``core.diff``), so that
"claim vs hedge: 12" on the agreement page is 12 claim/hedge disagreements a
reviewer finds in the review page's groups.

Counting rule of :func:`confusion_from_groups`. In a group, each annotator's
*labels there* are the set of labels of their spans in it (a label drawn
twice, or on two spans, counts once). For every ordered pair ``(a, b)`` of
different annotators who saw the document, each label ``x`` of ``a``'s is
counted once:

* in column ``x`` (the diagonal) if ``b`` gave ``x`` there too;
* in column ``none`` if ``b`` has no span in the group (the group is then
  :attr:`GroupKind.PARTIAL <annotator.core.diff.GroupKind.PARTIAL>` and ``b``
  one of its missing annotators);
* otherwise once in the column of each label ``b`` gave there (all differ
  from ``x``: a label disagreement the reviewer sees in that group).

So cell ``[x][y]`` (``x != y``) counts, over all groups, the ordered pairs
of annotators of whom the first gave ``x`` there and the second gave ``y``
but not ``x``; ``none[x]`` is, summed over the PARTIAL groups, the number of
annotators who gave ``x`` there times the number of annotators missing from
the group. The diagonal counts the ordered pairs who both gave ``x`` in a
group: two annotators agreeing on a claim count 2, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.agreement.units import SpanTable
from annotator.core.diff import (
    KINDS,
    GroupKind,
    distinct_sorted,
    group_spans,
    is_member,
)

IntArray: TypeAlias = npt.NDArray[np.int64]

SAME_CODE = KINDS.index(GroupKind.SAME)


@dataclass(frozen=True, eq=False)
class AlignedGroups:
    """Every document's groups, numbered across the table in document and
    text order, plus one row per (group, annotator, label given there)."""

    doc: IntArray  # per group: its document
    kind: IntArray  # per group: its kind's position in KINDS
    missing: IntArray  # per group: annotators who saw the document, no span here
    row_group: IntArray  # per row, sorted by (group, annotator, label)
    row_annotator: IntArray
    row_label: IntArray

    @property
    def n_groups(self) -> int:
        return int(self.doc.shape[0])


def aligned_groups(table: SpanTable) -> AlignedGroups:
    """:func:`annotator.core.diff.group_spans` on every document of ``table``:
    the annotators who saw it and their spans of the table's labels."""
    n_present = table.present.sum(axis=1).astype(np.int64)
    found = group_spans(
        table.doc, table.annotator, table.start, table.end, table.label, n_present
    )
    width = max(table.n_annotators, 1) * max(table.n_labels, 1)
    keys = distinct_sorted(
        found.row_group * width + table.annotator * max(table.n_labels, 1) + table.label
    )
    return AlignedGroups(
        doc=found.doc,
        kind=found.kind,
        missing=n_present[found.doc] - found.n_annotators,
        row_group=keys // width,
        row_annotator=keys % width // max(table.n_labels, 1),
        row_label=keys % max(table.n_labels, 1),
    )


def confusion_from_groups(groups: AlignedGroups, n_labels: int) -> IntArray:
    """labels x (labels + 1) counts by the rule in the module docstring."""
    counts = np.zeros((n_labels, n_labels + 1), dtype=np.int64)
    n_annotators = int(groups.row_annotator.max(initial=-1)) + 1
    pair_key = groups.row_group * n_annotators + groups.row_annotator  # sorted
    for x in range(n_labels):
        with_x = groups.row_label == x
        # per group: how many annotators gave x there
        givers = np.bincount(groups.row_group[with_x], minlength=groups.n_groups)
        counts[x, x] = int((givers * (givers - 1)).sum())
        counts[x, n_labels] = int((givers * groups.missing).sum())
        # rows (group, b, y) of annotators b without x: each giver of x meets y
        has_x = is_member(pair_key, pair_key[with_x])
        weights = np.where(has_x, 0, givers[groups.row_group]).astype(np.float64)
        counts[x, :n_labels] += np.bincount(
            groups.row_label, weights=weights, minlength=n_labels
        ).astype(np.int64)
    return counts


def group_counts(
    groups: AlignedGroups, n_docs: int
) -> tuple[IntArray, IntArray, Sequence[IntArray]]:
    """Per document: groups, disagreeing groups (not SAME), and groups of each
    kind in KINDS order."""
    total = np.bincount(groups.doc, minlength=n_docs).astype(np.int64)
    by_kind = [
        np.bincount(groups.doc[groups.kind == k], minlength=n_docs).astype(np.int64)
        for k in range(len(KINDS))
    ]
    return total, total - by_kind[SAME_CODE], by_kind
