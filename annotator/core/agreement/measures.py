"""Agreement coefficients as pure functions.

Two families, kept apart in names:

* coding (labels at fixed positions): :func:`krippendorff_alpha`,
  :func:`cohen_kappa`, :func:`fleiss_kappa`, :func:`percent_agreement`, and
  for one label :func:`positive_agreement` (from pair counts) and
  :func:`positive_specific_agreement` (from coded rows);
* unitizing (annotators draw their own boundaries): :func:`unitizing_alpha`
  (Krippendorff's alpha-u) and :func:`span_f1` (exact or overlap-weighted).

A coefficient that cannot be computed (one annotator, no spans, no variation)
raises :class:`UndefinedAgreementError`, whose ``reason`` is a plain-language
sentence a page can show; no function here returns NaN.

The ``_weighted_*`` helpers take integer value codes (one row per annotator,
``-1`` for a missing value) and one weight per column: a column of weight ``w``
counts as ``w`` identical units. The report uses them on runs of characters or
tokens that every annotator coded alike, which is why they exist.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Literal, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.agreement.units import (
    SpanTriple,
    build_span_table,
    merge_same_label,
    unitizing_components,
)

IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

REASON_ONE_ANNOTATOR = "only one annotator"
REASON_NO_SPANS = "no spans"
REASON_NO_LABEL_SPANS = "no spans with this label"
REASON_NO_VARIATION = "no variation: every unit has the same value"
REASON_NO_PAIRABLE = "no unit was coded by two annotators"
REASON_NO_UNITS = "no units"
REASON_LABEL_UNUSED = "no annotator used this label"
REASON_UNEQUAL_RATERS = (
    "units have different numbers of annotators (Fleiss' kappa needs the same "
    "number on every unit)"
)


class UndefinedAgreementError(ValueError):
    """A coefficient has no value for these data; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SpanF1(NamedTuple):
    precision: float
    recall: float
    f1: float


# --------------------------------------------------------------------------
# Coding: value codes
# --------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _codes_from_objects(
    rows: Sequence[Sequence[Any]], level: Level
) -> tuple[IntArray, list[Any]]:
    """Map arbitrary hashable values to codes in Python (lists, object arrays)."""
    lookup: dict[Hashable, int] = {}
    coded: list[list[int]] = []
    for row in rows:
        coded.append(
            [-1 if _is_missing(v) else lookup.setdefault(v, len(lookup)) for v in row]
        )
    domain: list[Any] = list(lookup)
    width = len(coded[0]) if coded else 0
    codes = np.array(coded, dtype=np.int64).reshape(len(rows), width)
    if level != "nominal":
        try:
            order = sorted(range(len(domain)), key=lambda i: float(domain[i]))
        except (TypeError, ValueError) as error:
            raise ValueError(f"level={level!r} needs numeric values") from error
        remap = np.empty(len(domain), dtype=np.int64)
        remap[order] = np.arange(len(domain))
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        domain = [domain[i] for i in order]
    return codes, domain


def _codes_from_numbers(data: npt.NDArray[Any]) -> tuple[IntArray, FloatArray]:
    """Codes for a numeric array, NaN meaning missing; domain sorted ascending."""
    if data.dtype.kind == "f":
        present = ~np.isnan(data)
        values = data[present]
    else:
        present = np.ones(data.shape, dtype=np.bool_)
        values = data.ravel()
    codes = np.full(data.shape, -1, dtype=np.int64)
    if values.size == 0:
        return codes, np.zeros(0, dtype=np.float64)
    low, high = values.min(), values.max()
    integral = high - low < 1_000_000 and bool(np.all(values == np.floor(values)))
    if integral:
        # Counting sort: linear, and much faster than np.unique on millions.
        shifted = (values - low).astype(np.int64)
        seen = np.bincount(shifted) > 0
        rank = np.cumsum(seen) - 1
        codes[present] = rank[shifted]
        domain = (np.flatnonzero(seen) + low).astype(np.float64)
    else:
        domain_raw, inverse = np.unique(values, return_inverse=True)
        codes[present] = inverse
        domain = domain_raw.astype(np.float64)
    return codes, domain


