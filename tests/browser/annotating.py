"""Helpers for the annotation page's browser tests: log in, open a document,
select text through a DOM Range, wait for the save, read what was stored."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document, Label, Project, Span, SpanLink, User
from annotator.services import assignments
from annotator.services.documents import import_files
from tests.conftest import PASSWORD

SELECT_UTF16 = """([start, end]) => {
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
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return selection.toString();
}"""


def record_console_errors(page: Page) -> Page:
    """``page``, keeping its console errors and uncaught script errors for
    script_errors() (tests assert ``page.console_errors == []``)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def new_page(browser: Any, base_url: str) -> Page:
    """A page in a context of its own (another user), recording console errors."""
    return record_console_errors(browser.new_context(base_url=base_url).new_page())


def utf16(text: str, code_point: int) -> int:
    return len(text[:code_point].encode("utf-16-le")) // 2


def log_in(page: Page, username: str) -> None:
    """Log in as ``username`` with the tests' password."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()


def add_documents(project: Project, *texts: str) -> list[Document]:
    files = [(f"doc{i}.txt", text.encode()) for i, text in enumerate(texts)]
    import_files(db.session, project, files)
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.project_id == project.id)
            .order_by(Document.id)
        )
    )


def assign(project: Project, user: User) -> Document:
    document = assignments.next_document(db.session, project, user)
    assert document is not None
    return document


def start_annotating(
    page: Page, project: Project, users: dict[str, User], text: str
) -> Document:
    """A document of ``text`` assigned to the annotator, open in ``page``."""
    add_documents(project, text)
    document = assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, document)
    return document


def stored_texts(document: Document, user: User, text: str) -> list[tuple[str, str]]:
    """(covered text, label) of each of ``user``'s stored spans."""
    return [
        (text[s["start"] : s["end"]], s["label"]) for s in stored_spans(document, user)
    ]


def open_document(page: Page, project: Project, document: Document) -> None:
    page.goto(f"/projects/{project.id}/documents/{document.id}/annotate")
    expect(page.locator("#document-text")).to_have_attribute("data-ready", "true")


def select_text(page: Page, text: str, start: int, end: int) -> str:
    """Select code points [start, end) of the document; returns what the
    browser says is selected."""
    selected: str = page.evaluate(SELECT_UTF16, [utf16(text, start), utf16(text, end)])
    return selected


def select_word(page: Page, text: str, word: str, after: int = 0) -> tuple[int, int]:
    """Select the first `word` at or after code point `after`."""
    start = text.index(word, after)
    assert select_text(page, text, start, start + len(word)) == word
    return start, start + len(word)


POINT_OF = """([offset]) => {
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (offset < seen + node.data.length) {
      const range = document.createRange();
      range.setStart(node, offset - seen);
      range.setEnd(node, offset - seen + 1);
      const box = range.getBoundingClientRect();
      return [box.left + box.width / 2, box.top + box.height / 2];
    }
    seen += node.data.length;
  }
  return null;
}"""


def drag_select(page: Page, text: str, start: int, end: int) -> None:
    """Select with the mouse from the middle of character `start` to the
    middle of character `end - 1` (code points)."""
    first = page.evaluate(POINT_OF, [utf16(text, start)])
    last = page.evaluate(POINT_OF, [utf16(text, end - 1)])
    page.mouse.move(*first)
    page.mouse.down()
    page.mouse.move(*last, steps=5)
    page.mouse.up()


def wait_saved(page: Page) -> None:
    status = page.locator("#save-status")
    expect(status).to_have_attribute("data-state", "saved")
    expect(status).to_have_text("saved")


def stored_spans(document: Document, user: User) -> list[dict[str, Any]]:
    """What the server has for this user, read fresh from the database."""
    db.session.rollback()
    rows = db.session.execute(
        select(Span, Label.name)
        .join(Label, Label.id == Span.label_id)
        .where(Span.document_id == document.id, Span.annotator_id == user.id)
        .order_by(Span.start, Span.end)
    ).all()
    return [
        {
            "id": span.id,
            "start": span.start,
            "end": span.end,
            "label": label,
            "attributes": span.attributes,
            "note": span.note,
        }
        for span, label in rows
    ]


def stored_links(document: Document) -> list[tuple[int, int, str]]:
    db.session.rollback()
    rows = db.session.execute(
        select(SpanLink.source_id, SpanLink.target_id, SpanLink.kind)
        .join(Span, Span.id == SpanLink.source_id)
        .where(Span.document_id == document.id)
    ).all()
    return [tuple(row) for row in rows]


def script_errors(page: Page) -> list[str]:
    """Console errors, less the browser's notes on refused or failed requests
    (expected when a test cuts the network or provokes a 409)."""
    errors: list[str] = page.console_errors  # type: ignore[attr-defined]
    return [error for error in errors if "Failed to load resource" not in error]
