"""What the review-flow benchmark counts, without a browser.

An *input* is one thing the reviewer does: a key press, a mouse click, or a
scroll gesture needed to bring the next control into view; each has the page
time it cost (from the input to the first animation frame after the page
stopped changing, think time excluded). A *step* is the inputs spent on one
group (reaching it, taking a version) or on the document (accepting the agreed
spans, adjudicating). A *run* is one reviewer session on one page.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["key", "click", "scroll"]

#: The issue's goal, per group where the reviewer takes one annotator's version.
GOAL_EVENTS = 2
GOAL_SCROLLS = 0


@dataclass(frozen=True, slots=True)
class Input:
    kind: Kind
    name: str
    ms: float
    distance: float = 0.0  # pixels, scroll gestures only


@dataclass(slots=True)
class Step:
    """Inputs spent on one group (``group`` is its index) or the document."""

    what: str
    group: int | None = None
    inputs: list[Input] = field(default_factory=list)
    marks_in_view: bool | None = None  # the group's marks in the text, when acting
    marks_apart: float | None = None  # px from its decision control to its marks

    @property
    def events(self) -> int:
        return len(self.inputs)

    @property
    def scrolls(self) -> int:
        return sum(1 for found in self.inputs if found.kind == "scroll")

    @property
    def scrolled(self) -> float:
        return sum(found.distance for found in self.inputs)

    @property
    def seconds(self) -> float:
        return sum(found.ms for found in self.inputs) / 1000

    def describe(self) -> str:
        return " ".join(found.name for found in self.inputs)


@dataclass(frozen=True, slots=True)
class Run:
    """One review of the document, start to adjudication."""

    steps: tuple[Step, ...]

    @property
    def groups(self) -> list[Step]:
        return [step for step in self.steps if step.group is not None]

    def events(self) -> int:
        return sum(step.events for step in self.steps)

    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)


@dataclass(frozen=True, slots=True)
class Summary:
    """One page's figures: input counts from the last run (every run makes
    the same inputs), times as the median over runs."""

    groups: int
    disagreements: int
    events_per_group: float
    max_events: int
    group_events: int
    group_scrolls: int
    total_events: int
    total_scrolls: int
    scrolled: float
    seconds_per_group: float
    total_seconds: float
    marks_out_of_view: int
    marks_apart: float | None

    @property
    def events_per_disagreement(self) -> float:
        """Events on groups over every disagreeing group, however decided."""
        return self.group_events / self.disagreements if self.disagreements else 0

    @property
    def goal_met(self) -> bool:
        return self.max_events <= GOAL_EVENTS and self.group_scrolls <= GOAL_SCROLLS


def summarise(runs: Sequence[Run], disagreements: int) -> Summary:
    """``runs`` of one page on a document with ``disagreements`` disagreeing
    groups; raises ValueError when the runs made different inputs."""
    if not runs:
        raise ValueError("no run to summarise")
    last = runs[-1]
    shapes = {tuple(step.describe() for step in run.steps) for run in runs}
    if len(shapes) > 1:
        raise ValueError("the runs made different inputs: " + repr(sorted(shapes)))
    groups = last.groups
    per_group = [
        statistics.fmean(step.seconds for step in run.groups) if run.groups else 0.0
        for run in runs
    ]
    apart = [step.marks_apart for step in groups if step.marks_apart is not None]
    return Summary(
        groups=len(groups),
        disagreements=disagreements,
        events_per_group=statistics.fmean(s.events for s in groups) if groups else 0,
        max_events=max((step.events for step in groups), default=0),
        group_events=sum(step.events for step in groups),
        group_scrolls=sum(step.scrolls for step in groups),
        total_events=last.events(),
        total_scrolls=sum(step.scrolls for step in last.steps),
        scrolled=sum(step.scrolled for step in last.steps),
        seconds_per_group=statistics.median(per_group),
        total_seconds=statistics.median(run.seconds() for run in runs),
        marks_out_of_view=sum(1 for step in groups if step.marks_in_view is False),
        marks_apart=statistics.median(apart) if apart else None,
    )


def _ratio(before: float | None, after: float | None) -> str:
    if before is None or after is None or not before:
        return ""
    return f"{after / before:.2f}"


#: The table's rows: a name, the Summary field, and whether a ratio means much.
ROWS = (
    ("groups decided one by one (of the disagreeing groups)", "groups", False),
    ("input events per group decided (mean)", "events_per_group", True),
    ("input events per group decided (max)", "max_events", True),
    ("input events on groups / disagreeing groups", "events_per_disagreement", True),
    ("scroll gestures to reach a group", "group_scrolls", True),
    ("input events in all, with accept-agreed and adjudicate", "total_events", True),
    ("scroll gestures in all", "total_scrolls", True),
    ("scroll distance in all (px)", "scrolled", True),
    ("page seconds per group decided (median of runs)", "seconds_per_group", True),
    ("page seconds in all (median of runs)", "total_seconds", True),
    ("groups decided with their marks in the text out of view", "marks_out_of_view",
     False),
    ("px from a group's decision control to its nearest mark (median)",
     "marks_apart", True),
)  # fmt: skip


def table(before: Summary, after: Summary) -> str:
    """The before/after table, with after/before ratios, as Markdown."""
    lines = ["| figure | before | after | after / before |", "|---|---|---|---|"]
    for name, key, ratio in ROWS:
        old, new = getattr(before, key), getattr(after, key)
        shown = _ratio(old, new) if ratio else ""
        lines.append(f"| {name} | {_cell(old)} | {_cell(new)} | {shown} |")
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"


def verdict(summary: Summary) -> str:
    """Whether the issue's goal holds, in words."""
    met = "met" if summary.goal_met else "NOT met"
    return (
        f"goal (<= {GOAL_EVENTS} input events per group taking one version, "
        f"{GOAL_SCROLLS} scrolls to reach the next group): {met} "
        f"(max {summary.max_events} events, {summary.group_scrolls} scrolls)"
    )
