"""The annotation page with suggestions, in headless Chromium: a ~100 KB
article with 2,000 of the annotator's spans and about 2,000 suggestions.

Figures, each the median of several runs:
- navigation → interactive (the `annotate-interactive` mark: text and spans
  drawn, keys handled; suggestions are fetched right after);
- navigation → suggestions shown (the `annotate-suggestions` mark: fetched
  from the server, drawn dashed in the text and listed);
- key press → span drawn (a label's key on a selection, to the next frame);
- Enter on a focused suggestion → accepted span drawn (to the next frame).

Reference measured in the same run: the same article with the same 2,000
spans in a project with suggestions off. Target: interactive under 300 ms.
The server is `annotator serve` (gunicorn, 2 workers) on a fresh SQLite
database; the suggestions are the cue rules with a small lexicon
("possibly", "denied …", "false flag") matching about 2,000 times.

    .venv/bin/python -m bench.annotate_suggestions_bench [--spans 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
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
    INTERACTIVE,
    KEY_PRESS,
    PASSWORD,
    add_spans,
    article,
    log_in,
    serving,
)

LEXICON = {
    "labels": {
        "hedge": ["possibly"],
        "denial": ["deny/denies/denied ; span=rest"],
        "false_flag_warning": ["false flag"],
    }
}
SUGGESTIONS_SHOWN = """() =>
  performance.getEntriesByName("annotate-suggestions")[0].startTime"""
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


def prepare(spans: int) -> tuple[str, str]:
    """Two projects with the same article and spans: suggestions on, off."""
    user = accounts.create_user(db.session, "bench", PASSWORD)
    text = article()
    urls = []
    for name, mode in (("With", "on"), ("Without", "off")):
        project = projects.create_project(db.session, name, annotators_per_document=1)
        projects.add_member(db.session, project, user, "annotator", None)
        settings.set_suggestions(db.session, project, mode)
        lexicons.save_lexicon(db.session, project, LEXICON, None)
        documents.import_files(db.session, project, [("a.txt", text.encode())])
        document = db.session.scalars(
            select(Document).where(Document.project_id == project.id)
        ).one()
        db.session.add(
            Assignment(document_id=document.id, user_id=user.id, status="in_progress")
        )
        db.session.commit()
        add_spans(project, document, user, text, spans)
        urls.append(f"/projects/{project.id}/documents/{document.id}/annotate")
    return urls[0], urls[1]


def measure(page: Any, url: str, runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {
        "interactive": [],
        "shown": [],
        "key": [],
        "accept": [],
        "count": [],
    }
    for run in range(runs + 1):
        page.goto(url)
        page.wait_for_selector("#document-text[data-ready='true']")
        found = {
            "interactive": page.evaluate(INTERACTIVE),
            "shown": page.evaluate(SUGGESTIONS_SHOWN),
            "count": page.evaluate(SHOWN_COUNT),
        }
        word = 40 + run * 997
        found["key"] = page.evaluate(KEY_PRESS, [word, word + 12])
        if found["count"]:
            found["accept"] = page.evaluate(ACCEPT_PRESS, run * 300)
        page.wait_for_selector("#save-status[data-state='saved']")
        if run:  # the first run warms caches up
            for name, value in found.items():
                figures[name].append(value)
    return figures


def line(name: str, ours: list[float], reference: list[float] | None) -> str:
    median = statistics.median(ours)
    text = f"{name}: median {median:.0f} ms (min {min(ours):.0f}, max {max(ours):.0f})"
    if reference:
        base = statistics.median(reference)
        text += f"; without suggestions {base:.0f} ms; ratio {median / base:.2f}"
    return text


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
            with_url, without_url = prepare(options.spans)
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
            ours = measure(page, with_url, options.runs)
            reference = measure(page, without_url, options.runs)
            browser.close()
    size = len(article().encode())
    shown = int(statistics.median(ours["count"]))
    print(
        f"article {size / 1000:.0f} KB, {options.spans} spans, {shown} suggestions "
        f"shown, {options.runs} runs"
    )
    interactive = statistics.median(ours["interactive"])
    print(
        line("navigation -> interactive", ours["interactive"], reference["interactive"])
        + f"; target 300 ms: {'met' if interactive <= 300 else 'MISSED'}"
    )
    print(line("navigation -> suggestions shown", ours["shown"], reference["shown"]))
    print(line("key press -> span drawn", ours["key"], reference["key"]))
    print(
        line("Enter on a suggestion -> accepted span drawn", ours["accept"], None)
        + f"; ratio to a label key press on the same page "
        f"{statistics.median(ours['accept']) / statistics.median(ours['key']):.2f}"
    )


if __name__ == "__main__":
    main()