def value_codes(
    reliability_data: Any, level: Level = "nominal"
) -> tuple[IntArray, list[Any]]:
    """Codes (annotators x units, -1 missing) and the value for each code."""
    if isinstance(reliability_data, np.ndarray) and reliability_data.dtype.kind in (
        "f",
        "i",
        "u",
        "b",
    ):
        data = reliability_data
        if data.ndim != 2:
            raise ValueError("reliability_data must be 2-D: annotators x units")
        codes, domain = _codes_from_numbers(data)
        return codes, domain.tolist()
    rows = [list(row) for row in reliability_data]
    if len({len(row) for row in rows}) > 1:
        raise ValueError("every annotator's row must have one value per unit")
    return _codes_from_objects(rows, level)


# --------------------------------------------------------------------------
# Coding: weighted statistics over value codes
# --------------------------------------------------------------------------


class CodedUnits(NamedTuple):
    """The units that at least two annotators coded, with what every coefficient
    needs from them."""

    codes: IntArray  # annotators x pairable units, -1 missing
    weights: FloatArray
    raters: IntArray  # values per unit (>= 2)
    agreeing: IntArray  # unordered annotator pairs giving the same value


def coded_units(codes: IntArray, weights: FloatArray) -> CodedUnits:
    """Keep the pairable units (two or more values, positive weight)."""
    raters = (codes >= 0).sum(axis=0)
    keep = (raters >= 2) & (weights > 0)
    if not bool(keep.all()):
        codes, weights, raters = codes[:, keep], weights[keep], raters[keep]
    agreeing = np.zeros(codes.shape[1], dtype=np.int64)
    for i in range(codes.shape[0]):
        for j in range(i + 1, codes.shape[0]):
            agreeing += (codes[i] == codes[j]) & (codes[i] >= 0)
    return CodedUnits(codes, weights, raters.astype(np.int64), agreeing)


def _coincidences(units: CodedUnits, n_values: int) -> FloatArray:
    """Krippendorff's coincidence matrix o[c, k], one annotator pair at a time."""
    size = n_values * n_values
    scale = units.weights / (units.raters - 1)
    half = np.zeros(size, dtype=np.float64)
    codes = units.codes
    for i in range(codes.shape[0]):
        for j in range(i + 1, codes.shape[0]):
            both = (codes[i] >= 0) & (codes[j] >= 0)
            if bool(both.all()):
                index, weight = codes[i] * n_values + codes[j], scale
            else:
                index, weight = codes[i][both] * n_values + codes[j][both], scale[both]
            half += np.bincount(index, weights=weight, minlength=size)
    matrix = half.reshape(n_values, n_values)
    result: FloatArray = matrix + matrix.T
    return result


def _distances(level: Level, domain: Sequence[Any], totals: FloatArray) -> FloatArray:
    """Squared distance between every two values (Krippendorff 2011, sec. E)."""
    n = len(domain)
    if level == "nominal":
        return 1.0 - np.eye(n)
    values = np.asarray([float(v) for v in domain], dtype=np.float64)
    if level == "interval":
        diff = values[:, None] - values[None, :]
        result: FloatArray = diff * diff
        return result
    if level == "ratio":
        sums = values[:, None] + values[None, :]
        diffs = values[:, None] - values[None, :]
        ratio = np.divide(diffs, sums, out=np.zeros((n, n)), where=sums != 0)
        result = ratio * ratio
        return result
    # ordinal: sum of the marginals from c to k, minus half of the two ends
    cumulative = np.concatenate([[0.0], np.cumsum(totals)])
    low = np.minimum.outer(np.arange(n), np.arange(n))
    high = np.maximum.outer(np.arange(n), np.arange(n))
    between = cumulative[high + 1] - cumulative[low]
    result = (between - (totals[:, None] + totals[None, :]) / 2.0) ** 2
    return result


def alpha_of(
    units: CodedUnits, domain: Sequence[Any], level: Level = "nominal"
) -> float:
    """Krippendorff's alpha of pairable units (see :func:`coded_units`)."""
    if units.codes.shape[0] < 2:
        raise UndefinedAgreementError(REASON_ONE_ANNOTATOR)
    if units.weights.size == 0:
        raise UndefinedAgreementError(REASON_NO_PAIRABLE)
    observed = _coincidences(units, len(domain))
    totals = observed.sum(axis=0)
    n = totals.sum()
    expected = (np.outer(totals, totals) - np.diag(totals)) / (n - 1.0)
    delta = _distances(level, domain, totals)
    disagreement_expected = float((expected * delta).sum())
    if disagreement_expected <= 0.0:
        raise UndefinedAgreementError(REASON_NO_VARIATION)
    return 1.0 - float((observed * delta).sum()) / disagreement_expected


