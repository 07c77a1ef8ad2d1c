"""After answering suggestions with the keyboard, the next mouse drag in the
text makes a selection the first time, and its label key tags it: answering
by keyboard leaves no focus, caret or selection state that swallows a drag
(the redone drag of bench.suggestion_effort_bench was the bench's wheel
turned over the side list, which scrolls the list, not the text)."""

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services.suggestions.settings import set_suggestions
from tests.browser.annotating import (
    add_documents,
    assign,
    log_in,
    open_document,
    stored_texts,
    utf16,
    wait_saved,
)

pytestmark = pytest.mark.browser

TEXT = (
    "Moscow reportedly denied it. Troops could attack, officials said.\n"
    "The convoy moved north of the river on Tuesday morning."
)
# Viewport points just inside the left edge of UTF-16 unit `start` and the
# right edge of unit `end - 1`: where a person starts and ends a drag.
EDGES = """([start, end]) => {
  const root = document.getElementById("document-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const boxes = {};
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const at of [start, end - 1]) {
      if (at >= seen && at < seen + node.data.length) {
        const range = document.createRange();
        range.setStart(node, at - seen);
        range.setEnd(node, at - seen + 1);
        boxes[at] = range.getClientRects()[0];
      }
    }
    seen += node.data.length;
  }
  const first = boxes[start], last = boxes[end - 1];
  return [first.left + 1, first.top + first.height / 2,
          last.right - 1, last.top + last.height / 2];
}"""


@pytest.fixture
def annotating(page, project, users):
    set_suggestions(db.session, project, "on")
    add_documents(project, TEXT)
    document = assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, document)
    return document


def drag(page, words):
    start = TEXT.index(words)
    x1, y1, x2, y2 = page.evaluate(
        EDGES, [utf16(TEXT, start), utf16(TEXT, start + len(words))]
    )
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=4)
    page.mouse.up()


def selected(page):
    return page.evaluate("String(document.getSelection())")


@pytest.mark.parametrize("answer", ["Enter", "n", "a"])
def test_a_drag_after_a_keyboard_answer_selects_the_first_time(
    page, annotating, users, answer
):
    items = page.locator("#suggestion-list button.suggestion-item")
    count = items.count()
    items.first.click()  # the pointer is over the side list now
    page.keyboard.press(answer)
    expect(items).not_to_have_count(count)
    wait_saved(page)
    drag(page, "The convoy moved north")
    assert selected(page) == "The convoy moved north"
    page.keyboard.press("1")
    wait_saved(page)
    assert ("The convoy moved north", "claim") in stored_texts(
        annotating, users["annotator"], TEXT
    )


def test_a_drag_after_every_suggestion_is_answered_selects_the_first_time(
    page, annotating, users
):
    items = page.locator("#suggestion-list button.suggestion-item")
    items.first.click()
    while (count := items.count()) > 0:
        page.keyboard.press("n")
        expect(items).to_have_count(count - 1)
    wait_saved(page)
    # Focus is on the Suggestions heading now, with no selection anywhere.
    expect(page.locator("#suggestions-heading")).to_be_focused()
    drag(page, "Troops could attack")
    assert selected(page) == "Troops could attack"
    page.keyboard.press("1")
    wait_saved(page)
    assert stored_texts(annotating, users["annotator"], TEXT) == [
        ("Troops could attack", "claim")
    ]
