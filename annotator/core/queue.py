"""The order in which a project hands out its documents: ``in-order`` (by
document id), ``random`` (a seeded scramble of the ids, the same for the same
seed) or ``uncertainty`` (the documents the project's trained model is least
sure about first).

:func:`random_rank` is integer arithmetic only (``+``, ``*``, ``%`` on
non-negative numbers below 2**63), so the same function computes a rank in
Python and, given a column expression, in SQL on SQLite and PostgreSQL alike:
an import stores the rank of each new document computed in Python, a new
seed re-ranks the project's documents in one SQL UPDATE, and the database
walks an index on the stored rank (services/queue_order.py).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar, cast


class QueueOrder(enum.StrEnum):
    IN_ORDER = "in-order"
    RANDOM = "random"
    UNCERTAINTY = "uncertainty"


#: 2**31 - 1, a prime: every intermediate value stays below 2**62 + 2**31,
#: inside a 64-bit integer on both databases (SQLite would turn an overflow
#: into a float, PostgreSQL would refuse it).
MODULUS = 2_147_483_647
#: Seeds are whole numbers from 0 to this.
MAX_SEED = MODULUS - 1
#: A proposal's score is this far from 0.5 at most.
MAX_MARGIN = 0.5


class _Arithmetic(Protocol):
    def __add__(self, other: Any, /) -> Any: ...
    def __mul__(self, other: Any, /) -> Any: ...
    def __mod__(self, other: Any, /) -> Any: ...


A = TypeVar("A", bound=_Arithmetic)


def random_rank(document_id: A, seed: int) -> A:
    """A document's place in a random queue, an integer in [0, MODULUS): a
    fixed scramble of its id for ``seed`` (0 to MAX_SEED), no draw. Give an
    int for the rank in Python or a 64-bit integer column expression for the
    same rank in SQL."""
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to {MAX_SEED}")
    shift = (seed * 48_271 + 11) % MODULUS
    x: Any = document_id % MODULUS
    # Affine steps mix in the seed; squaring makes the map non-linear, so
    # consecutive ids do not come out evenly spaced.
    x = (x * 1_103_515_245 + seed) % MODULUS
    x = (x * x + shift) % MODULUS
    x = (x * 69_069 + seed) % MODULUS
    x = (x * x + shift) % MODULUS
    return cast(A, x)


def confidence_margin(scores: Iterable[float]) -> float | None:
    """How sure a model is about a document: the mean distance of its
    proposals' scores from 0.5, in [0, 0.5] (0: every proposal a coin
    toss); None when it proposed nothing. Lower is less sure."""
    margins = [abs(score - 0.5) for score in scores]
    if not margins:
        return None
    return min(MAX_MARGIN, sum(margins) / len(margins))
