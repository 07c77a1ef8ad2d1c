"""The annotation page before and after a change, driven in headless Chromium.

    .venv/bin/python -m bench.annotate_page_bench [--before REF] [--after REF]

Each side is a source tree: a git ref exported with `git archive` into a
temporary folder (default before: ea046d7, main before the annotation page was
reworked), or "." for this working tree (default after). Each tree gets its own
SQLite database with the seed article (seeds/russia-ukraine-false-flag.txt)
assigned twice to one annotator, and its own `annotator serve`. Figures:

- the first screen's text share at 1024x768: the part of the viewport covered
  by the document text's box, and where that box starts (share of the height);
- mouse and key: per span, the input actions (mouse presses, key presses,
  wheel notches to bring the words into view) and the page time, that is the
  time from each input event to the next frame after its handlers ran (what
  the page spends on the span: handlers, redraw, layout), summed per span;
- caret mode (keyboard only: Tab to the text, Ctrl+arrows to the words,
  Shift+Ctrl+arrows to select, the label's key): the same two figures, or
  "n/a" when the tree has no caret mode (its text cannot take focus).

Each span is checked against the API afterwards (code points). No targets: the
figures are printed side by side for the report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "seeds" / "russia-ukraine-false-flag.txt"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench-password-1"
PREPARE = """
import json, sys
from sqlalchemy import select
from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Assignment, Document
from annotator.services import accounts, documents, projects
url, article, password = sys.argv[1:4]
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
with app.app_context():
    migrations.upgrade(db.engine)
    user = accounts.create_user(db.session, "bench", password)
    project = projects.create_project(db.session, "Bench", annotators_per_document=1)
    projects.add_member(db.session, project, user, "annotator", None)
    text = open(article, encoding="utf-8").read().encode()
    documents.import_files(
        db.session, project, [("mouse.txt", text), ("caret.txt", text + b" ")]
    )
    docs = db.session.scalars(select(Document).order_by(Document.id)).all()
    db.session.add_all(
        Assignment(document_id=d.id, user_id=user.id, status="in_progress")
        for d in docs
    )
    db.session.commit()
    base = f"/projects/{project.id}/documents"
    print(json.dumps([f"{base}/{d.id}/annotate" for d in docs]))
"""
# Input events and the page's time to answer them, kept by the page itself.
RECORDER = """(() => {
  const log = { actions: 0, busy: 0 };
  Object.defineProperty(globalThis, "__bench", { value: log });
  const answer = (event) => {
    if (!event.isTrusted) return;
    if (event.type !== "mouseup") log.actions += 1;
    const began = event.timeStamp;
    requestAnimationFrame(() => { log.busy += performance.now() - began; });
  };
  for (const type of ["mousedown", "mouseup", "keydown", "wheel"]) {
    addEventListener(type, answer, true);
  }
})();"""
RESET = "() => { __bench.actions = 0; __bench.busy = 0; }"
READ = """async () => {
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return { actions: __bench.actions, busy: __bench.busy };
}"""
POINT = """([offset]) => {
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (offset < seen + node.data.length) {
      const range = document.createRange();
      range.setStart(node, offset - seen);
      range.setEnd(node, offset - seen + 1);
      const box = range.getBoundingClientRect();
      const middle = box.top + box.height / 2;
      return [box.left + box.width / 2, middle, innerHeight, box.left];
    }
    seen += node.data.length;
  }
  return null;
}"""
FOCUS = """() => {
  const root = document.getElementById("document-text");
  const selection = document.getSelection();
  if (!selection.focusNode || !root.contains(selection.focusNode)) return null;
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(selection.focusNode, selection.focusOffset);
  return range.toString().length;
}"""
SHARE = """() => {
  const box = document.getElementById("document-text").getBoundingClientRect();
  const width = Math.max(0, Math.min(box.right, innerWidth) - Math.max(box.left, 0));
  const height = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
  return { share: (width * height) / (innerWidth * innerHeight),
           top: box.top / innerHeight };
}"""
MARKS = """() => new Set(
  [...document.querySelectorAll(".mark")].map((mark) => mark.dataset.key)
).size"""


def utf16(text: str, code_point: int) -> int:
    return len(text[:code_point].encode("utf-16-le")) // 2


def code_point(text: str, unit: int) -> int:
    return len(text.encode("utf-16-le")[: 2 * unit].decode("utf-16-le"))


def targets(text: str, count: int) -> list[tuple[int, int]]:
    """`count` two-word phrases spread over the article, in reading order."""
    words = [m.span() for m in re.finditer(r"[A-Za-z]\w+", text)]
    step = (len(words) - 4) // count
    return [(words[4 + k * step][0], words[5 + k * step][1]) for k in range(count)]


def export(ref: str, folder: Path) -> Path:
    """The source tree of `ref` ("." is this working tree)."""
    if ref == ".":
        return ROOT
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    tree = folder / f"tree-{ref.replace('/', '_')}"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(tree: Path, folder: Path) -> Iterator[tuple[str, list[str]]]:
    """The tree's `annotator serve` on a fresh database; (base URL, pages)."""
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "ANNOTATOR_INSTANCE_PATH": str(folder),
        "ANNOTATOR_DATABASE_URL": url,
        "ANNOTATOR_SECRET_KEY": "bench-secret",
    }
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE, url, str(ARTICLE), PASSWORD],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    pages = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = free_port()
    command = "from annotator.cli import main; main()"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port), "--workers", "1"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", pages
    finally:
        server.terminate()
        server.wait()


