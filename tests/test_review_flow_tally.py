"""The review-flow benchmark's counting (bench/review_flow_tally.py): no browser."""

from __future__ import annotations

import pytest

from bench.review_flow_tally import Input, Run, Step, summarise, table, verdict


def key(name: str, ms: float = 100.0) -> Input:
    return Input("key", name, ms)


def click(ms: float = 50.0) -> Input:
    return Input("click", "click", ms)


def scroll(distance: float) -> Input:
    return Input("scroll", "scroll", 10.0, distance)


def stacked_run(ms: float = 100.0) -> Run:
    """Accept-agreed, two groups (one needing a scroll), adjudicate."""
    return Run(
        (
            Step("accept agreed", None, [click()]),
            Step("boundary", 0, [key("n", ms), click(), key("a", ms)], False, 1500.0),
            Step("partial", 3, [scroll(800.0), key("n", ms), key("r", ms)], True, 90.0),
            Step("adjudicate", None, [scroll(4000.0), click()]),
        )
    )


def lanes_run(ms: float = 100.0) -> Run:
    return Run(
        (
            Step("accept agreed", None, [click()]),
            Step("boundary", 0, [key("1", ms)], True, 200.0),
            Step("partial", 3, [key("1", ms)], True, 200.0),
            Step("adjudicate", None, [key("Shift+A")]),
        )
    )


def test_counts_every_key_click_and_scroll_per_group() -> None:
    summary = summarise([stacked_run()], disagreements=4)
    assert summary.groups == 2
    assert summary.events_per_group == 3
    assert summary.max_events == 3
    assert summary.events_per_disagreement == 6 / 4
    assert summary.group_scrolls == 1
    assert summary.total_events == 9
    assert summary.total_scrolls == 2
    assert summary.scrolled == 4800
    assert summary.marks_out_of_view == 1
    assert summary.marks_apart == (1500 + 90) / 2


def test_page_time_is_the_median_over_runs_of_the_mean_per_group() -> None:
    runs = [lanes_run(ms) for ms in (100.0, 300.0, 200.0)]
    summary = summarise(runs, disagreements=2)
    assert summary.seconds_per_group == pytest.approx(0.2)
    assert summary.total_seconds == pytest.approx(0.05 + 0.2 + 0.2 + 0.1)


def test_goal_needs_two_events_at_most_and_no_scroll_to_reach_a_group() -> None:
    assert summarise([lanes_run()], 2).goal_met
    stacked = summarise([stacked_run()], 4)
    assert not stacked.goal_met
    assert "NOT met (max 3 events, 1 scrolls)" in verdict(stacked)
    two_keys = Run((Step("boundary", 0, [key("n"), key("1")]),))
    assert summarise([two_keys], 1).goal_met
    one_scroll = Run((Step("boundary", 0, [scroll(100.0), key("1")]),))
    assert not summarise([one_scroll], 1).goal_met


def test_runs_that_made_different_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="different inputs"):
        summarise([stacked_run(), lanes_run()], 2)


def test_table_shows_both_pages_and_the_ratio() -> None:
    shown = table(summarise([stacked_run()], 4), summarise([lanes_run()], 4))
    assert "| input events per group decided (mean) | 3 | 1 | 0.33 |" in shown
    assert "| scroll distance in all (px) | 4,800 | 0 | 0.00 |" in shown