def percent_of(units: CodedUnits) -> float:
    """Observed agreement A_o = 1 - D_o (Krippendorff 2004: 230): the share of
    pairable values whose pairs agree; a unit counts as many times as it has
    values (with every unit coded by all annotators, the plain mean)."""
    if units.weights.size == 0:
        raise UndefinedAgreementError(REASON_NO_PAIRABLE)
    agreeing = 2.0 * units.agreeing / (units.raters - 1.0) * units.weights
    return float(agreeing.sum() / (units.raters * units.weights).sum())


def _fleiss(
    agreement_sum: float, total_weight: float, column_totals: FloatArray, raters: int
) -> float:
    """Fleiss' kappa from sum_i w_i P_i, sum_i w_i and the weighted column totals."""
    grand = total_weight * raters
    chance_num = float((column_totals * column_totals).sum())
    if chance_num >= grand * grand:
        raise UndefinedAgreementError(REASON_NO_VARIATION)
    chance = chance_num / (grand * grand)
    observed = agreement_sum / total_weight
    return (observed - chance) / (1.0 - chance)


def fleiss_of(units: CodedUnits, n_values: int) -> float:
    """Fleiss' kappa of pairable units; every unit needs as many values."""
    if units.codes.shape[0] < 2:
        raise UndefinedAgreementError(REASON_ONE_ANNOTATOR)
    if units.weights.size == 0:
        raise UndefinedAgreementError(REASON_NO_PAIRABLE)
    raters = int(units.raters[0])
    if bool(np.any(units.raters != raters)):
        raise UndefinedAgreementError(REASON_UNEQUAL_RATERS)
    per_unit = units.agreeing * 2.0 / (raters * (raters - 1.0))
    columns = np.zeros(n_values, dtype=np.float64)
    for row in units.codes:
        # every unit has all `raters` values, but not always from the same rows
        present = row >= 0
        columns += np.bincount(
            row[present], weights=units.weights[present], minlength=n_values
        )
    return _fleiss(
        float((per_unit * units.weights).sum()),
        float(units.weights.sum()),
        columns,
        raters,
    )


def weighted_alpha(
    codes: IntArray,
    weights: FloatArray,
    domain: Sequence[Any],
    level: Level = "nominal",
) -> float:
    """Krippendorff's alpha over coded columns of the given weights."""
    return alpha_of(coded_units(codes, weights), domain, level)


def weighted_percent_agreement(codes: IntArray, weights: FloatArray) -> float:
    """Observed agreement (see :func:`percent_of`) over weighted columns."""
    return percent_of(coded_units(codes, weights))


def weighted_fleiss_kappa(codes: IntArray, weights: FloatArray, n_values: int) -> float:
    """Fleiss' kappa over units with two or more values; all need as many."""
    return fleiss_of(coded_units(codes, weights), n_values)


def weighted_cohen_kappa(
    first: IntArray, second: IntArray, weights: FloatArray, n_values: int
) -> float:
    """Cohen's kappa of two code rows over units both coded (weights per unit)."""
    both = (first >= 0) & (second >= 0) & (weights > 0)
    w = weights[both]
    total = float(w.sum())
    if total <= 0.0:
        raise UndefinedAgreementError(REASON_NO_PAIRABLE)
    table = np.bincount(
        first[both] * n_values + second[both], weights=w, minlength=n_values**2
    ).reshape(n_values, n_values)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    chance_num = float((rows * cols).sum())
    if chance_num >= total * total:
        raise UndefinedAgreementError(REASON_NO_VARIATION)
    observed = float(np.trace(table)) / total
    chance = chance_num / (total * total)
    return (observed - chance) / (1.0 - chance)


# --------------------------------------------------------------------------
# Coding: public functions
# --------------------------------------------------------------------------


