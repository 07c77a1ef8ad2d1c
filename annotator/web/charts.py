"""Geometry of the agreement page's SVG charts, drawn server-side by the
macros in templates/agreement/_charts.html: no chart library, no script.

Values are agreement figures (at most 1, possibly below 0); positions are SVG
user units in a fixed viewBox that the page scales to its width. Every mark
also carries its number as text, so the chart reads without colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.agreement import Estimate
from annotator.core.agreement.results import PeriodFigures
from annotator.core.agreement.verdict import RELIABLE, TENTATIVE

#: The two series every chart draws, told apart by shape and name.
SERIES = (
    ("alpha_u", "\u03b1u", "circle"),
    ("f1_partial", "span F1, partial", "square"),
)
#: Lowest value an axis shows; lower values are drawn at the edge with "<".
FLOOR = -1.0
WIDTH = 640


@dataclass(frozen=True, slots=True)
class Axis:
    """Maps values in [low, high] to positions in [start, end]."""

    low: float
    high: float
    start: float
    end: float

    def at(self, value: float) -> float:
        clamped = min(max(value, self.low), self.high)
        share = (clamped - self.low) / (self.high - self.low)
        return round(self.start + share * (self.end - self.start), 1)

    def ticks(self, step: float = 0.2) -> list[tuple[float, str]]:
        first = math.ceil(round(self.low / step, 6))
        last = math.floor(round(self.high / step, 6))
        values = [round(k * step, 6) for k in range(first, last + 1)]
        return [(self.at(value), f"{value:.1f}") for value in values]

    def thresholds(self) -> list[tuple[float, str, str]]:
        """Krippendorff's two thresholds: position, value text, name."""
        return [
            (self.at(TENTATIVE), f"{TENTATIVE:.3f}", "tentative"),
            (self.at(RELIABLE), f"{RELIABLE:.3f}", "reliable"),
        ]


def value_axis(estimates: Sequence[Estimate], start: float, end: float) -> Axis:
    """From the lowest value or interval end (to a tenth, at most down to
    -1, at least 0) up to 1."""
    found = [
        value
        for estimate in estimates
        for value in (estimate.value, estimate.ci_low)
        if value is not None
    ]
    low = min([0.0, *found])
    return Axis(max(FLOOR, math.floor(low * 10) / 10), 1.0, start, end)


@dataclass(frozen=True, slots=True)
class Mark:
    """One figure: a dot (circle or square) with its interval as a whisker."""

    series: str
    shape: str
    y: float
    x: float | None  # None: undefined, only the text is drawn
    x_low: float | None
    x_high: float | None
    text: str
    below_axis: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    y: float  # of the row's label
    marks: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class IntervalChart:
    """The per-label dot-and-whisker plot."""

    axis: Axis
    rows: tuple[Row, ...]
    height: float
    top: float
    bottom: float
    width: int = WIDTH


def _text(estimate: Estimate) -> str:
    if estimate.value is None:
        return f"—, {estimate.reason}"
    if estimate.ci_low is None or estimate.ci_high is None:
        return f"{estimate.value:.3f}"
    return f"{estimate.value:.3f} [{estimate.ci_low:.2f}, {estimate.ci_high:.2f}]"


def _mark(series: str, shape: str, y: float, e: Estimate, axis: Axis) -> Mark:
    def at(value: float | None) -> float | None:
        return None if value is None else axis.at(value)

    below = e.value is not None and e.value < axis.low
    return Mark(
        series, shape, y, at(e.value), at(e.ci_low), at(e.ci_high), _text(e), below
    )


def interval_chart(
    per_label: Sequence[tuple[str, Sequence[Estimate]]],
) -> IntervalChart:
    """Rows of ``(label, [alpha_u, f1_partial])`` as a dot-and-whisker plot."""
    top, row_height, step = 58.0, 44.0, 16.0
    axis = value_axis([e for _, found in per_label for e in found], 150, 470)
    rows = []
    for index, (label, found) in enumerate(per_label):
        y = top + index * row_height + 14
        marks = tuple(
            _mark(name, shape, y - step / 2 + k * step, estimate, axis)
            for k, ((name, _, shape), estimate) in enumerate(
                zip(SERIES, found, strict=True)
            )
        )
        rows.append(Row(label, y, marks))
    bottom = top + len(per_label) * row_height
    return IntervalChart(axis, tuple(rows), bottom + 30, top, bottom)


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    value: float
    thin: bool  # too few documents that week to trust it


@dataclass(frozen=True, slots=True)
class WeekChart:
    """Agreement per week: one column per week, a line per series."""

    axis: Axis  # vertical: values to y
    columns: tuple[tuple[float, str, bool], ...]  # x, week label, label shown
    series: tuple[tuple[str, str, str, tuple[Point, ...]], ...]  # key, name, shape
    left: float
    right: float
    height: float
    width: int = WIDTH


def week_chart(periods: Sequence[PeriodFigures], min_documents: int) -> WeekChart:
    """Each week's alpha-u and partial span F1 (the headline on its documents)."""
    left, right, top, bottom = 56.0, WIDTH - 120.0, 20.0, 200.0
    estimates = [getattr(p, key) for p in periods for key, _, _ in SERIES]
    axis = value_axis(estimates, bottom, top)
    gap = (right - left) / max(len(periods), 1)
    thin = [p.n_documents < min_documents for p in periods]
    every = max(1, math.ceil(len(periods) / 8))  # at most 8 week labels
    columns = tuple(
        (round(left + gap * (i + 0.5), 1), p.period, i % every == 0)
        for i, p in enumerate(periods)
    )
    series = tuple(
        (
            key,
            name,
            shape,
            tuple(
                Point(x, axis.at(value), value, few)
                for (x, _, _), p, few in zip(columns, periods, thin, strict=True)
                if (value := getattr(p, key).value) is not None
            ),
        )
        for key, name, shape in SERIES
    )
    return WeekChart(axis, columns, series, left, right, bottom + 52)
