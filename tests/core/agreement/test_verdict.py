"""The verdict rule on Krippendorff's scale, at its boundaries."""

import math

import pytest

from annotator.core.agreement.verdict import (
    RELIABLE,
    TENTATIVE,
    Verdict,
    reading,
    verdict,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, Verdict.RELIABLE),
        (0.800, Verdict.RELIABLE),
        (0.79951, Verdict.RELIABLE),  # shown as 0.800
        (0.7994, Verdict.TENTATIVE),  # shown as 0.799
        (0.667, Verdict.TENTATIVE),
        (0.6665001, Verdict.TENTATIVE),  # shown as 0.667
        (2 / 3, Verdict.TENTATIVE),  # 0.6667, shown as 0.667
        (0.6664, Verdict.NOT_RELIABLE),  # shown as 0.666
        (0.0, Verdict.NOT_RELIABLE),
        (-0.4, Verdict.NOT_RELIABLE),
        (None, Verdict.UNDEFINED),
        (math.nan, Verdict.UNDEFINED),
    ],
)
def test_verdict_reads_the_figure_as_shown(value, expected):
    assert verdict(value) is expected
    if value is not None and not math.isnan(value):
        shown = float(f"{value:.3f}")
        assert verdict(shown) is expected  # the printed figure, the same verdict


def test_the_scale_is_krippendorffs():
    assert (RELIABLE, TENTATIVE) == (0.8, 0.667)


def test_a_reading_says_the_verdict_and_what_it_means():
    found = reading(0.85, 0.81, 0.9)
    assert found.verdict is Verdict.RELIABLE
    assert found.text.startswith("Reliable: the annotators agree well enough")
    assert "interval" not in found.text  # all of it is reliable


def test_a_reading_names_an_interval_that_crosses_the_thresholds():
    found = reading(0.7, 0.6, 0.82)
    assert found.verdict is Verdict.TENTATIVE
    assert "(0.600 to 0.820) runs from “not reliable” to “reliable”" in found.text


def test_a_reading_of_thin_data_or_of_nothing_says_so():
    thin = reading(0.9, too_few="only 2 documents: too few to trust")
    assert thin.text.endswith("But only 2 documents: too few to trust.")
    none = reading(None, reason="only one annotator")
    assert (none.verdict, none.text) == (
        Verdict.UNDEFINED,
        "No verdict: only one annotator.",
    )
    assert none.to_dict() == {"verdict": "no verdict", "reading": none.text}