def krippendorff_alpha(reliability_data: Any, level: Level = "nominal") -> float:
    """Krippendorff's alpha; one row per annotator, one column per unit, None
    (or NaN in a float array) where an annotator gave no value."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    codes, domain = value_codes(reliability_data, level)
    weights = np.ones(codes.shape[1], dtype=np.float64)
    return weighted_alpha(codes, weights, domain, level)


def percent_agreement(reliability_data: Any) -> float:
    """Observed agreement (Krippendorff's A_o = 1 - D_o): the share of agreeing
    annotator pairs, over units coded by two or more annotators, each unit
    weighted by its number of values (same layout as :func:`krippendorff_alpha`)."""
    codes, _ = value_codes(reliability_data)
    return weighted_percent_agreement(codes, np.ones(codes.shape[1]))


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two equal-length label sequences; positions where either
    value is None are left out."""
    if len(a) != len(b):
        raise ValueError(f"sequences differ in length ({len(a)} != {len(b)})")
    codes, domain = value_codes([list(a), list(b)])
    weights = np.ones(codes.shape[1], dtype=np.float64)
    return weighted_cohen_kappa(codes[0], codes[1], weights, max(len(domain), 1))


def fleiss_kappa(table: Any) -> float:
    """Fleiss' kappa of a units x categories table of counts; every row must sum
    to the same number of annotators (at least two)."""
    counts = np.asarray(table, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError("table must be 2-D: units x categories")
    if counts.size == 0 or counts.shape[0] == 0:
        raise UndefinedAgreementError(REASON_NO_UNITS)
    if bool(np.any(counts < 0)) or bool(np.any(counts != np.floor(counts))):
        raise ValueError("table must hold non-negative whole counts")
    raters_per_unit = counts.sum(axis=1)
    raters = int(raters_per_unit[0])
    if bool(np.any(raters_per_unit != raters)):
        raise UndefinedAgreementError(REASON_UNEQUAL_RATERS)
    if raters < 2:
        raise UndefinedAgreementError(REASON_ONE_ANNOTATOR)
    per_unit = ((counts * counts).sum(axis=1) - raters) / (raters * (raters - 1.0))
    return _fleiss(
        float(per_unit.sum()), float(counts.shape[0]), counts.sum(axis=0), raters
    )


def positive_agreement(pairs: Iterable[tuple[float, float, float]]) -> float:
    """Positive specific agreement on one label, pooled over annotator pairs.

    Each pair gives ``(a, b, c)``: units both annotators gave the label, and
    units only the first or only the second did (counts or unit weights, >= 0;
    units neither gave it do not enter). For one pair, PSA = 2a / (2a + b + c)
    (Fleiss 1975, Biometrics 31: 651-659; Cicchetti & Feinstein 1990, J Clin
    Epidemiol 43: 551-558), the F1 of either annotator against the other
    (Hripcsak & Rothschild 2005, JAMIA 12: 296-298). Several pairs pool their
    counts: sum 2a / sum (2a + b + c), the share of the label's uses that
    another annotator of the same unit shares. In [0, 1]: 1 when every use is
    shared, 0 when none is. Raises when no pair has any use of the label.
    """
    shared = unshared = 0.0
    for both, only_first, only_second in pairs:
        if min(both, only_first, only_second) < 0:
            raise ValueError("pair counts must be >= 0")
        shared += 2.0 * both
        unshared += only_first + only_second
    if shared + unshared <= 0.0:
        raise UndefinedAgreementError(REASON_LABEL_UNUSED)
    return shared / (shared + unshared)


def _uses(value: object, label: Hashable) -> bool:
    if isinstance(value, set | frozenset):
        return label in value
    return value == label


def positive_specific_agreement(reliability_data: Any, label: Hashable) -> float:
    """Positive specific agreement on ``label`` (:func:`positive_agreement`),
    pooled over every annotator pair, counted on the units both coded; rows as
    in :func:`krippendorff_alpha` (a value uses the label if it equals it or is
    a set holding it)."""
    rows = [list(row) for row in reliability_data]
    if len({len(row) for row in rows}) > 1:
        raise ValueError("every annotator's row must have one value per unit")
    if len(rows) < 2:
        raise UndefinedAgreementError(REASON_ONE_ANNOTATOR)
    counts: list[tuple[float, float, float]] = []
    for i, first in enumerate(rows):
        for second in rows[i + 1 :]:
            a = b = c = 0
            for x, y in zip(first, second, strict=True):
                if _is_missing(x) or _is_missing(y):
                    continue
                used = (_uses(x, label), _uses(y, label))
                a += used == (True, True)
                b += used == (True, False)
                c += used == (False, True)
            counts.append((a, b, c))
    return positive_agreement(counts)


# --------------------------------------------------------------------------
# Unitizing: public functions
# --------------------------------------------------------------------------

UnitTuple: TypeAlias = tuple[Hashable, int, int, str]


def unitizing_disagreements(
    length: int,
    units: Iterable[UnitTuple],
    *,
    annotators: Iterable[Hashable] = (),
) -> dict[str, tuple[float, float]]:
    """Observed and expected disagreement (D_o, D_e) of alpha-u for each label.

    ``units`` are ``(annotator, start, end, label)`` in code points, end
    exclusive, on the continuum ``[0, length)``. ``annotators`` names annotators
    who marked nothing (they still count). An annotator's later unit that
    overlaps an earlier one of the same label is ignored, as INCEpTION does.
    """
    by_annotator: dict[Hashable, list[SpanTriple]] = {a: [] for a in annotators}
    for annotator, start, end, label in units:
        by_annotator.setdefault(annotator, []).append((start, end, label))
    table = build_span_table([(length, by_annotator)], labels=None)
    if table.n_annotators < 2:
        raise UndefinedAgreementError(REASON_ONE_ANNOTATOR)
    components = unitizing_components(table)
    result: dict[str, tuple[float, float]] = {}
    squared = float(length) * float(length)
    for index, label in enumerate(table.labels):
        observed = float(components.observed[0, index]) / squared
        expected = float(components.expected[0, index]) / squared
        result[label] = (observed, expected)
    return result


def unitizing_alpha(
    length: int,
    units: Iterable[UnitTuple],
    *,
    annotators: Iterable[Hashable] = (),
    label: str | None = None,
) -> float:
    """Krippendorff's alpha-u on one continuum of ``length`` code points.

    ``units`` are ``(annotator, start, end, label)`` tuples, end exclusive.
    Without ``label``: all labels together, as DKPro Statistics does it — the
    observed and the expected disagreements are each averaged over the labels
    that occur, then alpha-u = 1 - D_o / D_e. With ``label``: that label alone.
    """
    per_label = unitizing_disagreements(length, units, annotators=annotators)
    if label is not None:
        if label not in per_label:
            raise UndefinedAgreementError(REASON_NO_LABEL_SPANS)
        chosen = [per_label[label]]
    else:
        chosen = list(per_label.values())
    if not chosen:
        raise UndefinedAgreementError(REASON_NO_SPANS)
    observed = sum(pair[0] for pair in chosen)
    expected = sum(pair[1] for pair in chosen)
    if expected <= 0.0:
        raise UndefinedAgreementError(REASON_NO_VARIATION)
    return 1.0 - observed / expected


def span_f1(
    reference: Iterable[SpanTriple],
    candidate: Iterable[SpanTriple],
    mode: Literal["exact", "partial"] = "exact",
) -> SpanF1:
    """Precision, recall and F1 of ``candidate`` spans against ``reference``.

    Spans are ``(start, end, label)``, end exclusive; labels must match.
    Overlapping spans of one label within one side are merged first, as the
    SemEval-2020 Task 11 scorer does with its gold spans. ``exact`` counts
    identical spans. ``partial`` is that scorer's formula (Da San Martino et
    al. 2019): P = sum over candidate s, reference t of |s & t| / |s|, divided
    by the number of candidate spans; R likewise with |t| and the reference
    count. An empty side scores 0; both empty raises (no spans).
    """
    if mode not in ("exact", "partial"):
        raise ValueError(f"mode must be 'exact' or 'partial', not {mode!r}")
    ref = merge_same_label(reference)
    cand = merge_same_label(candidate)
    if not ref and not cand:
        raise UndefinedAgreementError(REASON_NO_SPANS)
    if mode == "exact":
        matched = float(len(set(ref) & set(cand)))
        precision_credit = recall_credit = matched
    else:
        precision_credit = recall_credit = 0.0
        for c_start, c_end, c_label in cand:
            for r_start, r_end, r_label in ref:
                overlap = min(c_end, r_end) - max(c_start, r_start)
                if overlap > 0 and c_label == r_label:
                    precision_credit += overlap / (c_end - c_start)
                    recall_credit += overlap / (r_end - r_start)
    precision = precision_credit / len(cand) if cand else 0.0
    recall = recall_credit / len(ref) if ref else 0.0
    total = precision + recall
    f1 = 2.0 * precision * recall / total if total > 0 else 0.0
    return SpanF1(precision, recall, f1)
