"""The agreement report: every figure the agreement page and CLI show.

:func:`agreement_report` takes plain data (a sequence of
:class:`DocumentAnnotations`) and returns a frozen :class:`AgreementReport`.
Offsets are code points, end exclusive. An annotator listed for a document saw
it (an empty span list means "read it, marked nothing"); an annotator not
listed did not see it and counts as missing there. This module computes the
unitizing headline and puts the report together; the result types are in
:mod:`.results`, the resampling in :mod:`.bootstrap`, the coding figures in
:mod:`.coding`, the confusion and document list in :mod:`.documents`.

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

Coding (diagnostics, :mod:`.coding`): characters or tokens as units; overall
and per label over all units, overall over tagged units too, and positive
specific agreement per label (with a bootstrap interval over the same
resamples).

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
           per_label: {label: {all_units: {krippendorff_alpha, fleiss_kappa,
                       percent_agreement}, positive_agreement: Estimate}},
           cohen_kappa: [{annotators: [a, b], all_units, tagged_units}]},
    confusion{rows, columns, counts},
    documents: [{document_id, disagreement, f1_partial, f1_exact, alpha_u,
                 n_annotators, n_spans, reason, n_groups,
                 n_disagreeing_groups, group_kinds{same, label, boundary,
                 partial}}]

Schema 2: the confusion counts and the document order changed meaning and the
documents gained the group counts. Schema 3: ``coding.per_label.<label>``
lost ``tagged_units`` (for a present/absent layer it carries no information)
and gained ``positive_agreement``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.agreement.bootstrap import percentile_interval
from annotator.core.agreement.coding import Resampling, coding_figures, token_table
from annotator.core.agreement.documents import document_list, label_confusion
from annotator.core.agreement.explanations import EXPLANATIONS
from annotator.core.agreement.groups import aligned_groups
from annotator.core.agreement.headline import (
    Draws,
    Headline,
    bootstrap_draws,
    draw,
    headline_data,
    period_weights,
)
from annotator.core.agreement.measures import (
    REASON_NO_LABEL_SPANS,
    REASON_NO_SPANS,
    REASON_NO_VARIATION,
    REASON_ONE_ANNOTATOR,
)
from annotator.core.agreement.results import (
    SCHEMA_VERSION,
    AgreementReport,
    ByLabel,
    DocumentAnnotations,
    DocumentDisagreement,
    DocumentId,
    Estimate,
    PairF1,
    PeriodFigures,
    Unit,
    UnitizingFigures,
    annotator_id,
)
from annotator.core.agreement.units import (
    F1_COUNT_I,
    F1_COUNT_J,
    F1Components,
    SpanTable,
    UnitizingComponents,
    build_span_table,
    coding_segments,
    compared_documents,
    f1_components,
    f1_from_sums,
    merge_overlaps,
    only_compared,
    unitizing_components,
)

__all__ = [
    "DEFAULT_BOOTSTRAP",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_SEED",
    "EXPLANATIONS",
    "SCHEMA_VERSION",
    "AgreementReport",
    "DocumentAnnotations",
    "DocumentDisagreement",
    "Estimate",
    "PairF1",
    "agreement_report",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

DEFAULT_SEED = 0
DEFAULT_BOOTSTRAP = 1000
DEFAULT_CONFIDENCE = 0.95


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
    periods: Sequence[str] | None = None,
) -> AgreementReport:
    """Every agreement figure for ``documents`` (offsets in code points).

    ``labels`` restricts the report to those labels, in that order (default:
    the labels used, sorted). ``unit`` chooses characters or tokens for the
    coding measures only; unitizing always works on characters. ``periods``
    names each document's period (a week, say; same order as ``documents``):
    the report then has the headline figures of each period's compared
    documents, periods in sorted order.
    """
    if periods is not None and len(periods) != len(documents):
        raise ValueError("periods must name one period per document")
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
    headline = headline_data(table, compared, unitizing_parts, f1_parts)
    n_compared = int(compared.sum())
    point = draw(np.ones((1, n_compared)), headline)
    draws = bootstrap_draws(headline, n_compared, n_bootstrap, seed)
    unitizing = _unitizing_figures(ctx, unitizing_parts, f1_parts, point, draws)
    if unit == "char":
        segments = coding_segments(table, merged)
    else:
        segments = coding_segments(token_table(documents, table))
    resampling = Resampling(compared, max(n_bootstrap, 0), seed, confidence)
    coding = coding_figures(table, segments, unit, ctx.n_annotators, resampling)
    groups = aligned_groups(table)
    listed = document_list(ids, table, groups, unitizing_parts, f1_parts)
    return AgreementReport(
        unit=unit,
        labels=table.labels,
        annotators=tuple(annotator_id(a) for a in table.annotators),
        n_documents=table.n_docs,
        n_compared_documents=n_compared,
        n_spans=table.size,
        n_bootstrap=max(n_bootstrap, 0),
        seed=seed,
        confidence=confidence,
        unitizing=unitizing,
        coding=coding,
        confusion=label_confusion(table, groups),
        documents=listed,
        periods=_periods(ctx, headline, periods, ids, listed),
    )


def _periods(
    ctx: _Context,
    headline: Headline,
    periods: Sequence[str] | None,
    ids: Sequence[DocumentId],
    listed: Sequence[DocumentDisagreement],
) -> tuple[PeriodFigures, ...]:
    """The headline figures of each period's compared documents."""
    if periods is None:
        return ()
    rows = [int(row) for row in np.flatnonzero(ctx.compared)]
    order, weights = period_weights([periods[row] for row in rows])
    figures = draw(weights, headline)
    spans = {entry.document_id: entry.n_spans for entry in listed}
    per_doc = np.array([spans.get(ids[row], 0) for row in rows], dtype=np.int64)
    present = ctx.table.present[rows]
    result = []
    for index, period in enumerate(order):
        member = weights[index] > 0
        n = {
            "n_documents": int(member.sum()),
            "n_units": int(per_doc[member].sum()),
            "n_annotators": int(present[member].any(axis=0).sum()),
        }
        alpha, exact, partial = (
            _period_estimate(figures, name, index, n)
            for name in ("alpha", "exact", "partial")
        )
        result.append(
            PeriodFigures(period, n["n_documents"], n["n_units"], alpha, exact, partial)
        )
    return tuple(result)


