"""Input events per correct span on the seed article, with and without
suggestions: a scripted annotator in headless Chromium reaches the gold
spans of `seeds/russia-ukraine-false-flag` (annotator `sample-a`, who
follows the guideline) and every key press, mouse click, drag and scroll it
needs is counted.

- Without suggestions (the project's suggestions off): each gold span is
  drawn, a mouse drag over its words and the label's key (scrolling first
  when it is off screen).
- With suggestions (on, the default cue lexicon): a click on the first
  suggestion in the list, then on each focused suggestion Enter if it is a
  gold span, N if not (A when every remaining suggestion of its label is
  gold); then the gold spans still missing are drawn as above.

Where word snapping gives other boundaries than the gold span, the
annotator deletes the span (Delete) and draws it again holding Alt (exact
characters): counted. At the end the stored spans are compared with the gold
spans: both runs must reach all of them with nothing else stored. Prints
events, events per correct span for both, and the ratio. Counts, not times:
the figures do not depend on the machine's load.

    .venv/bin/python -m bench.suggestion_effort_bench [--reference-lexicon OLD.json]

With ``--reference-lexicon`` (e.g. ``git show main:seeds/cues.json >
old.json``) a third run answers the suggestions of that lexicon, so an
earlier lexicon and the default one are compared in the same run.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Assignment, Document
from annotator.services import accounts, documents, projects
from annotator.services.suggestions import lexicons, settings
from bench.annotate_load_bench import CHROMIUM, PASSWORD, log_in, serving

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ARTICLE = "russia-ukraine-false-flag.sample-annotations.jsonl"
GOLD_ANNOTATOR = "sample-a"

Span = tuple[int, int, str]

CHAR_BOXES = """([start, end]) => {
  // Viewport points of the left edge of UTF-16 unit `start` and the right
  // edge of unit `end - 1` in the document text.
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const boxes = [];
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const after = seen + node.data.length;
    for (const at of [start, end - 1]) {
      if (at >= seen && at < after) {
        const range = document.createRange();
        range.setStart(node, at - seen);
        range.setEnd(node, at - seen + 1);
        boxes.push([at, range.getClientRects()[0]]);
      }
    }
    seen = after;
  }
  const first = boxes.find(([at]) => at === start)[1];
  const last = boxes.find(([at]) => at === end - 1)[1];
  return {
    x1: first.left + 1, y1: first.top + first.height / 2,
    x2: last.right - 1, y2: last.top + last.height / 2,
    height: window.innerHeight,
  };
}"""
STORED = """async (api) => {
  const response = await fetch(`${api}/annotation`);
  return (await response.json()).spans.map((s) => [s.start, s.end, s.label]);
}"""
SUGGESTED = (
    """async (api) => (await (await fetch(`${api}/suggestions`)).json()).suggestions"""
)
PAYLOAD = (
    """() => JSON.parse(document.getElementById("annotate-payload").textContent)"""
)
FOCUSED = """() => document.activeElement?.dataset?.suggestion ?? null"""
LISTED = """() => [...document.querySelectorAll(
  "#suggestion-list button.suggestion-item")].map((b) => b.dataset.suggestion)"""


def utf16(text: str, code_point: int) -> int:
    return len(text[:code_point].encode("utf-16-le")) // 2


@dataclass
class Annotator:
    """Drives the page and counts what a person would do."""

    page: Any
    text: str
    events: dict[str, int] = field(
        default_factory=lambda: {"keys": 0, "clicks": 0, "drags": 0, "scrolls": 0}
    )

    def __post_init__(self) -> None:
        payload = self.page.evaluate(PAYLOAD)
        self.api = payload["api"]
        self.hotkeys = {label["name"]: label["hotkey"] for label in payload["labels"]}

    @property
    def total(self) -> int:
        return sum(self.events.values())

    def press(self, key: str) -> None:
        self.events["keys"] += 1
        self.page.keyboard.press(key)

    def click(self, locator: Any) -> None:
        self.events["clicks"] += 1
        locator.click()

    def saved(self) -> None:
        self.page.wait_for_selector("#save-status[data-state='saved']")

    def stored(self) -> set[Span]:
        self.saved()
        return {tuple(s) for s in self.page.evaluate(STORED, self.api)}

    def drag(self, span: Span, exact: bool) -> None:
        start, end = utf16(self.text, span[0]), utf16(self.text, span[1])
        box = self.page.evaluate(CHAR_BOXES, [start, end])
        # Under the sticky bars (about 100 px) or below the window: scroll,
        # again if one turn of the wheel did not bring it into view.
        for _ in range(3):
            if in_view(box):
                break
            box, before = self.scroll_to(start, end, box), box
            if box == before:
                break  # at the end of the page: as far as it goes
        if exact:
            self.events["keys"] += 1  # holding Alt
            self.page.keyboard.down("Alt")
        self.events["drags"] += 1
        mouse = self.page.mouse
        mouse.move(box["x1"], box["y1"])
        mouse.down()
        mouse.move(box["x2"], box["y2"], steps=4)
        mouse.up()
        if exact:  # the page took Alt from the mouse; a key with Alt is no label key
            self.page.keyboard.up("Alt")
        self.page.wait_for_timeout(150)  # a person's pause; no event counted
        self.press(self.hotkeys[span[2]])

    def scroll_to(self, start: int, end: int, box: dict[str, float]) -> Any:
        """Turn the wheel over the text (a person looks where the words are:
        over the side list the wheel scrolls the list, which keeps it), then
        wait until the scroll has settled."""
        self.events["scrolls"] += 1
        self.page.mouse.move(box["x1"], box["height"] / 2)  # a move: not counted
        self.page.mouse.wheel(0, box["y1"] - box["height"] / 3)
        # Until the scroll has started and settled: a drag from a stale point
        # snaps to other words, or starts off screen (then it is redone).
        before, settled = box, None
        for _ in range(15):
            self.page.wait_for_timeout(200)
            box = self.page.evaluate(CHAR_BOXES, [start, end])
            if box == settled and box != before:
                break
            settled = box
        return box

    def draw(self, span: Span) -> None:
        """Draw a gold span; if snapping missed its boundaries (or the drag
        missed), delete the span made and draw it again with exact
        characters (every attempt counted)."""
        exact = False
        for _ in range(3):
            before = self.stored()
            self.drag(span, exact)
            after = self.stored()
            if span in after:
                return
            if after - before:
                self.press("Delete")  # the span just made is selected
                self.saved()
            exact = True

    def answer_suggestions(self, gold: set[Span]) -> None:
        by_id = {
            s["id"]: (s["start"], s["end"], s["label"])
            for s in self.page.evaluate(SUGGESTED, self.api)
        }
        while listed := self.page.evaluate(LISTED):
            focused = self.page.evaluate(FOCUSED)
            if focused not in listed:
                self.click(
                    self.page.locator("#suggestion-list button.suggestion-item").first
                )
                continue
            span = by_id[focused]
            same_label = [i for i in listed if by_id[i][2] == span[2]]
            if span not in gold:
                self.press("n")
            elif len(same_label) > 1 and all(by_id[i] in gold for i in same_label):
                self.press("a")
            else:
                self.press("Enter")
            self.page.wait_for_function(
                "(n) => document.querySelectorAll("
                "'#suggestion-list button.suggestion-item').length < n",
                arg=len(listed),
            )


def in_view(box: dict[str, float]) -> bool:
    """The span's first and last characters are on screen, below the bars."""
    return bool(box["y1"] >= 200 and box["y2"] <= box["height"] - 40)


