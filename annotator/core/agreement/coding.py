"""Coding figures of the agreement report: labels at fixed positions.

Units are characters (``unit="char"``) or tokens (``unit="token"``,
:func:`annotator.core.tokens.tokenize`; a span covers every token it
overlaps), cut into runs over which no annotator's value changes
(:func:`annotator.core.agreement.units.coding_segments`); a run of weight
``w`` counts as ``w`` units.

* Overall, an annotator's value for a unit is the label covering it, or
  "none" (a unit one annotator covered with several labels gets that set of
  labels; ``n_multi_label_units`` counts them). Krippendorff's alpha, Fleiss'
  kappa, percent agreement and Cohen's kappa per pair are given over all units
  and over the units at least one compared annotator tagged. Over tagged units
  "both none" never occurs; with several labels the figures still measure
  agreement on which label, but when the tagged units carry only one label
  (value) the chance-corrected ones reduce to the per-label case below and
  are undefined (:data:`REASON_ONE_TAGGED_VALUE`).
* Per label, one present/absent layer: the scores over all units, and
  positive specific agreement (:func:`.measures.positive_agreement`) pooled
  over annotator pairs, with a bootstrap interval over documents. (Over only
  the units someone tagged, alpha of a present/absent layer is (1 - d) /
  (2n - d) for two annotators, <= 0 whenever they disagree: it is not given.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.agreement.bootstrap import percentile_interval, resample_weights
from annotator.core.agreement.measures import (
    REASON_ONE_ANNOTATOR,
    UndefinedAgreementError,
    alpha_of,
    coded_units,
    fleiss_of,
    percent_of,
    positive_agreement,
    weighted_cohen_kappa,
)
from annotator.core.agreement.results import (
    NONE_LABEL,
    CodingFigures,
    CodingScores,
    CodingSubsets,
    DocumentAnnotations,
    Estimate,
    LabelCoding,
    PairKappa,
    Unit,
    annotator_id,
)
from annotator.core.agreement.units import (
    Segments,
    SpanTable,
    as_triple,
    build_span_table,
)
from annotator.core.tokens import tokenize

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

REASON_NO_TAGGED = "no unit was tagged by any annotator"
REASON_ONE_TAGGED_VALUE = (
    "only one label among the tagged units, where this figure carries no "
    "information (see the label's positive specific agreement)"
)


@dataclass(frozen=True)
class Resampling:
    """How the report resamples documents (see :mod:`.bootstrap`)."""

    compared: BoolArray  # per document of the table: seen by two or more
    n_resamples: int
    seed: int
    confidence: float


def token_table(
    documents: Sequence[DocumentAnnotations], char_table: SpanTable
) -> SpanTable:
    """The same spans in token indices; a span covers every token it overlaps."""
    converted: list[tuple[int, dict[Any, list[tuple[int, int, str]]]]] = []
    for doc in documents:
        if doc.text is None:
            raise ValueError(
                f"document {doc.document_id!r}: token units need the document text"
            )
        tokens = tokenize(doc.text)
        starts = np.array([t[0] for t in tokens], dtype=np.int64)
        ends = np.array([t[1] for t in tokens], dtype=np.int64)
        by_annotator: dict[Any, list[tuple[int, int, str]]] = {}
        for annotator, spans in doc.annotations.items():
            triples = [as_triple(span) for span in spans]
            span_starts = np.array([t[0] for t in triples], dtype=np.int64)
            span_ends = np.array([t[1] for t in triples], dtype=np.int64)
            first = np.searchsorted(ends, span_starts, side="right")
            last = np.searchsorted(starts, span_ends, side="left")
            by_annotator[annotator] = [
                (int(f), int(t), triple[2])
                for f, t, triple in zip(first, last, triples, strict=True)
                if f < t
            ]
        converted.append((len(tokens), by_annotator))
    return build_span_table(converted, char_table.labels)


def coding_figures(
    table: SpanTable,
    segments: Segments,
    unit: Unit,
    n_annotators: int,
    resampling: Resampling,
) -> CodingFigures:
    """Every coding figure of ``segments`` (runs of ``unit``s, see the module
    docstring); intervals only for positive specific agreement."""
    domain, codes = _compact_codes(segments.codes)
    none_code = int(np.searchsorted(domain, 0))
    has_none = none_code < domain.shape[0] and int(domain[none_code]) == 0
    none_code = none_code if has_none else -2
    values = [_mask_name(int(v), table.labels) for v in domain]
    tagged = _tagged(codes, none_code)
    overall = CodingSubsets(
        all_units=_scores(codes, segments, values, _everything(codes), n_annotators),
        tagged_units=_scores(
            codes, segments, values, tagged, n_annotators, none_code=none_code
        ),
    )
    per_label = _per_label(table, segments, n_annotators, resampling)
    masks = segments.codes
    multi = ((masks > 0) & ((masks & (masks - 1)) != 0)).any(axis=0)
    pairable = (masks >= 0).sum(axis=0) >= 2
    return CodingFigures(
        unit=unit,
        overall=overall,
        per_label=per_label,
        cohen_kappa=_cohen_pairs(table, codes, segments, len(values), none_code),
        n_multi_label_units=int(segments.weights[multi & pairable].sum()),
    )


def _compact_codes(masks: IntArray) -> tuple[IntArray, IntArray]:
    """Label-set masks actually used (ascending) and each mask's rank among them."""
    present = masks >= 0
    used = masks[present]
    if used.size and int(used.max()) < 1 << 20:
        seen = np.bincount(used) > 0  # linear, unlike a sort over millions
        rank = np.cumsum(seen) - 1
        domain = np.flatnonzero(seen).astype(np.int64)
        inverse = rank[used]
    else:
        domain, inverse = np.unique(used, return_inverse=True)
    codes = np.full(masks.shape, -1, dtype=np.int64)
    codes[present] = inverse
    return domain, codes


