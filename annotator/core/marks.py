"""A text cut into marked pieces, for pages that draw one layer of spans
without JavaScript (the document page of the team view).

The same drawing as the annotation page (``static/js/annotate/render.js``):
the text is split into paragraphs after each line feed; inside a paragraph it
is cut at every span boundary, and each piece carries the spans covering it,
each span keeping one lane (underline depth) across the paragraph, so nested
and overlapping spans show as separate stacked underlines. Offsets are code
points, end exclusive; the pieces hold exactly the text, in order.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

#: Lanes the stylesheet draws (``.lane-0`` .. ``.lane-7``); deeper ones share
#: the last.
MAX_LANE = 7


@dataclass(frozen=True, slots=True)
class Mark:
    """One span over a piece: its index in the caller's list and its lane."""

    span: int
    lane: int


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    marks: tuple[Mark, ...]  # lowest lane first: the outermost element


@dataclass(frozen=True, slots=True)
class Paragraph:
    pieces: tuple[Piece, ...]
    depth: int  # lanes used, at most MAX_LANE + 1


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs begin: 0, and after each line feed but the
    last character."""
    starts = [0]
    at = text.find("\n")
    while at != -1 and at + 1 < len(text):
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def _lanes(pieces: Sequence[tuple[int, int, int]]) -> tuple[dict[int, int], int]:
    """Span index -> the lowest lane free where it starts, and lanes used."""
    ends: list[int] = []
    lanes: dict[int, int] = {}
    for start, end, index in pieces:
        lane = next((i for i, taken in enumerate(ends) if taken <= start), None)
        if lane is None:
            lane = len(ends)
            ends.append(end)
        ends[lane] = end
        lanes[index] = lane
    return lanes, len(ends)


def _paragraph(
    text: str, start: int, end: int, spans: Sequence[tuple[int, int, int]]
) -> Paragraph:
    pieces = sorted(
        ((max(s, start), min(e, end), index) for s, e, index in spans),
        key=lambda piece: (piece[0], -piece[1], piece[2]),
    )
    lanes, depth = _lanes(pieces)
    points = sorted({start, end, *(p[0] for p in pieces), *(p[1] for p in pieces)})
    cut = []
    active: list[tuple[int, int, int]] = []
    following = 0
    for left, right in pairwise(points):
        active = [piece for piece in active if piece[1] > left]
        while following < len(pieces) and pieces[following][0] <= left:
            active.append(pieces[following])
            following += 1
        active.sort(key=lambda piece: lanes[piece[2]])
        marks = tuple(Mark(i, min(lanes[i], MAX_LANE)) for _, _, i in active)
        cut.append(Piece(text[left:right], marks))
    return Paragraph(tuple(cut), min(depth, MAX_LANE + 1))


def paragraphs(text: str, spans: Iterable[tuple[int, int]]) -> list[Paragraph]:
    """``text`` cut at the boundaries of ``spans`` ((start, end), code points,
    end exclusive), paragraph by paragraph; a mark's ``span`` is the index of
    its span in ``spans``. Spans outside the text are clipped to it."""
    starts = paragraph_starts(text)
    ends = [*starts[1:], len(text)]
    buckets: list[list[tuple[int, int, int]]] = [[] for _ in starts]
    for index, (start, end) in enumerate(spans):
        start, end = max(start, 0), min(end, len(text))
        if start >= end:
            continue
        first = bisect_right(starts, start) - 1
        last = bisect_right(starts, end - 1) - 1
        for p in range(first, last + 1):
            buckets[p].append((start, end, index))
    return [
        _paragraph(text, start, end, bucket)
        for start, end, bucket in zip(starts, ends, buckets, strict=True)
    ]
