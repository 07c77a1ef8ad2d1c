"""Deterministic train/dev/test assignment.

A document's split depends only on the seed, its id and the ratios: the same
on every run, machine and Python version (SHA-256, never ``hash()``, which is
salted per process), and independent of which other documents are exported.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping

SPLITS = ("train", "dev", "test")
DEFAULT_RATIOS: Mapping[str, float] = {"train": 0.8, "dev": 0.1, "test": 0.1}
_TOLERANCE = 1e-9


def check_ratios(ratios: Mapping[str, float]) -> dict[str, float]:
    """The ratios for train, dev and test (missing ones are 0); raises
    ValueError naming the problem unless they are finite, non-negative and sum
    to 1."""
    unknown = sorted(set(ratios) - set(SPLITS))
    if unknown:
        raise ValueError(f"unknown split names {unknown}: use train, dev, test")
    checked = {name: ratios.get(name, 0.0) for name in SPLITS}
    for name, value in checked.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"ratio for {name} must be a number, not {value!r}")
        if not math.isfinite(value) or not 0 <= value <= 1:
            raise ValueError(f"ratio for {name} must be between 0 and 1, not {value}")
    total = math.fsum(checked.values())
    if abs(total - 1.0) > _TOLERANCE:
        raise ValueError(f"ratios must sum to 1, not {total:g}")
    return checked


def split_point(document_id: str, seed: str) -> float:
    """A uniform number in [0, 1) from SHA-256 of the seed and the id."""
    seed_bytes = seed.encode("utf-8", "surrogatepass")
    message = (
        len(seed_bytes).to_bytes(8, "big")
        + seed_bytes
        + document_id.encode("utf-8", "surrogatepass")
    )
    digest = hashlib.sha256(message).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(
    document_id: str, seed: str, ratios: Mapping[str, float] = DEFAULT_RATIOS
) -> str:
    """``"train"``, ``"dev"`` or ``"test"`` for ``document_id``, stable across
    runs and machines; each split's share tends to its ratio."""
    checked = check_ratios(ratios)
    point = split_point(document_id, seed)
    cumulative = 0.0
    for name in SPLITS:
        cumulative += checked[name]
        if point < cumulative:
            return name
    # Rounding can leave the top sliver of [0, 1) unclaimed: give it to the
    # last split that has a share.
    return next(name for name in reversed(SPLITS) if checked[name] > 0)
