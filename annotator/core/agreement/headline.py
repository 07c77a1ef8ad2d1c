"""The unitizing headline as weighted sums over documents: one matrix
product gives the figures for any weighting of the compared documents, so
the point estimate (all weights 1), each bootstrap resample (weights =
how often a document was drawn) and each period's figures (weights 1 for
its documents, 0 elsewhere) share one computation.

Offsets are code points, end exclusive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from annotator.core.agreement.bootstrap import resample_weights
from annotator.core.agreement.units import (
    F1Components,
    SpanTable,
    UnitizingComponents,
    f1_from_sums,
)

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Headline:
    """Data the headline figures are computed from, over compared documents."""

    observed: FloatArray  # compared documents x labels (L² D_o)
    expected: FloatArray
    pairs: list[tuple[IntArray, FloatArray]]  # per pair: documents, sums
    n_labels: int


@dataclass(frozen=True)
class Draws:
    """Resampled figures: columns = overall, then one per label."""

    alpha: FloatArray
    alpha_ok: BoolArray
    exact: FloatArray
    exact_ok: BoolArray
    partial: FloatArray
    partial_ok: BoolArray


def _alpha_draws(weights: FloatArray, h: Headline) -> tuple[FloatArray, BoolArray]:
    observed = weights @ h.observed
    expected = weights @ h.expected
    observed = np.concatenate([observed.sum(axis=1, keepdims=True), observed], 1)
    expected = np.concatenate([expected.sum(axis=1, keepdims=True), expected], 1)
    ok: BoolArray = expected > 0
    ratio = np.divide(observed, expected, out=np.zeros_like(observed), where=ok)
    alpha: FloatArray = 1.0 - ratio
    return alpha, ok


def _f1_draws(
    weights: FloatArray, h: Headline, partial: bool
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


def draw(weights: FloatArray, h: Headline) -> Draws:
    alpha, alpha_ok = _alpha_draws(weights, h)
    exact, exact_ok = _f1_draws(weights, h, partial=False)
    partial, partial_ok = _f1_draws(weights, h, partial=True)
    return Draws(alpha, alpha_ok, exact, exact_ok, partial, partial_ok)


def bootstrap_draws(
    h: Headline, n_docs: int, n_resamples: int, seed: int
) -> list[Draws]:
    return [draw(w, h) for w in resample_weights(n_docs, n_resamples, seed)]


def headline_data(
    table: SpanTable,
    compared: BoolArray,
    unitizing_parts: UnitizingComponents,
    f1_parts: F1Components,
) -> Headline:
    compact = np.cumsum(compared) - 1
    pairs: list[tuple[IntArray, FloatArray]] = []
    for i in range(table.n_annotators):
        for j in range(i + 1, table.n_annotators):
            rows = np.flatnonzero((f1_parts.first == i) & (f1_parts.second == j))
            if rows.size:
                docs = compact[f1_parts.doc[rows]].astype(np.int64)
                pairs.append((docs, f1_parts.values[rows]))
    return Headline(
        observed=unitizing_parts.observed[compared],
        expected=unitizing_parts.expected[compared],
        pairs=pairs,
        n_labels=max(table.n_labels, 1),
    )


def period_weights(keys: Sequence[str]) -> tuple[list[str], FloatArray]:
    """The sorted distinct ``keys`` (one per compared document) and a weight
    matrix, periods x documents, of 1 where the document is in the period."""
    order = sorted(set(keys))
    index = {key: row for row, key in enumerate(order)}
    weights = np.zeros((len(order), len(keys)))
    weights[[index[key] for key in keys], np.arange(len(keys))] = 1.0
    return order, weights
