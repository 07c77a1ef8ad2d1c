"""Adjudicating demo document 2 end to end, before and after: input events,
scrolls and page time per group (issue 12, "Measure").

For each ref, its tree is exported with ``git archive`` (no checkout), seeded
with its own ``annotator db upgrade`` and ``annotator seed`` and served with its
own ``annotator serve``; Chromium (Playwright, 1400x900) logs in as the demo
reviewer rita, opens the review page of the demo document with 15
disagreeing groups, and adjudicates it taking annotator A's version of every
group, counting each key press, click and scroll gesture
(``bench/review_flow_pages.py`` says how each page is driven). Each run starts
from a fresh copy of the seeded database, and the runs alternate between the
two refs so that both see the same machine load. Goal: at most 2 input events per
group and no scrolling to reach the next group.

    .venv/bin/python -m bench.review_flow_bench [--before REF] [--after REF]
        [--runs 3] [--steps] [--read]

``--read``: before deciding, the reviewer looks at the group's words in the
text, scrolling to them (one counted gesture) when none is in view.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from bench.review_flow_pages import adjudicate, review_state
from bench.review_flow_tally import Run, summarise, table, verdict
from bench.review_flow_tree import Tree, export, seeded, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 900}
REVIEWER = ("rita", "demo-rita-pass")
PROJECT = 1  # the demo project, the only one the seed makes
DISAGREEMENTS = 15  # "document 2: 15 groups" in the issue


def log_in(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(REVIEWER[0])
    page.get_by_label("Password").fill(REVIEWER[1])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def open_document(page: Any, document: int) -> dict[str, Any]:
    """The review page of ``document``; its state, checked to be the issue's."""
    page.goto(f"/projects/{PROJECT}/review/documents/{document}")
    state = review_state(page)
    disagreements = sum(1 for g in state["groups"] if g["kind"] != "same")
    if disagreements != DISAGREEMENTS or state["undecided"] != len(state["groups"]):
        raise SystemExit(
            f"document {document}: {disagreements} disagreeing groups, "
            f"{state['undecided']} undecided; expected {DISAGREEMENTS}, none decided"
        )
    return state


def review_once(browser: Any, base: str, document: int, reading: bool) -> Run:
    from bench.review_flow_driver import PROBE

    context = browser.new_context(base_url=base, viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page)
        context.add_init_script(PROBE)
        open_document(page, document)
        steps = adjudicate(page, reading)
    finally:
        context.close()
    if errors:
        raise SystemExit("page errors: " + "; ".join(errors))
    return Run(tuple(steps))


def measure(
    trees: list[Tree], runs: int, document: int, reading: bool
) -> list[list[Run]]:
    """``runs`` reviews on each tree, alternating trees so that both see the
    same machine load; each review on a fresh copy of the tree's demo."""
    from playwright.sync_api import sync_playwright

    pristine = [seeded(tree) for tree in trees]
    found: list[list[Run]] = [[] for _ in trees]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        for number in range(runs):
            for tree, database, done in zip(trees, pristine, found, strict=True):
                with serving(tree, database, number) as base:
                    done.append(review_once(browser, base, document, reading))
        browser.close()
    return found


def show_steps(name: str, run: Run) -> None:
    print(f"\n{name}: steps of the last run")
    for step in run.steps:
        where = "" if step.group is None else f"group {step.group + 1} "
        print(
            f"  {where}{step.what}: {step.events} events ({step.describe()}), "
            f"{step.seconds * 1000:.0f} ms"
            + ("" if step.marks_in_view is not False else ", marks out of view")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="ea046d7", help="the stacked page")
    parser.add_argument("--after", default="lanes", help="the lanes page")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--document", type=int, default=2)
    parser.add_argument("--steps", action="store_true", help="list every step")
    parser.add_argument(
        "--read",
        action="store_true",
        help="the reviewer scrolls to each group's words in the text first",
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="review-flow-") as folder:
        old = export(options.before, Path(folder) / "before")
        new = export(options.after, Path(folder) / "after")
        before, after = measure(
            [old, new], options.runs, options.document, options.read
        )
    print(
        f"Demo document {options.document}, taking annotator A's version of "
        f"every group{', reading its words first' if options.read else ''}; "
        f"Chromium {VIEWPORT['width']}x{VIEWPORT['height']}, "
        f"{options.runs} run(s) each"
    )
    print(f"before: {old.ref} ({old.commit[:10]})")
    print(f"after: {new.ref} ({new.commit[:10]})")
    if options.steps:
        show_steps("before", before[-1])
        show_steps("after", after[-1])
    summary_before = summarise(before, DISAGREEMENTS)
    summary_after = summarise(after, DISAGREEMENTS)
    print()
    print(table(summary_before, summary_after))
    print()
    print("before:", verdict(summary_before))
    print("after: ", verdict(summary_after))


if __name__ == "__main__":
    main()
