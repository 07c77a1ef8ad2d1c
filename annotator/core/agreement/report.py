"""The agreement report: every figure the agreement page and CLI show.

:func:`agreement_report` takes plain data (a sequence of
:class:`DocumentAnnotations`) and returns a frozen :class:`AgreementReport`.
Offsets are code points, end exclusive. An annotator listed for a document saw
it (an empty span list means "read it, marked nothing"); an annotator not
listed did not see it and counts as missing there.

Unitizing (headline): Krippendorff's alpha-u and exact / partial span F1,
overall and per label, each with a bootstrap confidence interval (documents
resampled with replacement, ``n_bootstrap`` times, ``numpy`` generator seeded
with ``seed``: the same input gives the same report).

* alpha-u: one continuum per document in characters (DKPro Statistics /
  INCEpTION). Across documents and labels the observed and expected
  disagreements are pooled as L²-weighted sums, alpha-u = 1 - ΣL²D_o / ΣL²D_e:
  for one document this is exactly DKPro's overall alpha-u (its averages over
  labels cancel), and the observed part equals that of one continuum made of
  all documents, while chance stays modelled within each document.
* span F1: for each annotator pair, micro-averaged over the documents both
  saw (labels must match; per label: spans of that label only), then the
  mean over pairs that have any span. Exact counts identical spans; partial is
  the SemEval-2020 Task 11 scorer's overlap credit.

Coding (diagnostics): units are characters (``unit="char"``) or tokens
(``unit="token"``, :func:`annotator.core.tokens.tokenize`; a span covers
every token it overlaps). Overall, an annotator's value for a unit is the
label covering it, or "none" (a unit one annotator covered with several
labels gets that set of labels as its value; ``n_multi_label_units`` counts
them); per label, one present/absent layer. Each is reported over all units
and over the units that at least one compared annotator tagged.

``AgreementReport.to_dict()`` keys (stable; ``Estimate`` is
``{"value", "ci_low", "ci_high", "reason", "n_documents", "n_units",
"n_annotators"}``, value None exactly when reason is set)::

    schema, unit, labels, annotators, n_documents, n_compared_documents,
    n_spans, bootstrap{n_resamples, seed, confidence},
    unitizing{alpha_u, f1_exact, f1_partial: {overall: Estimate,
              per_label: {label: Estimate}},
              pairs: [{annotators: [a, b], n_documents, f1_exact, f1_partial}]},
    coding{unit, n_multi_label_units,
           overall: {all_units, tagged_units: {krippendorff_alpha,
                     fleiss_kappa, percent_agreement}},
           per_label: {label: same as overall},
           cohen_kappa: [{annotators: [a, b], all_units, tagged_units}]},
    confusion{rows, columns, counts},
    documents: [{document_id, disagreement, f1_partial, f1_exact, alpha_u,
                 n_annotators, n_spans, reason, n_groups,
                 n_disagreeing_groups, group_kinds{same, label, boundary,
                 partial}}]

Label confusion and the document list come from the alignment the review
page uses (:func:`annotator.core.diff.group_spans`, through
:mod:`annotator.core.agreement.groups`, where the counting rule is stated):
the confusion counts labels per group and annotator pair, and documents are
listed by :func:`annotator.core.diff.disagreement_rank` (most disagreeing
groups first, then their larger share; ties in input order), as the review
queue lists them. alpha-u and span F1 are measures with their own
definitions and do not use the groups. Schema 2: the confusion counts and the
document order changed meaning and the documents gained the group counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.agreement.groups import (
    AlignedGroups,
    aligned_groups,
    confusion_from_groups,
    group_counts,
)
from annotator.core.agreement.measures import (
    REASON_NO_LABEL_SPANS,
    REASON_NO_SPANS,
    REASON_NO_VARIATION,
    REASON_ONE_ANNOTATOR,
    UndefinedAgreementError,
    alpha_of,
    coded_units,
    fleiss_of,
    percent_of,
    weighted_cohen_kappa,
)
from annotator.core.agreement.units import (
    F1_COUNT_I,
    F1_COUNT_J,
    F1Components,
    Segments,
    SpanLike,
    SpanTable,
    UnitizingComponents,
    as_triple,
    build_span_table,
    coding_segments,
    compared_documents,
    f1_components,
    f1_from_sums,
    merge_overlaps,
    only_compared,
    unitizing_components,
)
from annotator.core.diff import KINDS, GroupKind, disagreement_rank
from annotator.core.tokens import tokenize

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
AnnotatorId: TypeAlias = str | int
DocumentId: TypeAlias = str | int
Unit = Literal["char", "token"]

SCHEMA_VERSION = 2
DEFAULT_SEED = 0
DEFAULT_BOOTSTRAP = 1000
DEFAULT_CONFIDENCE = 0.95
NONE_LABEL = "none"
REASON_BOOTSTRAP_OFF = "no confidence interval: bootstrap disabled"
REASON_NO_TAGGED = "no unit was tagged by any annotator"

#: One-line plain-language explanations the page can show next to each figure.
EXPLANATIONS: Mapping[str, str] = {
    "alpha_u": (
        "Unitizing alpha (Krippendorff): agreement on where spans start and "
        "end and how they are labelled, corrected for chance; 1 is perfect, 0 "
        "is chance level, below 0 is worse than chance."
    ),
    "f1_exact": (
        "Exact span F1: how often another annotator drew a span with exactly "
        "the same start, end and label (averaged over annotator pairs)."
    ),
    "f1_partial": (
        "Partial span F1: like exact F1, but a span earns credit for the share "
        "of it that another annotator's same-label span covers (SemEval-2020 "
        "Task 11 scoring)."
    ),
    "boundary_gap": (
        "The gap between partial and exact F1 is disagreement about boundaries "
        "only: the annotators found the same passages but cut them differently."
    ),
    "krippendorff_alpha": (
        "Krippendorff's alpha: chance-corrected agreement on the label of each "
        "character or token, for any number of annotators, allowing documents "
        "some of them did not see."
    ),
    "cohen_kappa": (
        "Cohen's kappa: chance-corrected agreement between two annotators on "
        "the label of each character or token."
    ),
    "fleiss_kappa": (
        "Fleiss' kappa: chance-corrected agreement among several annotators; "
        "defined only when every unit has the same number of annotators."
    ),
    "percent_agreement": (
        "Percent agreement: how often two annotators give a unit the same "
        "label, with no correction for chance."
    ),
    "tagged_units": (
        "Tagged units only: the same figures over the text at least one "
        "annotator labelled, so untouched text cannot inflate them."
    ),
    "confusion": (
        "Label confusion, counted in the groups of spans the review page shows: "
        "for each group and each two annotators, the label one gave there "
        "against the label the other gave (the diagonal: the same label), or "
        "none when the other marked nothing in that group."
    ),
    "disagreement": (
        "Documents with the most disagreeing groups (as on the review page) "
        "first, then the larger share of disagreeing groups: the review "
        "queue's order. Disagreement is 1 minus the partial span F1."
    ),
    "confidence_interval": (
        "95% confidence interval from resampling documents (bootstrap with a "
        "fixed seed): where the figure would likely fall for another sample of "
        "documents like these."
    ),
}


# --------------------------------------------------------------------------
# Input and output types
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentAnnotations:
    """One document's spans per annotator; give ``text`` (needed for token
    units) or ``text_length`` (code points)."""

    document_id: DocumentId
    annotations: Mapping[AnnotatorId, Sequence[SpanLike]]
    text: str | None = None
    text_length: int | None = None

    def __post_init__(self) -> None:
        if self.text is None and self.text_length is None:
            raise ValueError(f"document {self.document_id!r}: give text or length")
        if self.text is not None and self.text_length not in (None, len(self.text)):
            raise ValueError(
                f"document {self.document_id!r}: text_length {self.text_length} "
                f"!= len(text) {len(self.text)}"
            )
        if self.text_length is not None and self.text_length < 0:
            raise ValueError(f"document {self.document_id!r}: negative length")

    @property
    def length(self) -> int:
        return len(self.text) if self.text is not None else int(self.text_length or 0)


@dataclass(frozen=True, slots=True)
class Estimate:
    """One figure; ``value`` is None exactly when ``reason`` says why."""

    value: float | None
    reason: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n_documents: int = 0
    n_units: int = 0
    n_annotators: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "reason": self.reason,
            "n_documents": self.n_documents,
            "n_units": self.n_units,
            "n_annotators": self.n_annotators,
        }


@dataclass(frozen=True, slots=True)
class ByLabel:
    overall: Estimate
    per_label: Mapping[str, Estimate]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
        }


@dataclass(frozen=True, slots=True)
class PairF1:
    annotators: tuple[AnnotatorId, AnnotatorId]
    n_documents: int
    f1_exact: Estimate
    f1_partial: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "n_documents": self.n_documents,
            "f1_exact": self.f1_exact.to_dict(),
            "f1_partial": self.f1_partial.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class UnitizingFigures:
    alpha_u: ByLabel
    f1_exact: ByLabel
    f1_partial: ByLabel
    pairs: tuple[PairF1, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha_u": self.alpha_u.to_dict(),
            "f1_exact": self.f1_exact.to_dict(),
            "f1_partial": self.f1_partial.to_dict(),
            "pairs": [pair.to_dict() for pair in self.pairs],
        }


@dataclass(frozen=True, slots=True)
class CodingScores:
    krippendorff_alpha: Estimate
    fleiss_kappa: Estimate
    percent_agreement: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "krippendorff_alpha": self.krippendorff_alpha.to_dict(),
            "fleiss_kappa": self.fleiss_kappa.to_dict(),
            "percent_agreement": self.percent_agreement.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class CodingSubsets:
    all_units: CodingScores
    tagged_units: CodingScores

    def to_dict(self) -> dict[str, Any]:
        return {
            "all_units": self.all_units.to_dict(),
            "tagged_units": self.tagged_units.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PairKappa:
    annotators: tuple[AnnotatorId, AnnotatorId]
    all_units: Estimate
    tagged_units: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "all_units": self.all_units.to_dict(),
            "tagged_units": self.tagged_units.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class CodingFigures:
    unit: Unit
    overall: CodingSubsets
    per_label: Mapping[str, CodingSubsets]
    cohen_kappa: tuple[PairKappa, ...]
    n_multi_label_units: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "n_multi_label_units": self.n_multi_label_units,
            "overall": self.overall.to_dict(),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
            "cohen_kappa": [pair.to_dict() for pair in self.cohen_kappa],
        }


@dataclass(frozen=True, slots=True)
class LabelConfusion:
    """``counts[r][c]``: over the groups ``core.diff.align`` makes, ordered
    annotator pairs where the first gave label ``rows[r]`` and the second gave
    ``columns[c]`` there ("none": no span in the group); the exact rule is in
    :mod:`annotator.core.agreement.groups`."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "counts": [list(row) for row in self.counts],
        }


