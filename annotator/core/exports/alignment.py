"""Fitting character spans onto tokens, for the token-based formats.

Tokens come from ``annotator.core.tokens.tokenize`` (code points, end
exclusive, never containing whitespace). Every span goes through two steps:

1. Leading and trailing whitespace (``str.isspace``) is trimmed with
   ``core.offsets.trim_whitespace`` (whitespace is never inside a token, and
   the guideline says spans do not start or end with it); a span of whitespace
   only is dropped (``whitespace_only``).
2. If an edge still falls inside a token, ``ExportOptions.misaligned`` decides:
   ``expand`` (default) moves the edges outwards to the enclosing tokens, the
   way Prodigy snaps a selection to tokens; ``contract`` moves them inwards to
   the tokens wholly inside (dropped if none is); ``drop`` drops the span
   (``off_token_boundary``).

Each change is counted in the stats under its reason code.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from annotator.core.exports.base import MisalignedPolicy, StatsCollector
from annotator.core.offsets import trim_whitespace
from annotator.core.tokens import Token

_ADJUSTED = {"expand": "expanded_to_tokens", "contract": "contracted_to_tokens"}


@dataclass(frozen=True, slots=True)
class Aligned:
    """A span on token boundaries: characters and token indices, both end
    exclusive."""

    start: int
    end: int
    token_start: int
    token_end: int


class TokenGrid:
    """The tokens of one text, indexed for boundary look-ups."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self._starts = [start for start, _ in tokens]
        self._ends = [end for _, end in tokens]
        self._by_start = {start: i for i, start in enumerate(self._starts)}
        self._by_end = {end: i for i, end in enumerate(self._ends)}

    def _snap(
        self, start: int, end: int, policy: MisalignedPolicy
    ) -> tuple[int, int] | None:
        # The tokens overlapping [start, end), as tokens.tokens_covering finds
        # them, without rebuilding its boundary lists for every span.
        first = bisect_right(self._ends, start)
        last = max(first, bisect_left(self._starts, end))
        if policy == "contract":
            while first < last and self.tokens[first][0] < start:
                first += 1
            while last > first and self.tokens[last - 1][1] > end:
                last -= 1
        if policy == "drop" or first == last:
            return None
        return first, last

    def align(
        self, start: int, end: int, policy: MisalignedPolicy, stats: StatsCollector
    ) -> Aligned | None:
        """Fit ``[start, end)`` to token boundaries, counting what changed;
        None when the span is dropped."""
        trimmed = trim_whitespace(self.text, start, end)
        if trimmed is None:
            stats.dropped["whitespace_only"] += 1
            return None
        if trimmed != (start, end):
            stats.adjusted["whitespace_trimmed"] += 1
        start, end = trimmed
        first, last = self._by_start.get(start), self._by_end.get(end)
        if first is not None and last is not None:
            return Aligned(start, end, first, last + 1)
        snapped = self._snap(start, end, policy)
        if snapped is None:
            stats.dropped["off_token_boundary"] += 1
            return None
        stats.adjusted[_ADJUSTED[policy]] += 1
        first, last = snapped
        return Aligned(self.tokens[first][0], self.tokens[last - 1][1], first, last)
