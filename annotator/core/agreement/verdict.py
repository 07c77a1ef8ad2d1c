"""The verdict on an agreement figure: one hard rule, stated once.

Krippendorff's scale for alpha (Krippendorff 2004, *Content Analysis*, 2nd
ed., sec. 11.4.1, p. 241): rely on data with alpha >= 0.800, draw only
tentative conclusions from 0.667 <= alpha < 0.800, and do not rely on data
below 0.667. The same scale is applied to span F1 between annotators: F1 is
the limit of kappa as the units nobody marked grow many (Hripcsak &
Rothschild 2005), which is the case for spans in running text.

The rule reads the figure **as the page prints it**, rounded to three
decimals, so that a figure shown as 0.800 is never called "tentative".
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

#: At or above: reliable (Krippendorff 2004).
RELIABLE = 0.800
#: At or above (and below RELIABLE): tentative conclusions only.
TENTATIVE = 0.667
#: Decimals the figures are shown with; the rule reads the shown value.
DECIMALS = 3

SCALE_SOURCE = (
    "K. Krippendorff (2004), Content Analysis: An Introduction to Its "
    "Methodology, 2nd ed., p. 241"
)


class Verdict(enum.StrEnum):
    RELIABLE = "reliable"
    TENTATIVE = "tentative"
    NOT_RELIABLE = "not reliable"
    UNDEFINED = "no verdict"


def verdict(value: float | None) -> Verdict:
    """The verdict on an agreement figure: reliable at 0.800 and above,
    tentative from 0.667, not reliable below; no verdict when the figure is
    undefined (None or NaN). Compared as shown, to three decimals."""
    if value is None or math.isnan(value):
        return Verdict.UNDEFINED
    shown = round(value, DECIMALS)
    if shown >= RELIABLE:
        return Verdict.RELIABLE
    if shown >= TENTATIVE:
        return Verdict.TENTATIVE
    return Verdict.NOT_RELIABLE


#: What each verdict means for the person using the annotations.
MEANING = {
    Verdict.RELIABLE: "the annotators agree well enough to rely on their spans",
    Verdict.TENTATIVE: (
        "good enough for tentative conclusions only; adjudicate the "
        "disagreements before relying on the spans"
    ),
    Verdict.NOT_RELIABLE: (
        "the annotators disagree too often to rely on their spans; clarify the "
        "guidelines and adjudicate"
    ),
    Verdict.UNDEFINED: "the figure cannot be computed",
}


@dataclass(frozen=True, slots=True)
class Reading:
    """A figure's verdict and a one-line reading of it in plain words."""

    verdict: Verdict
    text: str

    @property
    def detail(self) -> str:
        """The reading without its leading verdict (the page shows that apart)."""
        rest = self.text.split(": ", 1)[1]
        return rest[:1].upper() + rest[1:]

    def to_dict(self) -> dict[str, str]:
        return {"verdict": str(self.verdict), "reading": self.text}


def reading(
    value: float | None,
    ci_low: float | None = None,
    ci_high: float | None = None,
    reason: str | None = None,
    too_few: str | None = None,
) -> Reading:
    """The verdict on ``value`` and one sentence saying what it means, where
    its confidence interval would put it when that differs, and ``too_few``
    (a warning that the data are too thin) when given."""
    found = verdict(value)
    if found is Verdict.UNDEFINED:
        return Reading(found, f"No verdict: {reason or MEANING[found]}.")
    text = f"{str(found).capitalize()}: {MEANING[found]}."
    if ci_low is not None and ci_high is not None:
        low, high = verdict(ci_low), verdict(ci_high)
        if {low, high} != {found}:
            where = (
                f"lies in “{low}”" if low is high else f"runs from “{low}” to “{high}”"
            )
            text += (
                f" Its 95% interval ({ci_low:.3f} to {ci_high:.3f}) {where}: "
                "more documents would settle it."
            )
    if too_few:
        text += f" But {too_few}."
    return Reading(found, text)
