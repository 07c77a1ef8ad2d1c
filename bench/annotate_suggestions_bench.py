"""The annotation page with suggestions, in headless Chromium: a ~100 KB
article with 2,000 of the annotator's spans and about 2,000 suggestions.

Figures, each the median of several runs:
- navigation → interactive (the `annotate-interactive` mark: text and spans
  drawn, keys handled; suggestions are fetched right after);
- navigation → the first frame painted after that mark (what the user sees:
  the tasks queued before the frame and its style, layout and paint);
- navigation → suggestions shown (the `annotate-suggestions` mark: fetched
  from the server, drawn dashed in the text and listed), and the long tasks
  until then (their total, and the blocking time: each one's part over 50 ms);
- the main thread's CPU time from the start of parsing to those two marks,
  from traces of `--cpu-runs` more loads of each page (steadier than the
  clock on a shared machine: waiting for a core is not counted);
- key press → span drawn (a label's key on a selection, to the next frame);
- Enter on a focused suggestion → accepted span drawn (to the next frame).

References measured in the same run, the pages visited in turn: the same
article without spans (suggestions off), whose figures the ratios divide by,
and the same article with the same 2,000 spans, suggestions off. Target:
interactive under 300 ms. `--profile DIR` also writes a Chrome CPU profile
and a trace of one more load of the page (bench/annotate_profile.py),
`--shots DIR` screenshots of the page at 1400x900 and 1024x768.
The server is `annotator serve` (gunicorn, 2 workers) on a fresh SQLite
database; the suggestions are the cue rules with a small lexicon
("possibly", "denied …", "false flag") matching about 2,000 times.

    PYTHONPATH=. .venv/bin/python -m bench.annotate_suggestions_bench \
        [--spans 2000] [--runs 5] [--cpu-runs 3] [--profile DIR] [--shots DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Assignment, Document
from annotator.services import accounts, documents, projects
from annotator.services.suggestions import lexicons, settings
from bench.annotate_load_bench import (
    CHROMIUM,
    KEY_PRESS,
    PASSWORD,
    add_spans,
    article,
    log_in,
    serving,
)
from bench.annotate_probes import FIGURES, FRAME_DONE, PROBE
from bench.annotate_profile import READY, cpu_times, profile

LEXICON = {
    "labels": {
        "hedge": ["possibly"],
        "denial": ["deny/denies/denied ; span=rest"],
        "false_flag_warning": ["false flag"],
    }
}
ACCEPT_PRESS = """async (nth) => {
  const items = document.querySelectorAll("#suggestion-list button.suggestion-item");
  const item = items[Math.min(nth, items.length - 1)];
  item.focus();
  const began = performance.now();
  item.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - began;
}"""
SHOWN_COUNT = """() =>
  document.querySelectorAll("#suggestion-list button.suggestion-item").length"""


PAGES = ("with", "off", "empty")


def open_document(project: Any, user: Any, name: str, text: str) -> Document:
    documents.import_files(db.session, project, [(name, text.encode())])
    document = db.session.scalars(
        select(Document)
        .where(Document.project_id == project.id)
        .order_by(Document.id.desc())
    ).first()
    assert document is not None  # just imported
    db.session.add(
        Assignment(document_id=document.id, user_id=user.id, status="in_progress")
    )
    db.session.commit()
    return document


def prepare(spans: int) -> dict[str, str]:
    """The article with spans and suggestions on; with spans, suggestions off;
    without spans (a space more, to be another document), suggestions off."""
    user = accounts.create_user(db.session, "bench", PASSWORD)
    text = article()
    urls = {}
    for name, mode in (("With", "on"), ("Without", "off")):
        project = projects.create_project(db.session, name, annotators_per_document=1)
        projects.add_member(db.session, project, user, "annotator", None)
        settings.set_suggestions(db.session, project, mode)
        lexicons.save_lexicon(db.session, project, LEXICON, None)
        document = open_document(project, user, "a.txt", text)
        add_spans(project, document, user, text, spans)
        base = f"/projects/{project.id}/documents"
        urls["with" if mode == "on" else "off"] = f"{base}/{document.id}/annotate"
        if mode == "off":
            empty = open_document(project, user, "b.txt", text + " ")
            urls["empty"] = f"{base}/{empty.id}/annotate"
    return urls


def visit(page: Any, cdp: Any, url: str, run: int) -> dict[str, float]:
    # Leave the last page and collect its garbage first: taking down a page of
    # 10,000 elements otherwise lands in the next page's figures (the pages
    # are visited in turn, so each reference would pay for the page before).
    page.goto("about:blank")
    cdp.send("HeapProfiler.collectGarbage")
    page.goto(url)
    # "attached": a wait for a visible element would measure its box on every
    # poll, forcing style and layout in the middle of the page's start-up.
    page.wait_for_selector(READY, state="attached")
    page.wait_for_function(FRAME_DONE, polling=100)
    found: dict[str, float] = page.evaluate(FIGURES)
    found["count"] = page.evaluate(SHOWN_COUNT)
    word = 40 + run * 997
    found["key"] = page.evaluate(KEY_PRESS, [word, word + 12])
    if found["count"]:
        found["accept"] = page.evaluate(ACCEPT_PRESS, run * 300)
    page.wait_for_selector("#save-status[data-state='saved']")
    return found


def measure(page: Any, urls: dict[str, str], runs: int) -> dict[str, Figures]:
    """The pages in turn, `runs` times after a warm-up round."""
    figures: dict[str, Figures] = {name: {} for name in PAGES}
    cdp = page.context.new_cdp_session(page)
    for run in range(runs + 1):
        for name in PAGES:
            found = visit(page, cdp, urls[name], run)
            if run:  # the first round warms caches up
                for key, value in found.items():
                    figures[name].setdefault(key, []).append(value)
    return figures


Figures = dict[str, list[float]]


def line(name: str, key: str, figures: dict[str, Figures]) -> str:
    ours = figures["with"][key]
    median = statistics.median(ours)
    text = f"{name}: median {median:.0f} ms (min {min(ours):.0f}, max {max(ours):.0f})"
    for reference, what in (("empty", "without spans"), ("off", "suggestions off")):
        if key in figures[reference]:
            base = statistics.median(figures[reference][key])
            ratio = f"ratio {median / base:.2f}" if base > 0 else "ratio -"
            text += f"; {what} {base:.0f} ms, {ratio}"
    return text


def report(figures: dict[str, Figures], spans: int, runs: int) -> None:
    size = len(article().encode())
    shown = int(statistics.median(figures["with"]["count"]))
    print(
        f"article {size / 1000:.0f} KB, {spans} spans, {shown} suggestions shown, "
        f"{runs} runs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    interactive = statistics.median(figures["with"]["interactive"])
    met = "met" if interactive <= 300 else "MISSED"
    print(line("navigation -> interactive", "interactive", figures) + f"; 300 ms {met}")
    print(line("navigation -> first frame after interactive", "frame", figures))
    print(line("navigation -> suggestions shown", "shown", figures))
    print(line("main-thread CPU, parse -> interactive", "cpu interactive", figures))
    print(line("main-thread CPU, parse -> suggestions", "cpu suggestions", figures))
    print(line("long tasks until suggestions shown, total", "longTasks", figures))
    print(line("  of which blocking (over 50 ms each)", "blocking", figures))
    print(line("key press -> span drawn", "key", figures))
    accept = statistics.median(figures["with"]["accept"])
    key = statistics.median(figures["with"]["key"])
    print(
        line("Enter on a suggestion -> accepted span drawn", "accept", figures)
        + f"; ratio to a label key press on the same page {accept / key:.2f}"
    )


def screenshots(page: Any, url: str, folder: Path) -> None:
    """The page with suggestions at two window sizes, to compare by eye."""
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1400, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        page.wait_for_selector(READY, state="attached")
        page.screenshot(path=str(folder / f"annotate-{width}x{height}.png"))
    page.set_viewport_size({"width": 1400, "height": 900})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spans", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", type=Path, help="write a CPU profile here")
    parser.add_argument("--shots", type=Path, help="write screenshots here")
    parser.add_argument("--cpu-runs", type=int, default=3, help="traced loads")
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
            urls = prepare(options.spans)
            db.engine.dispose()
        with serving(folder, database) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(
                base_url=base, viewport={"width": 1400, "height": 900}
            )
            page.add_init_script(PROBE)
            page.on("pageerror", lambda error: print("page error:", error))
            log_in(page)
            figures = measure(page, urls, options.runs)
            for _ in range(options.cpu_runs):
                for name in PAGES:
                    found = cpu_times(browser, page, urls[name], folder)
                    for key, value in found.items():
                        figures[name].setdefault(key, []).append(value)
            if options.profile:
                profile(browser, page, urls["with"], options.profile)
            if options.shots:
                screenshots(page, urls["with"], options.shots)
            browser.close()
    report(figures, options.spans, options.runs)


if __name__ == "__main__":
    main()
