"""Offsets in stored texts: code points on the server, UTF-16 in the browser.

Every offset on the server (database, API, exports) is a Unicode code point
index into the stored text, end exclusive. Browsers count UTF-16 code units
(DOM Range offsets, ``String.length``), where a character outside the Basic
Multilingual Plane (most emoji, 𝄞, rare CJK) takes two units, a surrogate
pair. This module and its twin ``static/js/lib/offsets.js`` are the only places
that convert; both are tested on ``tests/data/offsets_cases.json``.

Newline policy: stored text is never normalised. CRLF is two code points (and
two UTF-16 units) and stays so; nothing here folds line endings. That is why the
page must receive the text as JSON and set it through ``textContent``: the HTML
parser would turn CRLF into LF and shift every later offset.

Selections: ``trim_whitespace`` drops whitespace at the edges; ``snap_to_words``
first widens each edge that cuts a token of ``core.tokens`` in half (a word, or
one symbol with its marks, skin tone, ZWJ partners or flag partner), then trims.
Both return None when nothing is left, and snapping an empty range gives None:
a caret is not a selection.

Whitespace means ``str.isspace()`` (``\\s`` in ``re``): it includes CR, LF, NBSP
and the other Unicode spaces, but not ZERO WIDTH SPACE or BOM. Stored text
holds no surrogate code points (it could not be encoded as UTF-8), so the
converters reject them. Word characters, marks and spaces follow Python's
Unicode database; the JavaScript twin follows the browser's, and the two can
only differ on characters assigned after the older of the two versions.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import compress, count
from typing import Literal

from annotator.core.tokens import tokenize

Range = tuple[int, int]
Rounding = Literal["error", "down", "up"]

_ROUNDINGS = ("error", "down", "up")


class OffsetIndex:
    """Converts many offsets of one text between code points and UTF-16 units.

    Building it is one pass over the text in C; each conversion is a binary
    search over the astral characters, and the identity for text in the Basic
    Multilingual Plane. A UTF-16 offset between the two halves of a surrogate
    pair raises ValueError, unless ``rounding`` is ``"down"`` (to the start of
    the pair's character) or ``"up"`` (to its end).
    """

    __slots__ = ("_astral", "_astral_utf16", "length", "text", "utf16_length")

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)
        # Code point index of each astral character, and its UTF-16 index.
        self._astral = _astral_positions(text)
        self._astral_utf16 = list(map(int.__add__, self._astral, count()))
        self.utf16_length = self.length + len(self._astral)

    def to_utf16(self, offset: int) -> int:
        """UTF-16 code unit offset of code point ``offset`` (0 ≤ offset ≤ length)."""
        _check_offset(offset, self.length)
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)

    def from_utf16(self, offset: int, rounding: Rounding = "error") -> int:
        """Code point offset of UTF-16 ``offset``; ``rounding`` for a split pair."""
        _check_offset(offset, self.utf16_length)
        if rounding not in _ROUNDINGS:
            raise ValueError(f"rounding must be one of {_ROUNDINGS}, not {rounding!r}")
        pairs = self._astral_utf16
        if not pairs:
            return offset
        # Pairs wholly before the offset start at or before offset - 2.
        before = bisect_right(pairs, offset - 2)
        code_point = offset - before
        if before == len(pairs) or pairs[before] != offset - 1:
            return code_point
        if rounding == "error":
            raise ValueError(
                f"UTF-16 offset {offset} falls inside the surrogate pair of the "
                f"character at code point {code_point - 1}"
            )
        return code_point - 1 if rounding == "down" else code_point

    def trim_whitespace(self, start: int, end: int) -> Range | None:
        """Same as the module function ``trim_whitespace`` on this text."""
        return trim_whitespace(self.text, start, end)

    def snap_to_words(self, start: int, end: int) -> Range | None:
        """Same as the module function ``snap_to_words`` on this text."""
        return snap_to_words(self.text, start, end)


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return OffsetIndex(text).utf16_length


def to_utf16(text: str, offset: int) -> int:
    """UTF-16 code unit offset of code point ``offset`` in ``text``."""
    return OffsetIndex(text).to_utf16(offset)


def from_utf16(text: str, offset: int, rounding: Rounding = "error") -> int:
    """Code point offset of UTF-16 ``offset`` in ``text``; rounding: OffsetIndex."""
    return OffsetIndex(text).from_utf16(offset, rounding)


def trim_whitespace(text: str, start: int, end: int) -> Range | None:
    """Code points ``[start, end)`` without edge whitespace; None if nothing is left."""
    _check_range(text, start, end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def snap_to_words(text: str, start: int, end: int) -> Range | None:
    """Code points ``[start, end)`` widened to whole tokens and trimmed, or None."""
    _check_range(text, start, end)
    if start == end:
        return None
    start = _enclosing_token(text, start)[0]
    end = _enclosing_token(text, end)[1]
    return trim_whitespace(text, start, end)


def _enclosing_token(text: str, offset: int) -> Range:
    """The token strictly around code point ``offset``, or ``(offset, offset)``."""
    if offset in (0, len(text)) or text[offset - 1].isspace() or text[offset].isspace():
        return offset, offset
    # Tokens never contain whitespace, so tokenising the run of non-space
    # characters around the offset gives the same tokens as the whole text.
    first = offset - 1
    while first > 0 and not text[first - 1].isspace():
        first -= 1
    last = offset + 1
    while last < len(text) and not text[last].isspace():
        last += 1
    for token_start, token_end in tokenize(text[first:last]):
        if first + token_start < offset < first + token_end:
            return first + token_start, first + token_end
    return offset, offset


def _astral_positions(text: str) -> list[int]:
    """Code point indices of the characters outside the BMP, in order."""
    try:
        utf32 = text.encode("utf-32-le")
    except UnicodeEncodeError:
        raise ValueError("text contains surrogate code points") from None
    # Byte 2 of each little-endian code point is its plane: zero only in the
    # BMP. Picking those bytes and compressing keeps the loop in C.
    return list(compress(range(len(text)), utf32[2::4]))


def _check_offset(offset: int, length: int) -> None:
    if not isinstance(offset, int):
        raise TypeError(f"offset must be an int, not {type(offset).__name__}")
    if not 0 <= offset <= length:
        raise ValueError(f"offset {offset} is outside 0..{length}")


def _check_range(text: str, start: int, end: int) -> None:
    _check_offset(start, len(text))
    _check_offset(end, len(text))
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