def _distinct(sorted_values: IntArray) -> int:
    """How many different values a sorted array holds."""
    if sorted_values.shape[0] == 0:
        return 0
    return int(np.count_nonzero(sorted_values[1:] != sorted_values[:-1])) + 1


def _mask_name(mask: int, labels: Sequence[str]) -> str:
    if mask == 0:
        return NONE_LABEL
    return "+".join(label for k, label in enumerate(labels) if mask >> k & 1)


def _tagged(codes: IntArray, none_code: int) -> BoolArray:
    """Units that at least one annotator gave a value other than none."""
    result: BoolArray = ((codes >= 0) & (codes != none_code)).any(axis=0)
    return result


def _everything(codes: IntArray) -> BoolArray:
    return np.ones(codes.shape[1], dtype=np.bool_)


def _scores(
    codes: IntArray,
    segments: Segments,
    values: list[str],
    chosen: BoolArray,
    n_annotators: int,
    none_code: int | None = None,
) -> CodingScores:
    """The scores over the ``chosen`` units; with ``none_code`` these are the
    tagged units, and a single label value there leaves alpha and kappa out."""
    pairable = chosen & ((codes >= 0).sum(axis=0) >= 2)
    units = coded_units(codes[:, pairable], segments.weights[pairable])
    n = {
        "n_documents": _distinct(segments.doc[pairable]),
        "n_units": int(units.weights.sum()),
        "n_annotators": n_annotators,
    }
    empty_reason = None if none_code is None else REASON_NO_TAGGED
    one_value = none_code is not None and _one_tagged_value(units.codes, none_code)
    chance = _one_value_reason if one_value else _try
    return CodingScores(
        krippendorff_alpha=chance(alpha_of, (units, values), n, empty_reason),
        fleiss_kappa=chance(fleiss_of, (units, len(values)), n, empty_reason),
        percent_agreement=_try(percent_of, (units,), n, empty_reason),
    )


def _one_tagged_value(codes: IntArray, none_code: int) -> bool:
    """Whether the (tagged) units carry exactly one value other than none."""
    used = codes[(codes >= 0) & (codes != none_code)]
    return bool(used.size) and bool((used == used[0]).all())


def _one_value_reason(
    compute: Callable[..., float],
    args: tuple[Any, ...],
    n: dict[str, int],
    empty_reason: str | None,
) -> Estimate:
    """Like :func:`_try` for a chance-corrected figure that would be degenerate."""
    found = _try(compute, args, n, empty_reason)
    if found.reason == REASON_ONE_ANNOTATOR:
        return found
    counts = (n["n_documents"], n["n_units"], n["n_annotators"])
    return Estimate(None, REASON_ONE_TAGGED_VALUE, None, None, *counts)


def _try(
    compute: Callable[..., float],
    args: tuple[Any, ...],
    n: dict[str, int],
    empty_reason: str | None,
) -> Estimate:
    """The figure, or None with the reason it cannot be computed."""
    counts = (n["n_documents"], n["n_units"], n["n_annotators"])
    try:
        return Estimate(compute(*args), None, None, None, *counts)
    except UndefinedAgreementError as error:
        reason = error.reason
    if n["n_annotators"] < 2:
        reason = REASON_ONE_ANNOTATOR
    elif n["n_units"] == 0 and empty_reason is not None:
        reason = empty_reason
    return Estimate(None, reason, None, None, *counts)


def _cohen_pairs(
    table: SpanTable,
    codes: IntArray,
    segments: Segments,
    n_values: int,
    none_code: int,
) -> tuple[PairKappa, ...]:
    result: list[PairKappa] = []
    for i in range(table.n_annotators):
        for j in range(i + 1, table.n_annotators):
            both = (codes[i] >= 0) & (codes[j] >= 0)
            if not bool(both.any()):
                continue
            tagged = both & ((codes[i] != none_code) | (codes[j] != none_code))
            figures = []
            for chosen, empty_reason in ((both, None), (tagged, REASON_NO_TAGGED)):
                weights = np.where(chosen, segments.weights, 0.0)
                n = {
                    "n_documents": _distinct(segments.doc[chosen]),
                    "n_units": int(weights.sum()),
                    "n_annotators": 2,
                }
                args = (codes[i], codes[j], weights, max(n_values, 1))
                pair_codes = np.stack([codes[i][chosen], codes[j][chosen]])
                one_value = empty_reason is not None and _one_tagged_value(
                    pair_codes, none_code
                )
                chance = _one_value_reason if one_value else _try
                figures.append(chance(weighted_cohen_kappa, args, n, empty_reason))
            pair = (
                annotator_id(table.annotators[i]),
                annotator_id(table.annotators[j]),
            )
            result.append(PairKappa(pair, figures[0], figures[1]))
    return tuple(result)