@dataclass(frozen=True, slots=True)
class DocumentDisagreement:
    document_id: DocumentId
    disagreement: float | None
    f1_partial: float | None
    f1_exact: float | None
    alpha_u: float | None
    n_annotators: int
    n_spans: int
    reason: str | None
    n_groups: int = 0  # groups core.diff.align makes on the document
    n_disagreeing_groups: int = 0  # of which not SAME: the review queue's count
    group_kinds: Mapping[GroupKind, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "disagreement": self.disagreement,
            "f1_partial": self.f1_partial,
            "f1_exact": self.f1_exact,
            "alpha_u": self.alpha_u,
            "n_annotators": self.n_annotators,
            "n_spans": self.n_spans,
            "reason": self.reason,
            "n_groups": self.n_groups,
            "n_disagreeing_groups": self.n_disagreeing_groups,
            "group_kinds": {str(k): v for k, v in self.group_kinds.items()},
        }


@dataclass(frozen=True, slots=True)
class AgreementReport:
    unit: Unit
    labels: tuple[str, ...]
    annotators: tuple[AnnotatorId, ...]
    n_documents: int
    n_compared_documents: int
    n_spans: int
    n_bootstrap: int
    seed: int
    confidence: float
    unitizing: UnitizingFigures
    coding: CodingFigures
    confusion: LabelConfusion
    documents: tuple[DocumentDisagreement, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable; keys as listed in the module docstring."""
        return {
            "schema": SCHEMA_VERSION,
            "unit": self.unit,
            "labels": list(self.labels),
            "annotators": list(self.annotators),
            "n_documents": self.n_documents,
            "n_compared_documents": self.n_compared_documents,
            "n_spans": self.n_spans,
            "bootstrap": {
                "n_resamples": self.n_bootstrap,
                "seed": self.seed,
                "confidence": self.confidence,
            },
            "unitizing": self.unitizing.to_dict(),
            "coding": self.coding.to_dict(),
            "confusion": self.confusion.to_dict(),
            "documents": [doc.to_dict() for doc in self.documents],
        }


# --------------------------------------------------------------------------
# Headline figures and their bootstrap
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Headline:
    """Data the headline figures are computed from, over compared documents."""

    observed: FloatArray  # compared documents x labels (L² D_o)
    expected: FloatArray
    pairs: list[tuple[IntArray, FloatArray]]  # per pair: documents, sums
    n_labels: int


@dataclass(frozen=True)
class _Draws:
    """Resampled figures: columns = overall, then one per label."""

    alpha: FloatArray
    alpha_ok: BoolArray
    exact: FloatArray
    exact_ok: BoolArray
    partial: FloatArray
    partial_ok: BoolArray


def _alpha_draws(weights: FloatArray, h: _Headline) -> tuple[FloatArray, BoolArray]:
    observed = weights @ h.observed
    expected = weights @ h.expected
    observed = np.concatenate([observed.sum(axis=1, keepdims=True), observed], 1)
    expected = np.concatenate([expected.sum(axis=1, keepdims=True), expected], 1)
    ok: BoolArray = expected > 0
    ratio = np.divide(observed, expected, out=np.zeros_like(observed), where=ok)
    alpha: FloatArray = 1.0 - ratio
    return alpha, ok


def _f1_draws(
    weights: FloatArray, h: _Headline, partial: bool
) -> tuple[FloatArray, BoolArray]:
    shape = (weights.shape[0], h.n_labels + 1)
    total, count = np.zeros(shape), np.zeros(shape)
    for docs, sums in h.pairs:
        drawn = (weights[:, docs] @ sums.reshape(docs.shape[0], -1)).reshape(
            weights.shape[0], h.n_labels, 5
        )
        drawn = np.concatenate([drawn.sum(axis=1, keepdims=True), drawn], axis=1)
        f1, defined = f1_from_sums(drawn, partial)
        total += np.where(defined, f1, 0.0)
        count += defined
    ok: BoolArray = count > 0
    mean: FloatArray = np.divide(total, count, out=np.zeros(shape), where=ok)
    return mean, ok


def _draws(weights: FloatArray, h: _Headline) -> _Draws:
    alpha, alpha_ok = _alpha_draws(weights, h)
    exact, exact_ok = _f1_draws(weights, h, partial=False)
    partial, partial_ok = _f1_draws(weights, h, partial=True)
    return _Draws(alpha, alpha_ok, exact, exact_ok, partial, partial_ok)


def _resample_weights(
    n_docs: int, n_resamples: int, seed: int, chunk: int = 100
) -> Iterator[FloatArray]:
    """How often each document is drawn, per resample, in chunks of resamples."""
    rng = np.random.default_rng(seed)
    for begin in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - begin)
        picks = rng.integers(0, n_docs, size=(size, n_docs))
        flat = (np.arange(size)[:, None] * n_docs + picks).ravel()
        counts = np.bincount(flat, minlength=size * n_docs)
        yield counts.reshape(size, n_docs).astype(np.float64)


def _bootstrap(h: _Headline, n_docs: int, n_resamples: int, seed: int) -> list[_Draws]:
    if n_docs == 0 or n_resamples <= 0:
        return []
    return [_draws(w, h) for w in _resample_weights(n_docs, n_resamples, seed)]


def _interval(
    values: FloatArray, ok: BoolArray, confidence: float
) -> tuple[float | None, float | None]:
    chosen = values[ok]
    if chosen.size == 0:
        return None, None
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(chosen, [tail, 100.0 - tail])
    return float(low), float(high)


# --------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    table: SpanTable
    compared: BoolArray
    n_annotators: int
    confidence: float
    bootstrap_on: bool


def agreement_report(
    documents: Sequence[DocumentAnnotations],
    unit: Unit = "char",
    labels: Sequence[str] | None = None,
    seed: int = DEFAULT_SEED,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    confidence: float = DEFAULT_CONFIDENCE,
) -> AgreementReport:
    """Every agreement figure for ``documents`` (offsets in code points).

    ``labels`` restricts the report to those labels, in that order (default:
    the labels used, sorted). ``unit`` chooses characters or tokens for the
    coding measures only; unitizing always works on characters.
    """
    if unit not in ("char", "token"):
        raise ValueError(f"unit must be 'char' or 'token', not {unit!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    ids = [doc.document_id for doc in documents]
    if len(set(ids)) != len(ids):
        raise ValueError("document ids must be unique")
    table = build_span_table(
        [(doc.length, doc.annotations) for doc in documents], labels
    )
    compared = compared_documents(table)
    ctx = _Context(
        table=table,
        compared=compared,
        n_annotators=int(table.present[compared].any(axis=0).sum()),
        confidence=confidence,
        bootstrap_on=n_bootstrap > 0,
    )
    merged = merge_overlaps(only_compared(table))
    unitizing_parts = unitizing_components(table)
    f1_parts = f1_components(table, merged)
    headline = _headline(table, compared, unitizing_parts, f1_parts)
    n_compared = int(compared.sum())
    point = _draws(np.ones((1, n_compared)), headline)
    draws = _bootstrap(headline, n_compared, n_bootstrap, seed)
    unitizing = _unitizing_figures(ctx, unitizing_parts, f1_parts, point, draws)
    if unit == "char":
        segments = coding_segments(table, merged)
    else:
        segments = coding_segments(_token_table(documents, table))
    coding = _coding_figures(table, segments, unit, ctx.n_annotators)
    groups = aligned_groups(table)
    return AgreementReport(
        unit=unit,
        labels=table.labels,
        annotators=tuple(_annotator_ids(table)),
        n_documents=table.n_docs,
        n_compared_documents=n_compared,
        n_spans=table.size,
        n_bootstrap=max(n_bootstrap, 0),
        seed=seed,
        confidence=confidence,
        unitizing=unitizing,
        coding=coding,
        confusion=_confusion(table, groups),
        documents=_document_list(ids, table, groups, unitizing_parts, f1_parts),
    )


def _annotator_ids(table: SpanTable) -> list[AnnotatorId]:
    result: list[AnnotatorId] = []
    for annotator in table.annotators:
        if not isinstance(annotator, str | int):
            raise TypeError(f"annotator ids must be str or int, not {annotator!r}")
        result.append(annotator)
    return result


def _headline(
    table: SpanTable,
    compared: BoolArray,
    unitizing_parts: UnitizingComponents,
    f1_parts: F1Components,
) -> _Headline:
    compact = np.cumsum(compared) - 1
    pairs: list[tuple[IntArray, FloatArray]] = []
    for i in range(table.n_annotators):
        for j in range(i + 1, table.n_annotators):
            rows = np.flatnonzero((f1_parts.first == i) & (f1_parts.second == j))
            if rows.size:
                docs = compact[f1_parts.doc[rows]].astype(np.int64)
                pairs.append((docs, f1_parts.values[rows]))
    return _Headline(
        observed=unitizing_parts.observed[compared],
        expected=unitizing_parts.expected[compared],
        pairs=pairs,
        n_labels=max(table.n_labels, 1),
    )


def _unitizing_figures(
    ctx: _Context,
    unitizing_parts: UnitizingComponents,
    f1_parts: F1Components,
    point: _Draws,
    draws: list[_Draws],
) -> UnitizingFigures:
    table = ctx.table
    n_docs = int(ctx.compared.sum())
    alpha_units = unitizing_parts.units[ctx.compared].sum(axis=0)
    span_units = _merged_counts(f1_parts, table.n_annotators)

    def build(name: str, units: IntArray) -> ByLabel:
        values = getattr(point, name)[0]
        ok = getattr(point, f"{name}_ok")[0]
        estimates: list[Estimate] = []
        for column in range(table.n_labels + 1):
            n_units = int(units.sum()) if column == 0 else int(units[column - 1])
            ci = _column_interval(draws, name, column, ctx.confidence)
            estimates.append(
                _estimate(
                    ctx,
                    bool(ok[column]),
                    float(values[column]),
                    n_units,
                    n_docs,
                    ci,
                    column,
                )
            )
        per_label = dict(zip(table.labels, estimates[1:], strict=True))
        return ByLabel(estimates[0], per_label)

    return UnitizingFigures(
        alpha_u=build("alpha", alpha_units),
        f1_exact=build("exact", span_units),
        f1_partial=build("partial", span_units),
        pairs=_pair_figures(ctx, f1_parts),
    )


def _merged_counts(f1_parts: F1Components, n_annotators: int) -> IntArray:
    """Spans per label (after merging), each annotator's document counted once."""
    keys = np.concatenate(
        [
            f1_parts.doc * n_annotators + f1_parts.first,
            f1_parts.doc * n_annotators + f1_parts.second,
        ]
    )
    counts = np.concatenate(
        [f1_parts.values[:, :, F1_COUNT_I], f1_parts.values[:, :, F1_COUNT_J]]
    )
    _, first = np.unique(keys, return_index=True)
    totals: IntArray = counts[first].sum(axis=0).astype(np.int64)
    return totals


def _column_interval(
    draws: list[_Draws], name: str, column: int, confidence: float
) -> tuple[float | None, float | None]:
    if not draws:
        return None, None
    values = np.concatenate([getattr(d, name)[:, column] for d in draws])
    ok = np.concatenate([getattr(d, f"{name}_ok")[:, column] for d in draws])
    return _interval(values, ok, confidence)


def _estimate(
    ctx: _Context,
    ok: bool,
    value: float,
    n_units: int,
    n_docs: int,
    ci: tuple[float | None, float | None],
    column: int,
) -> Estimate:
    n = {"n_documents": n_docs, "n_units": n_units, "n_annotators": ctx.n_annotators}
    if ok:
        return Estimate(value, None, ci[0], ci[1], **n)
    if n_docs == 0:
        reason = REASON_ONE_ANNOTATOR
    elif n_units == 0:
        reason = REASON_NO_SPANS if column == 0 else REASON_NO_LABEL_SPANS
    else:
        reason = REASON_NO_VARIATION
    return Estimate(None, reason, **n)


def _pair_figures(ctx: _Context, f1_parts: F1Components) -> tuple[PairF1, ...]:
    table = ctx.table
    result: list[PairF1] = []
    for i in range(table.n_annotators):
        for j in range(i + 1, table.n_annotators):
            rows = np.flatnonzero((f1_parts.first == i) & (f1_parts.second == j))
            if rows.size == 0:
                continue
            sums = f1_parts.values[rows].sum(axis=(0, 1))
            n_units = int(sums[F1_COUNT_I] + sums[F1_COUNT_J])
            figures = []
            for partial in (False, True):
                f1, defined = f1_from_sums(sums, partial)
                figures.append(
                    Estimate(
                        float(f1) if defined else None,
                        None if defined else REASON_NO_SPANS,
                        n_documents=int(rows.size),
                        n_units=n_units,
                        n_annotators=2,
                    )
                )
            pair = (_id(table.annotators[i]), _id(table.annotators[j]))
            result.append(PairF1(pair, int(rows.size), figures[0], figures[1]))
    return tuple(result)


def _id(annotator: Any) -> AnnotatorId:
    if isinstance(annotator, str | int):
        return annotator
    raise TypeError(f"annotator ids must be str or int, not {annotator!r}")


# --------------------------------------------------------------------------
# Coding figures
# --------------------------------------------------------------------------


def _token_table(
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


def _coding_figures(
    table: SpanTable, segments: Segments, unit: Unit, n_annotators: int
) -> CodingFigures:
    domain, codes = _compact_codes(segments.codes)
    none_code = int(np.searchsorted(domain, 0))
    has_none = none_code < domain.shape[0] and int(domain[none_code]) == 0
    tagged = _tagged(codes, none_code if has_none else -2)
    values = [_mask_name(int(v), table.labels) for v in domain]
    overall_scores = _subsets(codes, segments, values, tagged, n_annotators)
    per_label: dict[str, CodingSubsets] = {}
    for k, label in enumerate(table.labels):
        layer = np.where(segments.codes >= 0, (segments.codes >> k) & 1, -1)
        per_label[label] = _subsets(
            layer, segments, [NONE_LABEL, label], _tagged(layer, 0), n_annotators
        )
    cohen = _cohen_pairs(
        table, codes, segments, len(values), none_code if has_none else -2
    )
    masks = segments.codes
    multi = ((masks > 0) & ((masks & (masks - 1)) != 0)).any(axis=0)
    pairable = (masks >= 0).sum(axis=0) >= 2
    return CodingFigures(
        unit=unit,
        overall=overall_scores,
        per_label=per_label,
        cohen_kappa=cohen,
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


def _subsets(
    codes: IntArray,
    segments: Segments,
    values: list[str],
    tagged: BoolArray,
    n_annotators: int,
) -> CodingSubsets:
    everything = np.ones(codes.shape[1], dtype=np.bool_)
    return CodingSubsets(
        all_units=_scores(codes, segments, values, everything, n_annotators, None),
        tagged_units=_scores(
            codes, segments, values, tagged, n_annotators, REASON_NO_TAGGED
        ),
    )


def _scores(
    codes: IntArray,
    segments: Segments,
    values: list[str],
    chosen: BoolArray,
    n_annotators: int,
    empty_reason: str | None,
) -> CodingScores:
    pairable = chosen & ((codes >= 0).sum(axis=0) >= 2)
    units = coded_units(codes[:, pairable], segments.weights[pairable])
    n = {
        "n_documents": _distinct(segments.doc[pairable]),
        "n_units": int(units.weights.sum()),
        "n_annotators": n_annotators,
    }
    return CodingScores(
        krippendorff_alpha=_try(alpha_of, (units, values), n, empty_reason),
        fleiss_kappa=_try(fleiss_of, (units, len(values)), n, empty_reason),
        percent_agreement=_try(percent_of, (units,), n, empty_reason),
    )


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
                figures.append(_try(weighted_cohen_kappa, args, n, empty_reason))
            pair = (_id(table.annotators[i]), _id(table.annotators[j]))
            result.append(PairKappa(pair, figures[0], figures[1]))
    return tuple(result)


# --------------------------------------------------------------------------
# Confusion and per-document list
# --------------------------------------------------------------------------


def _confusion(table: SpanTable, groups: AlignedGroups) -> LabelConfusion:
    counts = confusion_from_groups(groups, table.n_labels)
    return LabelConfusion(
        rows=table.labels,
        columns=(*table.labels, NONE_LABEL),
        counts=tuple(tuple(int(c) for c in row) for row in counts),
    )


def _document_list(
    ids: Sequence[DocumentId],
    table: SpanTable,
    groups: AlignedGroups,
    unitizing_parts: UnitizingComponents,
    f1_parts: F1Components,
) -> tuple[DocumentDisagreement, ...]:
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