def _period_estimate(
    figures: Draws, name: str, row: int, n: dict[str, int]
) -> Estimate:
    """Overall figure ``name`` of period ``row`` (column 0: all labels)."""
    if getattr(figures, f"{name}_ok")[row, 0]:
        value: float | None = float(getattr(figures, name)[row, 0])
        reason = None
    else:
        value = None
        reason = REASON_NO_SPANS if n["n_units"] == 0 else REASON_NO_VARIATION
    return Estimate(
        value,
        reason,
        n_documents=n["n_documents"],
        n_units=n["n_units"],
        n_annotators=n["n_annotators"],
    )


def _unitizing_figures(
    ctx: _Context,
    unitizing_parts: UnitizingComponents,
    f1_parts: F1Components,
    point: Draws,
    draws: list[Draws],
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
    draws: list[Draws], name: str, column: int, confidence: float
) -> tuple[float | None, float | None]:
    if not draws:
        return None, None
    values = np.concatenate([getattr(d, name)[:, column] for d in draws])
    ok = np.concatenate([getattr(d, f"{name}_ok")[:, column] for d in draws])
    return percentile_interval(values, ok, confidence)


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
            pair = (
                annotator_id(table.annotators[i]),
                annotator_id(table.annotators[j]),
            )
            result.append(PairF1(pair, int(rows.size), figures[0], figures[1]))
    return tuple(result)