def prepare(text: str, reference: object | None) -> dict[str, str]:
    user = accounts.create_user(db.session, "bench", PASSWORD)
    urls = {}
    runs = ["on", "off"] + (["reference"] if reference is not None else [])
    for mode in runs:
        project = projects.create_project(db.session, f"Seed {mode}")
        projects.add_member(db.session, project, user, "annotator", None)
        settings.set_suggestions(db.session, project, "off" if mode == "off" else "on")
        if mode == "reference":
            lexicons.save_lexicon(db.session, project, reference, None)
        documents.import_files(db.session, project, [("seed.txt", text.encode())])
        document = db.session.scalars(
            select(Document).where(Document.project_id == project.id)
        ).one()
        db.session.add(
            Assignment(document_id=document.id, user_id=user.id, status="in_progress")
        )
        db.session.commit()
        urls[mode] = f"/projects/{project.id}/documents/{document.id}/annotate"
    return urls


def run(page: Any, url: str, text: str, gold: list[Span], suggest: bool) -> Annotator:
    page.goto(url)
    page.wait_for_selector("#document-text[data-ready='true'][data-role='editing']")
    annotator = Annotator(page, text)
    if suggest:
        annotator.answer_suggestions(set(gold))
    for span in gold:
        if span not in annotator.stored():
            annotator.draw(span)
    stored = annotator.stored()
    if stored != set(gold):
        missing, extra = set(gold) - stored, stored - set(gold)
        raise SystemExit(f"did not reach the gold: missing {missing}, extra {extra}")
    return annotator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference-lexicon", type=Path, help="a lexicon to compare with"
    )
    args = parser.parse_args()
    reference = None
    if args.reference_lexicon:
        reference = json.loads(args.reference_lexicon.read_text(encoding="utf-8"))
    record = json.loads((SEEDS / ARTICLE).read_text(encoding="utf-8").splitlines()[0])
    text = record["text"]
    [gold_annotation] = [
        a for a in record["annotations"] if a["annotator"] == GOLD_ANNOTATOR
    ]
    gold = [(s["start"], s["end"], s["label"]) for s in gold_annotation["spans"]]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database = folder / "bench.sqlite"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "x"}
        )
        with app.app_context():
            migrations.upgrade(db.engine)
            urls = prepare(text, reference)
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
            without = run(page, urls["off"], text, gold, suggest=False)
            with_ = run(page, urls["on"], text, gold, suggest=True)
            old = None
            if "reference" in urls:
                old = run(page, urls["reference"], text, gold, suggest=True)
            browser.close()
    print(
        f"seed article: {len(text)} characters, "
        f"{len(gold)} gold spans ({GOLD_ANNOTATOR})"
    )
    for name, annotator in (
        ("without suggestions", without),
        ("with suggestions", with_),
    ):
        print(
            f"{name}: {annotator.total} input events ({annotator.events}), "
            f"{annotator.total / len(gold):.2f} per correct span"
        )
    print(f"ratio with/without: {with_.total / without.total:.2f}")
    if old is not None:
        print(
            f"with the reference lexicon ({args.reference_lexicon}): "
            f"{old.total} input events ({old.events}), "
            f"{old.total / len(gold):.2f} per correct span; "
            f"ratio with/without: {old.total / without.total:.2f}"
        )


if __name__ == "__main__":
    main()
