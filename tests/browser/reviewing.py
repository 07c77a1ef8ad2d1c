"""Helpers for the review page's browser tests: documents with several
annotators, logging in as the reviewer, selecting words of the text through a
DOM Range, and reading what the page shows."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document, Project
from annotator.services.documents import import_files
from tests.conftest import PASSWORD

DASH = "\u2013"  # as the page prints offsets
TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so. 😀 end"
SPANS = {
    "ann": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
    "bob": [(0, 33, "claim"), (35, 44, "denial"), (51, 56, "claim"), (61, 62, "hedge")],
}

# Selects the first occurrence of a string in the text lines (UTF-16, as the
# DOM counts), across segments; answers what the browser selected.
SELECT_TEXT = """(wanted) => {
  const lines = [...document.querySelectorAll("#lanes .line.text")];
  const nodes = [];
  let joined = "";
  for (const line of lines) {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      nodes.push([node, joined.length]);
      joined += node.data;
    }
  }
  const start = joined.indexOf(wanted);
  if (start < 0) return null;
  const end = start + wanted.length;
  const range = document.createRange();
  for (const [node, at] of nodes) {
    const after = at + node.data.length;
    if (start >= at && start < after) range.setStart(node, start - at);
    if (end > at && end <= after) range.setEnd(node, end - at);
  }
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
}"""


def record(
    doc_id: str,
    spans: dict[str, list[tuple[int, int, str]]] | None = None,
    text: str = TEXT,
) -> dict[str, Any]:
    return {
        "id": doc_id,
        "text": text,
        "annotations": [
            {
                "annotator": name,
                "spans": [{"start": s, "end": e, "label": x} for s, e, x in found],
            }
            for name, found in (spans or SPANS).items()
        ],
    }


def import_records(project: Project, records: list[dict[str, Any]]) -> dict[str, int]:
    data = "\n".join(json.dumps(r) for r in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    ids = dict(db.session.execute(select(Document.external_id, Document.id)).all())
    db.session.commit()
    return ids


def log_in_reviewer(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()


def open_review(
    page: Page, project: Project, document_id: int, query: str = ""
) -> None:
    log_in_reviewer(page)
    page.goto(f"/projects/{project.id}/review/documents/{document_id}{query}")
    expect(page.locator("#group-panel .group-title")).to_be_visible()


def select_text(page: Page, wanted: str) -> None:
    assert page.evaluate(SELECT_TEXT, wanted) == wanted


def gold_marks(page: Page) -> Any:
    """The gold lane's marks, one per piece of a gold span in a row."""
    return page.locator("#lanes .lane-gold .mk")


def panel(page: Page) -> Any:
    return page.locator("#group-panel")


def message(page: Page) -> Any:
    return page.locator("#group-message")


def in_viewport(page: Page, locator: Any) -> bool:
    """Whether the element's box lies wholly inside the viewport."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["height"] > 0
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )
