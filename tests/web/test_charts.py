"""Geometry of the agreement page's SVG charts."""

from annotator.core.agreement import Estimate
from annotator.web.charts import Axis, interval_chart, value_axis


def test_an_axis_maps_values_and_clamps_what_falls_outside():
    axis = Axis(0.0, 1.0, 100, 300)
    assert (axis.at(0.0), axis.at(0.5), axis.at(1.0)) == (100, 200, 300)
    assert axis.at(-3) == 100
    assert [text for _, text in axis.ticks()] == [
        "0.0",
        "0.2",
        "0.4",
        "0.6",
        "0.8",
        "1.0",
    ]
    assert [name for _, _, name in axis.thresholds()] == ["tentative", "reliable"]


def test_the_value_axis_reaches_the_lowest_interval_end_but_not_past_minus_one():
    found = value_axis([Estimate(0.3, ci_low=-0.21, ci_high=0.5)], 0, 100)
    assert (found.low, found.high) == (-0.3, 1.0)
    assert value_axis([Estimate(-4.0)], 0, 100).low == -1.0
    assert value_axis([Estimate(None, "no spans")], 0, 100).low == 0.0


def test_an_undefined_figure_is_text_without_a_dot_and_a_low_one_is_marked():
    chart = interval_chart(
        [("claim", [Estimate(None, "no spans"), Estimate(-2.0, ci_low=-3, ci_high=-1)])]
    )
    undefined, low = chart.rows[0].marks
    assert (undefined.x, undefined.text) == (None, "—, no spans")
    assert low.below_axis
    assert low.x == chart.axis.start
