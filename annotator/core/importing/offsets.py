"""How another tool counted its offsets: code points or UTF-16 code units.

Python tools (Prodigy, brat's server, spaCy) count code points, as we do;
browser tools count what JavaScript's ``String.length`` counts, UTF-16 code
units, in which a character outside the Basic Multilingual Plane (most emoji,
rare CJK) takes two. In a text without such characters both readings are the
same number. Otherwise ``decide`` weighs the evidence of one document's spans,
strongest first:

1. the tool's own copy of each span's text (Label Studio's ``value.text``)
   equals ``text[start:end]`` under one reading more often than the other;
2. span edges that would split a character (inside a surrogate pair, or
   inside an extended grapheme cluster: an emoji with its skin tone or ZWJ
   partners, a letter and its combining marks) under one reading only;
3. span edges on word edges (not inside a word, not on a space) under one
   reading more often than the other.

With no evidence either way the spans are read as code points, and the
decision says so. Everything here is code points into ``text`` once read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.core.offsets import GraphemeIndex, OffsetIndex

Units = Literal["codepoints", "utf16"]
OffsetMode = Literal["codepoints", "utf16", "auto"]
OFFSET_MODES: tuple[OffsetMode, ...] = ("codepoints", "utf16", "auto")
UNIT_NAMES = {"codepoints": "code points", "utf16": "UTF-16 code units"}


@dataclass(frozen=True, slots=True)
class Edges:
    """One span's offsets as the tool wrote them, and its copy of the text."""

    start: int
    end: int
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """How a document's offsets are read; ``same`` when both readings agree."""

    units: Units
    evidence: str
    same: bool = False
    #: Only word edges, or nothing, told the readings apart: a guess.
    weak: bool = False


@dataclass(frozen=True, slots=True)
class _Score:
    """What one reading makes of a document's spans."""

    converted: tuple[tuple[int, int] | None, ...]
    split: int
    first_split: int | None
    text_matches: int
    word_edges: int


def to_code_point(index: OffsetIndex, offset: int, units: Units) -> int:
    """Code point offset of ``offset`` counted in ``units``; ValueError when it
    is outside the text or inside a surrogate pair."""
    if units == "codepoints":
        if not 0 <= offset <= index.length:
            raise ValueError(f"offset {offset} is outside 0..{index.length}")
        return offset
    return index.from_utf16(offset)


def decide(
    text: str, spans: Sequence[Edges], index: OffsetIndex | None = None
) -> Decision:
    """The reading of ``spans`` (offsets as the tool wrote them) that the
    evidence favours; code points when there is none. ``index`` is
    ``OffsetIndex(text)`` when the caller has one."""
    index = index or OffsetIndex(text)
    if index.utf16_length == index.length:
        return Decision(
            "codepoints",
            "no character outside the BMP: both readings are the same offsets",
            same=True,
        )
    texts = _text_votes(index, spans)
    if texts is not None:
        return texts
    graphemes = GraphemeIndex(text)
    points = _score(index, graphemes, spans, "codepoints")
    units = _score(index, graphemes, spans, "utf16")
    if points.converted == units.converted:
        return Decision(
            "codepoints",
            "every span lies before the first character outside the BMP: both "
            "readings are the same offsets",
            same=True,
        )
    return _weigh(points, units, len(spans))


def _text_votes(index: OffsetIndex, spans: Sequence[Edges]) -> Decision | None:
    """The decision when the tool's span texts favour one reading (evidence 1,
    checked first because it is the strongest and the cheapest), else None."""
    text, length = index.text, index.length
    copies = [span for span in spans if span.text is not None]
    points = sum(
        1
        for span in copies
        if 0 <= span.start <= span.end <= length
        and text[span.start : span.end] == span.text
    )
    if copies and points == len(copies):
        # UTF-16 can at best tie: code points it is, without converting.
        return Decision(
            "codepoints",
            f"the tool's span texts match all {points} spans as code points",
        )
    units = 0
    for span in copies:
        try:
            start, end = index.from_utf16(span.start), index.from_utf16(span.end)
        except ValueError:
            continue
        units += text[start:end] == span.text
    if points == units:
        return None
    winner: Units = "utf16" if units > points else "codepoints"
    return Decision(
        winner,
        f"the tool's span texts match {units} of {len(spans)} spans "
        f"as UTF-16 and {points} as code points",
    )


def _weigh(points: _Score, units: _Score, total: int) -> Decision:
    winner: Units
    if points.text_matches != units.text_matches:
        winner = "utf16" if units.text_matches > points.text_matches else "codepoints"
        return Decision(
            winner,
            f"the tool's span texts match {units.text_matches} of {total} spans "
            f"as UTF-16 and {points.text_matches} as code points",
        )
    if points.split != units.split:
        winner = "utf16" if units.split < points.split else "codepoints"
        loser = points if winner == "utf16" else units
        loser_name = UNIT_NAMES["codepoints" if winner == "utf16" else "utf16"]
        return Decision(
            winner,
            f"{loser.split} span edge(s) would split a character as {loser_name} "
            f"(first at offset {loser.first_split}), "
            f"{min(points.split, units.split)} as {UNIT_NAMES[winner]}",
        )
    if points.word_edges != units.word_edges:
        winner = "utf16" if units.word_edges > points.word_edges else "codepoints"
        return Decision(
            winner,
            f"only word edges tell the readings apart, a weak sign: "
            f"{units.word_edges} of {2 * total} span edges fall on word edges as "
            f"UTF-16, {points.word_edges} as code points",
            weak=True,
        )
    return Decision(
        "codepoints",
        "nothing tells the readings apart: read as code points, check the spans",
        weak=True,
    )


def _score(
    index: OffsetIndex, graphemes: GraphemeIndex, spans: Sequence[Edges], units: Units
) -> _Score:
    text = index.text
    converted: list[tuple[int, int] | None] = []
    split = matches = edges = 0
    first_split: int | None = None
    for span in spans:
        try:
            start = to_code_point(index, span.start, units)
            end = to_code_point(index, span.end, units)
        except ValueError:
            converted.append(None)
            split += 1
            first_split = span.start if first_split is None else first_split
            continue
        converted.append((start, end))
        for offset in (start, end):
            if not graphemes.is_boundary(offset):
                split += 1
                first_split = offset if first_split is None else first_split
        matches += span.text is not None and text[start:end] == span.text
        edges += _starts_word(text, start) + _ends_word(text, end)
    return _Score(tuple(converted), split, first_split, matches, edges)


def _starts_word(text: str, offset: int) -> bool:
    if offset >= len(text) or text[offset].isspace():
        return False
    return offset == 0 or not (text[offset - 1].isalnum() and text[offset].isalnum())


def _ends_word(text: str, offset: int) -> bool:
    if offset <= 0 or text[offset - 1].isspace():
        return False
    return offset == len(text) or not (
        text[offset - 1].isalnum() and text[offset].isalnum()
    )