# --------------------------------------------------------------------------
# Positive specific agreement per label
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _LabelUse:
    """One label's pair counts, in total and per document of the table."""

    pairs: list[tuple[float, float, float]]  # per annotator pair: a, b, c
    shared: FloatArray  # per document: sum over pairs of 2a
    used: FloatArray  # per document: sum over pairs of 2a + b + c


def _label_use(layer: IntArray, segments: Segments, n_docs: int) -> _LabelUse:
    """Pair counts of a present (1) / absent (0) / unseen (-1) layer."""
    pairs: list[tuple[float, float, float]] = []
    shared = np.zeros(n_docs, dtype=np.float64)
    used = np.zeros(n_docs, dtype=np.float64)
    for i in range(layer.shape[0]):
        for j in range(i + 1, layer.shape[0]):
            both = (layer[i] >= 0) & (layer[j] >= 0)
            # per document: weight of (absent, absent), (absent, present),
            # (present, absent), (present, present) in one bincount
            key = segments.doc[both] * 4 + layer[i][both] * 2 + layer[j][both]
            counts = np.bincount(
                key, weights=segments.weights[both], minlength=n_docs * 4
            ).reshape(n_docs, 4)
            a, b, c = counts[:, 3], counts[:, 2], counts[:, 1]
            pairs.append((float(a.sum()), float(b.sum()), float(c.sum())))
            shared += 2.0 * a
            used += 2.0 * a + b + c
    return _LabelUse(pairs, shared, used)


def _per_label(
    table: SpanTable, segments: Segments, n_annotators: int, resampling: Resampling
) -> dict[str, LabelCoding]:
    """Each label's layer: scores over all units, and positive specific
    agreement with intervals from one pass over the resamples."""
    layers = [
        np.where(segments.codes >= 0, (segments.codes >> k) & 1, -1)
        for k in range(table.n_labels)
    ]
    uses = [
        _label_use(layer, segments, resampling.compared.shape[0]) for layer in layers
    ]
    intervals = _intervals(uses, resampling)
    pairable = (segments.codes >= 0).sum(axis=0) >= 2
    result: dict[str, LabelCoding] = {}
    for label, layer, use, interval in zip(
        table.labels, layers, uses, intervals, strict=True
    ):
        everything = _everything(layer)
        result[label] = LabelCoding(
            all_units=_scores(
                layer, segments, [NONE_LABEL, label], everything, n_annotators
            ),
            positive_agreement=_positive_agreement(
                layer[:, pairable], segments, pairable, use, n_annotators, interval
            ),
        )
    return result


def _positive_agreement(
    layer: IntArray,
    segments: Segments,
    pairable: BoolArray,
    use: _LabelUse,
    n_annotators: int,
    interval: tuple[float | None, float | None],
) -> Estimate:
    """Positive specific agreement of one label's layer (its ``pairable``
    units), pooled over pairs; ``n_units`` counts the units given the label."""
    given = (layer == 1).any(axis=0)
    n = {
        "n_documents": _distinct(segments.doc[pairable][given]),
        "n_units": int(segments.weights[pairable][given].sum()),
        "n_annotators": n_annotators,
    }
    try:
        value = positive_agreement(use.pairs)
    except UndefinedAgreementError as error:
        reason = REASON_ONE_ANNOTATOR if n_annotators < 2 else error.reason
        return Estimate(None, reason, **n)
    return Estimate(value, None, interval[0], interval[1], **n)


def _intervals(
    uses: Sequence[_LabelUse], resampling: Resampling
) -> list[tuple[float | None, float | None]]:
    """Per label, the percentile interval of sum 2a / sum (2a + b + c) over
    the resampled lists of compared documents."""
    if not uses:
        return []
    shared = np.stack([use.shared for use in uses], axis=1)[resampling.compared]
    used = np.stack([use.used for use in uses], axis=1)[resampling.compared]
    values: list[FloatArray] = []
    defined: list[BoolArray] = []
    draws = resample_weights(shared.shape[0], resampling.n_resamples, resampling.seed)
    for weights in draws:
        total = weights @ used
        ok = total > 0
        ratio = np.divide(weights @ shared, total, out=np.zeros_like(total), where=ok)
        values.append(ratio)
        defined.append(ok)
    if not values:
        return [(None, None)] * len(uses)
    drawn, drawn_ok = np.concatenate(values), np.concatenate(defined)
    return [
        percentile_interval(drawn[:, k], drawn_ok[:, k], resampling.confidence)
        for k in range(len(uses))
    ]
