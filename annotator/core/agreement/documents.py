"""The agreement report's parts counted in the review page's groups: the
label confusion and the per-document list.

Both come from the alignment the review page uses
(:func:`annotator.core.diff.group_spans`, through
:mod:`annotator.core.agreement.groups`, where the counting rule is stated):
the confusion counts labels per group and annotator pair, and documents are
listed by :func:`annotator.core.diff.disagreement_rank` (most disagreeing
groups first, then their larger share; ties in input order), as the review
queue lists them. Each entry also carries the document's span F1 and alpha-u.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.agreement.groups import (
    AlignedGroups,
    confusion_from_groups,
    group_counts,
)
from annotator.core.agreement.measures import REASON_NO_SPANS, REASON_ONE_ANNOTATOR
from annotator.core.agreement.results import (
    NONE_LABEL,
    DocumentDisagreement,
    DocumentId,
    LabelConfusion,
)
from annotator.core.agreement.units import (
    F1Components,
    SpanTable,
    UnitizingComponents,
    f1_from_sums,
)
from annotator.core.diff import KINDS, disagreement_rank

FloatArray: TypeAlias = npt.NDArray[np.float64]


def label_confusion(table: SpanTable, groups: AlignedGroups) -> LabelConfusion:
    """Label against label over the groups and ordered annotator pairs."""
    counts = confusion_from_groups(groups, table.n_labels)
    return LabelConfusion(
        rows=table.labels,
        columns=(*table.labels, NONE_LABEL),
        counts=tuple(tuple(int(c) for c in row) for row in counts),
    )


def document_list(
    ids: Sequence[DocumentId],
    table: SpanTable,
    groups: AlignedGroups,
    unitizing_parts: UnitizingComponents,
    f1_parts: F1Components,
) -> tuple[DocumentDisagreement, ...]:
    """Every document's figures, in the review queue's order."""
    n_docs = table.n_docs
    sums = f1_parts.values.sum(axis=1)
    totals: dict[bool, tuple[FloatArray, FloatArray]] = {}
    for partial in (False, True):
        f1, defined = f1_from_sums(sums, partial)
        total = np.bincount(
            f1_parts.doc, weights=np.where(defined, f1, 0.0), minlength=n_docs
        ).astype(np.float64)
        count = np.bincount(
            f1_parts.doc, weights=defined.astype(np.float64), minlength=n_docs
        ).astype(np.float64)
        totals[partial] = (total, count)
    observed = unitizing_parts.observed.sum(axis=1)
    expected = unitizing_parts.expected.sum(axis=1)
    raters = table.present.sum(axis=1)
    spans = np.bincount(table.doc, minlength=n_docs)
    n_groups, n_disagreeing, per_kind = group_counts(groups, n_docs)
    by_kind = list(zip(KINDS, per_kind, strict=True))
    entries: list[DocumentDisagreement] = []
    for d in range(n_docs):
        exact = _mean_or_none(*totals[False], d)
        partial_f1 = _mean_or_none(*totals[True], d)
        alpha = 1.0 - observed[d] / expected[d] if expected[d] > 0 else None
        reason = None
        if raters[d] < 2:
            reason = REASON_ONE_ANNOTATOR
        elif partial_f1 is None:
            reason = REASON_NO_SPANS
        entries.append(
            DocumentDisagreement(
                document_id=ids[d],
                disagreement=None if partial_f1 is None else 1.0 - partial_f1,
                f1_partial=partial_f1,
                f1_exact=exact,
                alpha_u=None if alpha is None else float(alpha),
                n_annotators=int(raters[d]),
                n_spans=int(spans[d]),
                reason=reason,
                n_groups=int(n_groups[d]),
                n_disagreeing_groups=int(n_disagreeing[d]),
                group_kinds={kind: int(counts[d]) for kind, counts in by_kind},
            )
        )
    order = sorted(
        range(n_docs),
        key=lambda d: (
            *disagreement_rank(int(n_disagreeing[d]), int(n_groups[d])),
            d,
        ),
    )
    return tuple(entries[d] for d in order)


def _mean_or_none(total: FloatArray, count: FloatArray, d: int) -> float | None:
    if count[d] <= 0:
        return None
    return float(total[d] / count[d])
