"""The annotation page in headless Chromium: a ~100 KB article with 2,000 spans.

Two figures, each the median of several runs:
- navigation → interactive: from the start of navigation to the end of the
  page's start-up (the `annotate-interactive` performance mark: payload parsed,
  text and spans drawn, keys and mouse handled; the side list of spans is
  filled in the task right after);
- key press → span drawn: a hotkey on a selection, to the next frame after the
  redraw (handler, the touched paragraph and list entry redrawn, layout).

Reference measured in the same run: the same article with no spans, so the
ratios show what 2,000 spans cost. Targets: 300 ms and 50 ms. The server is
`annotator serve` (gunicorn, 2 workers) on a fresh SQLite database.

    .venv/bin/python -m bench.annotate_load_bench [--spans 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Assignment, Document, Project, User
from annotator.services import accounts, documents, projects
from annotator.services import annotations as annotation_service

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pages-drawn-quickly-7"  # must not hold the username "bench"
SENTENCE = (
    "Officials said the attack was possibly staged, while the ministry denied "
    "any involvement and warned of a false-flag operation near the border. "
)
LABELS = ("claim", "denial", "hedge", "false_flag_warning")
KEY_PRESS = """async ([start, end]) => {
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const after = seen + node.data.length;
    if (start >= seen && start < after) range.setStart(node, start - seen);
    if (end > seen && end <= after) range.setEnd(node, end - seen);
    seen = after;
  }
  document.getSelection().removeAllRanges();
  document.getSelection().addRange(range);
  const began = performance.now();
  document.dispatchEvent(new KeyboardEvent("keydown", { key: "1", bubbles: true }));
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - began;
}"""
INTERACTIVE = """() =>
  performance.getEntriesByName("annotate-interactive")[0].startTime"""


def article(size: int = 100_000) -> str:
    """News-like: paragraphs of four sentences, separated by blank lines."""
    paragraph = (SENTENCE * 4).strip()
    count = size // (len(paragraph) + 2) + 1
    return "\n\n".join([paragraph] * count)[:size].rsplit(" ", 1)[0] + "."


def word_starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, char in enumerate(text) if char == " "]


def add_spans(
    project: Project, document: Document, user: User, text: str, count: int
) -> None:
    """`count` different spans of one to six words, some nested in others."""
    starts = word_starts(text)
    chooser = random.Random(7)
    version = annotation_service.assignment_for(db.session, document, user).version
    made: set[tuple[int, int, str]] = set()
    while len(made) < count:
        first = chooser.randrange(len(starts) - 8)
        end = starts[first + chooser.randint(1, 6)] - 1
        span = (starts[first], end, chooser.choice(LABELS))
        if span in made:  # the same span twice is refused
            continue
        made.add(span)
        body = {"version": version, "start": span[0], "end": end, "label": span[2]}
        _, version = annotation_service.create_span(
            db.session, project, document.id, user, body
        )


def prepare(spans: int) -> tuple[str, str]:
    user = accounts.create_user(db.session, "bench", PASSWORD)
    project = projects.create_project(db.session, "Bench", annotators_per_document=1)
    projects.add_member(db.session, project, user, "annotator", None)
    text = article()
    documents.import_files(
        db.session,
        project,
        [("full.txt", text.encode()), ("empty.txt", text.encode() + b" ")],
    )
    full, empty = db.session.scalars(select(Document).order_by(Document.id)).all()
    # next_document() hands out one open document at a time; the bench wants two.
    db.session.add_all(
        Assignment(document_id=document.id, user_id=user.id, status="in_progress")
        for document in (full, empty)
    )
    db.session.commit()
    add_spans(project, full, user, text, spans)
    base = f"/projects/{project.id}/documents"
    return f"{base}/{full.id}/annotate", f"{base}/{empty.id}/annotate"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(folder: Path, database: Path) -> Iterator[str]:
    """`annotator serve` (gunicorn, 2 workers) on the prepared database."""
    env = {
        **os.environ,
        "ANNOTATOR_INSTANCE_PATH": str(folder),
        "ANNOTATOR_DATABASE_URL": f"sqlite:///{database}",
        "ANNOTATOR_SECRET_KEY": secrets.token_hex(32),  # 32+ characters needed
    }
    port = free_port()
    annotator = str(Path(sys.executable).parent / "annotator")
    server = subprocess.Popen(
        [annotator, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def wait_for(port: int) -> None:
    for _ in range(600):  # a minute: gunicorn starts slowly on a loaded machine
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def log_in(page: Any) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill("bench")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def measure(page: Any, url: str, runs: int) -> tuple[list[float], list[float]]:
    loads, presses = [], []
    for run in range(runs + 1):
        page.goto(url)
        page.wait_for_selector("#document-text[data-ready='true']")
        load = page.evaluate(INTERACTIVE)
        word = 40 + run * 997
        press = page.evaluate(KEY_PRESS, [word, word + 12])
        if run:  # the first run warms caches up
            loads.append(load)
            presses.append(press)
    return loads, presses


def report(
    name: str, figures: list[float], reference: list[float], target: int
) -> None:
    median, base = statistics.median(figures), statistics.median(reference)
    print(
        f"{name}: median {median:.0f} ms "
        f"(min {min(figures):.0f}, max {max(figures):.0f}); "
        f"without spans {base:.0f} ms; ratio {median / base:.2f}; "
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
            full, empty = prepare(options.spans)
            db.engine.dispose()
        with serving(folder, database) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(base_url=base)
            page.on("pageerror", lambda error: print("page error:", error))
            log_in(page)
            loads, presses = measure(page, full, options.runs)
            empty_loads, empty_presses = measure(page, empty, options.runs)
            browser.close()
    size = len(article().encode())
    print(f"article {size / 1000:.0f} KB, {options.spans} spans, {options.runs} runs")
    report("navigation -> interactive", loads, empty_loads, 300)
    report("key press -> span drawn", presses, empty_presses, 50)


if __name__ == "__main__":
    main()
