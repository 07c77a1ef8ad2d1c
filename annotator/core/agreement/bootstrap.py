"""Bootstrap over documents: which documents each resample draws, and the
percentile interval of a figure's resampled values.

Every figure with an interval resamples the compared documents with these
draws (``numpy`` generator seeded with ``seed``), so the same input gives the
same intervals, and the figures of one report share their resamples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

#: Resamples drawn (and computed on) at once: bounds the memory used.
CHUNK = 100


def resample_weights(
    n_docs: int, n_resamples: int, seed: int, chunk: int = CHUNK
) -> Iterator[FloatArray]:
    """How often each of ``n_docs`` documents is drawn, one row per resample,
    in chunks of at most ``chunk`` rows (nothing when either count is 0)."""
    if n_docs <= 0 or n_resamples <= 0:
        return
    rng = np.random.default_rng(seed)
    for begin in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - begin)
        picks = rng.integers(0, n_docs, size=(size, n_docs))
        flat = (np.arange(size)[:, None] * n_docs + picks).ravel()
        counts = np.bincount(flat, minlength=size * n_docs)
        yield counts.reshape(size, n_docs).astype(np.float64)


def percentile_interval(
    values: FloatArray, ok: BoolArray, confidence: float
) -> tuple[float | None, float | None]:
    """The central ``confidence`` share of the defined (``ok``) values; None,
    None when no resample defines the figure."""
    chosen = values[ok]
    if chosen.size == 0:
        return None, None
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(chosen, [tail, 100.0 - tail])
    return float(low), float(high)
