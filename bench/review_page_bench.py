"""The review document page in headless Chromium: a ~100 KB article with
2,000 spans from two annotators (1,000 each, a third of B's boundaries moved
by a word, some labels changed), so most groups are disagreements.

Three figures, each the median of several runs:
- navigation -> interactive: from the start of navigation to the end of the
  page's start-up (the `review-interactive` mark: text cut into rows, every
  lane drawn, the first undecided group focused, keys handled);
- `n` -> focused: the next undecided group highlighted, its panel filled and
  scrolled to, to the next frame;
- `1` -> decided: taking A's version (the POST, the reload of the state, the
  lanes redrawn, focus on the next group), to the next frame.

Reference measured in the same run: the same article reviewed with one span
each of 20 spans, so the ratios show what 2,000 spans cost. Targets: 300 ms,
50 ms and 400 ms. The server is `annotator serve` (gunicorn, 2 workers) on a
fresh SQLite database.

    .venv/bin/python -m bench.review_page_bench [--spans 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Document
from annotator.services import accounts, projects
from annotator.services.documents import import_files
from bench.annotate_page_bench import CHROMIUM, LABELS, PASSWORD, article, serving
from bench.annotate_page_bench import word_starts as starts_of

PRESS = """async (key) => {
  const began = performance.now();
  const before = document.getElementById("group-title").textContent;
  document.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
  for (let i = 0; i < 400; i += 1) {
    if (document.getElementById("group-title").textContent !== before) break;
    await new Promise((done) => setTimeout(done, 1));
  }
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - began;
}"""
INTERACTIVE = """() =>
  performance.getEntriesByName("review-interactive")[0].startTime"""


def annotator_spans(text: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` spans of one to six words, not overlapping one another."""
    starts = starts_of(text)
    chooser = random.Random(seed)
    step = max(len(starts) // count, 2)
    spans = []
    for k in range(count):
        first = k * step
        last = min(first + chooser.randint(1, min(6, step - 1)), len(starts) - 1)
        end = starts[last] - 1
        spans.append(
            {"start": starts[first], "end": end, "label": LABELS[k % len(LABELS)]}
        )
    return spans


def moved(text: str, spans: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """B's spans: a third with the end a word shorter, a sixth relabelled."""
    chooser = random.Random(seed)
    out = []
    for span in spans:
        span = dict(span)
        roll = chooser.random()
        cut = text.rfind(" ", span["start"], span["end"])
        if roll < 0.33 and cut > span["start"]:
            span["end"] = cut
        elif roll < 0.5:
            span["label"] = chooser.choice(LABELS)
        out.append(span)
    return out


def prepare(spans: int) -> tuple[str, str]:
    reviewer = accounts.create_user(db.session, "bench", PASSWORD)
    project = projects.create_project(db.session, "Bench", annotators_per_document=2)
    projects.add_member(db.session, project, reviewer, "reviewer", None)
    text = article()
    a = annotator_spans(text, spans // 2, 7)
    few = a[:20]
    records = [
        {
            "id": "full",
            "text": text,
            "annotations": [
                {"annotator": "ann", "spans": a},
                {"annotator": "bob", "spans": moved(text, a, 8)},
            ],
        },
        {
            "id": "few",
            "text": text,
            "annotations": [
                {"annotator": "ann", "spans": few},
                {"annotator": "bob", "spans": moved(text, few, 1)},
            ],
        },
    ]
    data = "\n".join(json.dumps(r) for r in records).encode()
    import_files(db.session, project, [("bench.jsonl", data)])
    ids = dict(db.session.execute(select(Document.external_id, Document.id)).all())
    db.session.commit()
    base = f"/projects/{project.id}/review/documents"
    return f"{base}/{ids['full']}", f"{base}/{ids['few']}"


def log_in(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill("bench")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def measure(page: Any, url: str, runs: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"load": [], "n": [], "take": []}
    for run in range(runs + 1):
        page.goto(url)
        page.wait_for_selector("#lanes[data-ready='true']")
        figures = {
            "load": page.evaluate(INTERACTIVE),
            "n": page.evaluate(PRESS, "n"),
            "take": page.evaluate(PRESS, "1"),
        }
        if run:  # the first run warms caches up
            for name, value in figures.items():
                found[name].append(value)
    return found


def report(
    name: str, figures: list[float], reference: list[float], target: int
) -> None:
    median, base = statistics.median(figures), statistics.median(reference)
    print(
        f"{name}: median {median:.0f} ms "
        f"(min {min(figures):.0f}, max {max(figures):.0f}); "
        f"with 20 spans each {base:.0f} ms; ratio {median / base:.2f}; "
        f"target {target} ms: {'met' if median <= target else 'MISSED'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spans", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database = folder / "bench.sqlite"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "x"}
        )
        with app.app_context():
            migrations.upgrade(db.engine)
            full, few = prepare(options.spans)
            db.engine.dispose()
        with serving(folder, database) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(
                base_url=base, viewport={"width": 1400, "height": 900}
            )
            page.on("pageerror", lambda error: print("page error:", error))
            log_in(page)
            big = measure(page, full, options.runs)
            small = measure(page, few, options.runs)
            browser.close()
    size = len(article().encode())
    print(f"article {size / 1000:.0f} KB, {options.spans} spans, {options.runs} runs")
    report("navigation -> interactive", big["load"], small["load"], 300)
    report("n -> next group focused", big["n"], small["n"], 50)
    report(
        "1 -> A's version taken, next group focused", big["take"], small["take"], 400
    )


if __name__ == "__main__":
    main()
