"""What every suggester (cue rules, a trained span categorizer, a team's
own HTTP service) answers: spans in code points, end exclusive, each with a
label and a score in [0, 1]. A suggestion is not a span: nothing counts it
until an annotator accepts it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class SuggesterError(Exception):
    """A suggester could not answer (timeout, malformed answer, missing
    model); shown to the project admin, never breaking the annotation page."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One proposed span: code points, end exclusive, score in [0, 1]."""

    start: int
    end: int
    label: str
    score: float


class Suggester(Protocol):
    """Proposes spans for one document text; ``name`` and ``version`` are
    recorded with every suggestion it makes."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def suggest(self, text: str, labels: Sequence[str]) -> list[Suggestion]: ...