def open_page(page: Any, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("#document-text[data-ready='true']")


def wait_for_marks(page: Any, count: int) -> None:
    page.wait_for_function(f"() => ({MARKS})() >= {count}")


def mouse_span(page: Any, text: str, start: int, end: int) -> int:
    """Drag over the words, press the label's key; returns the drags retried.

    The drag starts at the first character's left edge: headless Chromium
    turns some drags that start mid-character into a caret (both trees, any
    place in the text). A drag that still selects nothing is made again and
    not counted as the annotator's input."""
    first = page.evaluate(POINT, [utf16(text, start)])
    if not 140 < first[1] < first[2] - 60:  # under the bars or off screen
        page.mouse.wheel(0, first[1] - first[2] / 2)
        page.wait_for_timeout(150)
        first = page.evaluate(POINT, [utf16(text, start)])
    last = page.evaluate(POINT, [utf16(text, end - 1)])
    retries = 0
    while retries < 10:
        page.mouse.move(first[3] + 1, first[1])
        page.mouse.down()
        page.mouse.move(last[0], last[1], steps=5)
        page.mouse.up()
        if page.evaluate("() => getSelection().toString().length > 0"):
            break
        retries += 1
    page.keyboard.press("1")
    return retries


def focus_at(page: Any, text: str) -> int:
    unit = page.evaluate(FOCUS)
    return -1 if unit is None else code_point(text, unit)


CARET_Y = """() => {
  const caret = document.getElementById("caret");
  return caret && !caret.hidden ? caret.getBoundingClientRect().top : null;
}"""


def caret_span(page: Any, text: str, start: int, end: int) -> int:
    """As a keyboard user would: Down to the line, Ctrl+arrows to the word,
    Shift+Ctrl+Right over the words, the label's key."""
    keys = page.keyboard
    for _ in range(100):
        caret_y = page.evaluate(CARET_Y)
        target_y = page.evaluate(POINT, [utf16(text, start)])[1]
        if caret_y is None or caret_y + 8 >= target_y - 12:
            break
        keys.press("ArrowDown")
    for _ in range(100):
        if focus_at(page, text) >= start:
            break
        keys.press("Control+ArrowRight")
    for _ in range(100):
        if focus_at(page, text) <= start:
            break
        keys.press("Control+ArrowLeft")
    for _ in range(50):
        if focus_at(page, text) >= end:
            break
        keys.press("Shift+Control+ArrowRight")
    keys.press("1")
    return 0


def reach_text(page: Any) -> bool:
    """Tab until the text has focus; False if it never does."""
    page.evaluate("() => document.activeElement?.blur()")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.id === 'document-text'"):
            return True
    return False


def run_mode(
    page: Any, path: str, text: str, spans: list[tuple[int, int]], caret: bool
) -> dict[str, Any] | None:
    open_page(page, path)
    page.evaluate(RESET)
    if caret and not reach_text(page):
        return None
    per_span = []
    for k, (start, end) in enumerate(spans):
        retries = (caret_span if caret else mouse_span)(page, text, start, end)
        wait_for_marks(page, k + 1)
        figures = page.evaluate(READ)
        figures["actions"] -= retries
        per_span.append(figures)
        page.evaluate(RESET)
    stored = stored_spans(page)
    return {
        "actions": statistics.mean(s["actions"] for s in per_span),
        "busy": statistics.median(s["busy"] for s in per_span),
        "exact": sum((s["start"], s["end"]) in spans for s in stored),
        "stored": len(stored),
    }


def stored_spans(page: Any) -> list[dict[str, Any]]:
    for _ in range(100):
        if page.evaluate(
            "() => document.getElementById('save-status').dataset.state === 'saved'"
        ):
            break
        page.wait_for_timeout(50)
    api = page.evaluate(
        "() => JSON.parse(document.getElementById('annotate-payload').textContent).api"
    )
    spans: list[dict[str, Any]] = page.request.get(f"{api}/annotation").json()["spans"]
    return spans


def measure(ref: str, count: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    text = ARTICLE.read_text(encoding="utf-8")
    spans = targets(text, count)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        tree = export(ref, folder)
        with serving(tree, folder) as (base, pages), sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(
                base_url=base, viewport={"width": 1024, "height": 768}
            )
            context.add_init_script(RECORDER)
            page = context.new_page()
            page.on("pageerror", lambda error: print(f"{ref}: page error: {error}"))
            page.goto("/login")
            page.get_by_label("Username").fill("bench")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url("**/")
            open_page(page, pages[0])
            screen = page.evaluate(SHARE)
            figures = {
                "screen": screen,
                "mouse": run_mode(page, pages[0], text, spans, caret=False),
                "caret": run_mode(page, pages[1], text, spans, caret=True),
            }
            browser.close()
    return figures


def cell(mode: dict[str, Any] | None, key: str, unit: str = "") -> str:
    if mode is None:
        return "n/a"
    value = mode[key]
    return f"{value:.1f}{unit}" if isinstance(value, float) else f"{value}{unit}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="ea046d7")
    parser.add_argument("--after", default=".")
    parser.add_argument("--spans", type=int, default=8)
    options = parser.parse_args()
    sides = [(options.before, measure(options.before, options.spans))]
    sides.append((options.after, measure(options.after, options.spans)))
    print(
        f"seed article ({len(ARTICLE.read_text(encoding='utf-8'))} characters), "
        f"{options.spans} two-word spans per mode, Chromium headless, 1024x768"
    )
    rows = [
        ("text share of the first screen", lambda f: f"{f['screen']['share']:.0%}"),
        ("text starts at (share of height)", lambda f: f"{f['screen']['top']:.0%}"),
        ("mouse+key: input actions / span", lambda f: cell(f["mouse"], "actions")),
        ("mouse+key: page time / span", lambda f: cell(f["mouse"], "busy", " ms")),
        ("mouse+key: spans stored exactly", lambda f: spans_cell(f["mouse"])),
        ("caret mode: input actions / span", lambda f: cell(f["caret"], "actions")),
        ("caret mode: page time / span", lambda f: cell(f["caret"], "busy", " ms")),
        ("caret mode: spans stored exactly", lambda f: spans_cell(f["caret"])),
    ]
    names = [f"before ({options.before})", f"after ({options.after})"]
    print(f"{'':36}{names[0]:>20}{names[1]:>20}")
    for label, show in rows:
        print(f"{label:36}{show(sides[0][1]):>20}{show(sides[1][1]):>20}")


def spans_cell(mode: dict[str, Any] | None) -> str:
    return "n/a" if mode is None else f"{mode['exact']} of {mode['stored']}"


if __name__ == "__main__":
    main()
