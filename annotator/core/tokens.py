"""Tokenisation shared by token-level agreement and token-based export formats.

Tokens are ``(start, end)`` code-point offsets, end exclusive. A token is a run of
word characters, or one other visible character; combining marks, variation
selectors, skin-tone modifiers, emoji tag characters and zero-width-joined
characters stay with the character they modify, and regional indicators pair up
into flags, so no token boundary ever falls inside a grapheme that a reader sees
as one character. ``static/js/lib/offsets.js`` mirrors this pattern: change both.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache

Token = tuple[int, int]


def _ranges_to_class(code_points: list[int]) -> str:
    parts: list[str] = []
    start = previous = code_points[0]
    for cp in [*code_points[1:], -1]:
        if cp == previous + 1:
            previous = cp
            continue
        parts.append(
            re.escape(chr(start))
            if start == previous
            else f"{re.escape(chr(start))}-{re.escape(chr(previous))}"
        )
        start = previous = cp
    return "".join(parts)


@cache
def _token_pattern() -> re.Pattern[str]:
    marks = [
        cp
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)).startswith("M")
    ]
    # Skin-tone modifiers (Sk) and tag characters (Cf) are not marks, but they
    # modify the emoji before them just as marks do.
    modifiers = "\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
    extender = f"[{_ranges_to_class(marks)}{modifiers}]|\u200d\\S"
    word = f"(?:\\w|{extender})+"
    flag = f"[\U0001f1e6-\U0001f1ff]{{2}}(?:{extender})*"
    other = f"[^\\s\\w](?:{extender})*"
    return re.compile(f"{word}|{flag}|{other}")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; whitespace is never part of a token."""
    return [match.span() for match in _token_pattern().finditer(text)]


def tokens_covering(tokens: Sequence[Token], start: int, end: int) -> tuple[int, int]:
    """Indices ``[first, last)`` of the tokens that overlap ``[start, end)``."""
    starts = [token[0] for token in tokens]
    ends = [token[1] for token in tokens]
    first = bisect_right(ends, start)
    last = bisect_left(starts, end)
    return first, max(first, last)
