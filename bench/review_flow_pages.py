"""Adjudicating one document on each review page, taking annotator A's
version of every group, the way each page lets a reviewer do it.

Both pages first get one click on "Accept all agreed" (the same button on
both: it decides the groups every annotator drew alike), so the groups decided
one by one are the disagreements on both pages. Then, per group:

- stacked page (before): ``n`` moves to the next undecided disagreement and
  scrolls its table row into view; taking A's version means clicking A's span
  in the row, then ``a`` (once per span of A's; ``a`` without a chosen span
  is refused when there is no majority); where A marked nothing, ``r``. The
  page has no key for adjudicating: a click on "Adjudicate and next" (and one
  on the confirmation, if groups remain).
- lanes page (after): the first undecided group is focused on load and every
  decision moves on to the next one, so ``1`` takes A's version (rejecting the
  group where A marked nothing); Shift+A adjudicates (and Enter confirms the
  dialog, if groups remain).
"""

from __future__ import annotations

from typing import Any

from bench.review_flow_driver import Reviewer
from bench.review_flow_tally import Kind, Step

STATE = """() => JSON.parse(document.getElementById("review-data").textContent).api"""
# A group can take a few decisions; more than this means the flow is stuck.
MAX_TRIES = 4


def review_state(page: Any) -> dict[str, Any]:
    """The document's review state as the page's own API gives it."""
    response = page.request.get(page.evaluate(STATE))
    if not response.ok:
        raise RuntimeError(f"review state: {response.status}")
    found: dict[str, Any] = response.json()
    return found


def step(reviewer: Reviewer, what: str, group: int | None = None) -> Step:
    found = Step(what, group, reviewer.take_inputs())
    if group is not None:
        found.marks_in_view = reviewer.marks_in_view
        found.marks_apart = reviewer.marks_apart
    reviewer.marks_in_view = reviewer.marks_apart = None
    return found


def is_lanes_page(page: Any) -> bool:
    return bool(page.locator("#group-panel").count())


def adjudicate(page: Any, reading: bool = False) -> list[Step]:
    """Review the open page's document to the end; the steps it took.
    ``reading``: the reviewer looks at each group's words in the text first."""
    page.wait_for_selector("#review-data", state="attached")
    reviewer = Reviewer(page, reading)
    if is_lanes_page(page):
        page.wait_for_selector("#lanes[data-ready='true']")
        return lanes_flow(reviewer)
    page.wait_for_selector("#groups-body tr")
    return stacked_flow(reviewer)


# ------------------------------------------------------------------ before


def open_disagreements(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [g for g in state["groups"] if g["kind"] != "same" and not g["decided"]]


def a_spans_to_take(state: dict[str, Any], group: dict[str, Any]) -> list[int]:
    spans = {span["id"]: span for span in state["spans"]}
    return [
        span_id
        for span_id in group["span_ids"].get("A", [])
        if not spans[span_id]["in_gold"] and not spans[span_id]["rejected"]
    ]


def stacked_flow(reviewer: Reviewer) -> list[Step]:
    page = reviewer.page
    reviewer.click("#accept-agreed", "click Accept-all-agreed")
    steps = [step(reviewer, "accept agreed")]
    for _ in range(MAX_TRIES * len(review_state(page)["groups"])):
        state = review_state(page)
        if not open_disagreements(state):
            break
        reviewer.press("n")
        index = int(page.get_attribute("#groups-body tr.current", "data-index"))
        row = f'#groups-body tr[data-index="{index}"]'
        marks = "#rows mark.current"
        chosen = a_spans_to_take(state, state["groups"][index])
        if not chosen:
            reviewer.press("r", f"{row} button.reject", marks)
        for span_id in chosen:
            chip = f'{row} button.span-chip[data-span-id="{span_id}"]'
            reviewer.click(chip, "click A's span", marks)
            reviewer.press("a", chip, marks)
        steps.append(step(reviewer, state["groups"][index]["kind"], index))
    else:
        raise RuntimeError("the stacked page's groups did not get decided")
    undecided = review_state(page)["undecided"]
    if undecided:
        page.once("dialog", lambda dialog: dialog.accept())
    where = reviewer.see("#adjudicate-next")
    clicks: list[tuple[Kind, str]] = [("click", "click Adjudicate-and-next")]
    if undecided:  # the confirmation's OK is a click of its own
        clicks.append(("click", "click OK"))
    reviewer.navigate(lambda: page.mouse.click(where["x"], where["y"]), *clicks)
    steps.append(step(reviewer, f"adjudicate ({undecided} undecided)"))
    return steps


# ------------------------------------------------------------------- after


def undecided_count(page: Any) -> int:
    return int(page.get_attribute("#undecided", "data-count"))


def focused_group(page: Any) -> int:
    title = page.text_content("#group-title")  # "Group 3 of 25"
    return int(title.split()[1]) - 1


def lanes_flow(reviewer: Reviewer) -> list[Step]:
    page = reviewer.page
    reviewer.click("#accept-agreed", "click Accept-all-agreed")
    steps = [step(reviewer, "accept agreed")]
    kinds = [group["kind"] for group in review_state(page)["groups"]]
    take = '#group-panel button.take[data-annotator="A"]'
    stuck = 0
    while (left := undecided_count(page)) and stuck < MAX_TRIES:
        index = focused_group(page)
        reviewer.press("1", take, "#lanes .focus")
        if undecided_count(page) < left:
            steps.append(step(reviewer, kinds[index], index))
            stuck = 0
        else:
            stuck += 1
    if stuck:
        steps.append(step(reviewer, "stuck: 1 changed nothing"))
    undecided = undecided_count(page)

    def finish() -> None:
        page.keyboard.press("Shift+A")
        if undecided:
            page.wait_for_selector("#adjudicate-dialog[open]")
            page.keyboard.press("Enter")

    keys: list[tuple[Kind, str]] = [("key", "Shift+A")]
    if undecided:
        keys.append(("key", "Enter"))
    reviewer.navigate(finish, *keys)
    steps.append(step(reviewer, f"adjudicate ({undecided} undecided)"))
    return steps
