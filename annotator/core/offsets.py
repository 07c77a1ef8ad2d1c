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

Characters as a reader sees them: an extended grapheme cluster of Unicode's
UAX #29 (a base with its combining marks, an emoji with its skin tone or ZWJ
partners, a flag's two regional indicators, a Hangul L V T syllable, CRLF) is
one character on the page, however many code points it holds. A stored span
starts and ends only on cluster boundaries: ``GraphemeIndex`` finds them
with the ``regex`` package's ``\\X``, each stretch of a text at most once and
only where asked; the browser twin uses ``Intl.Segmenter``, and both are
tested on ``tests/data/grapheme_cases.json``. One difference is known: in
malformed Indic text, a virama that follows no consonant, then a consonant
(``a\\u094d\\u0915``), is one cluster for ``regex``
and two for the browsers (rule GB9c wants a consonant first); the server then
refuses the edge the page offers between them.

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

import regex

from annotator.core.tokens import tokenize

Range = tuple[int, int]
Rounding = Literal["error", "down", "up"]

_ROUNDINGS = ("error", "down", "up")

_CLUSTER = regex.compile(r"\X")
# Code points next to which UAX #29 may not break: every rule that joins two
# code points (GB3 to GB13) has one of these on one side or the other (CR
# before LF, Prepend and Hangul L before anything, ZWJ before an emoji, GB9c's
# linkers, which are Extend, before a consonant; Extend, ZWJ, SpacingMark,
# Hangul V and T, and a regional indicator after anything). An offset with
# none of them on either side is a boundary whatever comes before or after, so
# only the stretch of such offsets around a questioned one needs ``\X``, which
# costs about half a microsecond a code point: a span edge in prose costs two
# cached look-ups, and checking the spans of a document never reads it whole.
_JOINERS = regex.compile(
    "[\r"
    + "".join(
        rf"\p{{Grapheme_Cluster_Break={kind}}}"
        for kind in (
            "Extend",
            "ZWJ",
            "SpacingMark",
            "Prepend",
            "L",
            "V",
            "T",
            "Regional_Indicator",
        )
    )
    + "]"
)


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


class GraphemeIndex:
    """Extended grapheme cluster boundaries (UAX #29) of one text, code points.

    0 and ``length`` are always boundaries. An offset between two code points
    that never join (see ``_JOINERS``) is answered from them alone; any other
    from ``\\X`` over the stretch of possibly joined code points around it,
    each stretch segmented at most once per index. So checking the edges of
    many spans of one text costs per edge, not per code point of the text.
    """

    __slots__ = ("_ends", "_plain", "_starts", "_stretches", "length", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)
        # In ASCII only CR LF joins: most English text needs no look-up at all.
        self._plain = text.isascii() and "\r" not in text
        # Stretches segmented so far, and their clusters of 2+ code points:
        # disjoint, in order, as starts and ends for binary search.
        self._stretches: tuple[list[int], list[int]] = ([], [])
        self._starts: list[int] = []
        self._ends: list[int] = []

    def is_boundary(self, offset: int) -> bool:
        """Whether code point ``offset`` (0 ≤ offset ≤ length) splits no cluster."""
        _check_offset(offset, self.length)
        return self.cluster_at(offset) == (offset, offset)

    def on_boundaries(self, start: int, end: int) -> bool:
        """Whether neither code point offset (each 0..length) splits a cluster;
        ``is_boundary`` twice, without its checks, for imports' many spans."""
        if self._plain:
            return True
        text, length, known = self.text, self.length, _JOINS.get
        for offset in (start, end):
            if not 0 < offset < length:
                continue
            before, at = text[offset - 1], text[offset]
            # .get, not "in" then [ ]: another thread may clear the cache
            # between the two (see _joins).
            joins_before = known(before)
            if joins_before is None:
                joins_before = _joins(before)
            joins_at = known(at)
            if joins_at is None:
                joins_at = _joins(at)
            if joins_before or joins_at:
                return self.is_boundary(start) and self.is_boundary(end)
        return True

    def cluster_at(self, offset: int) -> Range:
        """The cluster strictly around code point ``offset``, or (offset, offset)."""
        if self._plain or not 0 < offset < self.length or not self._may_join(offset):
            return offset, offset
        self._segment_around(offset)
        found = bisect_right(self._starts, offset) - 1
        if found < 0 or not self._starts[found] < offset < self._ends[found]:
            return offset, offset
        return self._starts[found], self._ends[found]

    def boundaries(self) -> list[int]:
        """Every boundary, 0 and ``length`` included, in order."""
        return [offset for offset in range(self.length + 1) if self.is_boundary(offset)]

    def snap(self, start: int, end: int) -> Range:
        """Code points ``[start, end)`` widened to the nearest cluster boundaries."""
        _check_offset(start, self.length)
        _check_offset(end, self.length)
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        return self.cluster_at(start)[0], self.cluster_at(end)[1]

    def _may_join(self, offset: int) -> bool:
        """Whether a joiner is just before or at ``offset`` (0 < offset < length)."""
        return _joins(self.text[offset - 1]) or _joins(self.text[offset])

    def _segment_around(self, offset: int) -> None:
        """Find the clusters between the boundaries nearest ``offset`` that
        need no context (offsets ``_may_join`` says no to, or the ends), once."""
        firsts, lasts = self._stretches
        known = bisect_right(firsts, offset) - 1
        if known >= 0 and offset < lasts[known]:
            return
        first = offset - 1
        while first > 0 and self._may_join(first):
            first -= 1
        last = offset + 1
        while last < self.length and self._may_join(last):
            last += 1
        firsts.insert(known + 1, first)
        lasts.insert(known + 1, last)
        starts, ends = _long_clusters(self.text, first, last)
        at = bisect_left(self._starts, first)
        self._starts[at:at] = starts
        self._ends[at:at] = ends


def grapheme_boundaries(text: str) -> list[int]:
    """Code point offsets between extended grapheme clusters, 0 and len included."""
    return GraphemeIndex(text).boundaries()


def snap_to_graphemes(text: str, start: int, end: int) -> Range:
    """Code points ``[start, end)`` widened so that neither edge splits a cluster."""
    return GraphemeIndex(text).snap(start, end)


#: Whether each code point seen lately is a joiner: ``_JOINERS`` costs about
#: 100 ns a match, a dictionary look-up a third of that. Emptied when full, so
#: that a text of every code point cannot make it grow without bound.
_JOINS: dict[str, bool] = {}
_JOINS_KEPT = 65_536


def _joins(character: str) -> bool:
    found = _JOINS.get(character)
    if found is None:
        if len(_JOINS) >= _JOINS_KEPT:
            _JOINS.clear()
        found = _JOINS[character] = _JOINERS.match(character) is not None
    return found


def _long_clusters(text: str, first: int, last: int) -> tuple[list[int], list[int]]:
    """Starts and ends of the clusters of 2+ code points in ``text[first:last]``,
    whose ends are boundaries whatever the context (so the slice's clusters
    are the text's)."""
    starts, ends = [], []
    for cluster in _CLUSTER.findall(text[first:last]):
        if len(cluster) > 1:
            starts.append(first)
            ends.append(first + len(cluster))
        first += len(cluster)
    return starts, ends


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
