"""Spans without a mouse: caret mode in the text, the shortcut dialog, Ctrl+Enter
to submit, and undo that reaches the spans from the Source and Note fields."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.annotating import (
    select_word,
    start_annotating,
    stored_spans,
    wait_saved,
)

pytestmark = pytest.mark.browser

# 👍🏽 is 2 code points (4 UTF-16 units), the family 5 code points (8 units),
# CRLF 2 code points: the UTF-16 offsets of "blast" are 18..23, not 12..17.
TEXT = "👍🏽 ok 👨\u200d👩\u200d👧 blast\r\nnext line, 東京 here."


def api_spans(page: Page) -> list[dict]:
    """The annotator's spans as the server's API answers them."""
    api = page.evaluate(
        "() => JSON.parse(document.getElementById('annotate-payload').textContent).api"
    )
    response = page.request.get(f"{api}/annotation")
    assert response.ok
    return sorted(response.json()["spans"], key=lambda s: (s["start"], s["end"]))


def covered(span: dict) -> str:
    return TEXT[span["start"] : span["end"]]


@pytest.fixture
def caret_page(page, project, users):
    document = start_annotating(page, project, users, TEXT)
    page.locator("#document-text").focus()
    return document


def test_caret_mode_makes_spans_in_code_points(page, caret_page, users):
    keys = page.keyboard
    keys.press("Shift+ArrowRight")  # one character: the whole 👍🏽
    keys.press("3")  # the caret stays at the span's end
    for _ in range(2):
        keys.press("Control+ArrowRight")  # ends of "ok" and of the family
    keys.press("ArrowRight")  # over the space
    keys.press("Shift+Control+ArrowRight")  # "blast"
    keys.press("1")
    keys.press("Control+ArrowLeft")  # back to the start of "blast"
    keys.press("Shift+Control+ArrowRight")
    keys.press("Shift+Control+ArrowRight")  # over CRLF to the end of "next"
    keys.press("2")
    wait_saved(page)
    spans = api_spans(page)
    assert [(s["start"], s["end"], s["label"]) for s in spans] == [
        (0, 2, "hedge"),
        (12, 17, "claim"),
        (12, 23, "denial"),
    ]
    assert [covered(s) for s in spans] == ["👍🏽", "blast", "blast\r\nnext"]
    assert stored_spans(caret_page, users["annotator"])[1]["start"] == 12
    assert page.console_errors == []


def test_caret_moves_by_character_over_crlf_and_selects_cjk(page, caret_page):
    keys = page.keyboard
    keys.press("End")  # end of the first line, before CRLF
    keys.press("Shift+ArrowRight")  # CRLF is one character
    keys.press("Shift+ArrowRight")
    keys.press("Escape")  # the selection goes, the caret stays
    for _ in range(3):
        keys.press("Control+ArrowRight")  # next, line, 東京 (a word of its own)
    keys.press("Shift+Control+ArrowLeft")
    keys.press("4")
    wait_saved(page)
    spans = api_spans(page)
    assert [covered(s) for s in spans] == ["東京"]
    assert spans[0]["start"] == TEXT.index("東京")
    caret = page.locator("#caret")
    expect(caret).to_be_visible()
    keys.press("Home")
    keys.press("ArrowLeft")
    keys.press("Enter")  # on a span? no: the caret is at the end of "blast"
    expect(page.locator("#annotate-message")).to_contain_text("No span at the caret")
    assert page.console_errors == []


def test_enter_on_a_span_selects_it(page, caret_page):
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("1")
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    expect(page.locator("#details-summary")).to_contain_text("Claim: “👍🏽”")
    page.keyboard.press("Delete")
    wait_saved(page)
    assert api_spans(page) == []


def test_question_mark_opens_the_shortcut_dialog(page, project, users):
    start_annotating(page, project, users, TEXT)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    for key in ("Ctrl + Enter", "Ctrl + Z", "Delete", "Esc", "Shift + arrows"):
        expect(dialog).to_contain_text(key)
    for hotkey, name in (("1", "Claim"), ("2", "Denial"), ("3", "Hedge")):
        expect(dialog.locator("dt", has_text=re.compile(f"^{hotkey}$"))).to_have_count(
            1
        )
        expect(dialog).to_contain_text(name)
    page.keyboard.press("1")  # keys do not reach the page behind the dialog
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#annotate-message")).to_be_hidden()
    page.get_by_role("button", name="Keys").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert page.console_errors == []


def test_ctrl_enter_submits(page, project, users):
    document = start_annotating(page, project, users, TEXT)
    select_word(page, TEXT, "blast")
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("No more documents")).to_be_visible()
    assert len(stored_spans(document, users["annotator"])) == 1
    page.goto(page.url)  # the queue lists it as done
    expect(page.locator(".queue-progress")).to_contain_text("1 of 1")


def test_undo_reaches_the_spans_from_a_field_once_its_typing_is_saved(
    page, project, users
):
    document = start_annotating(page, project, users, TEXT)
    select_word(page, TEXT, "blast")
    page.keyboard.press("1")
    source = page.get_by_label("Source")
    source.click()
    page.keyboard.type("Kremlin")
    page.keyboard.press("Tab")  # saved to the span
    wait_saved(page)
    source.click()
    page.keyboard.type(" press")
    page.keyboard.press("Control+z")  # unsaved typing: the field's own undo
    expect(source).to_have_value("Kremlin")
    wait_saved(page)
    [span] = stored_spans(document, users["annotator"])
    assert span["attributes"] == {"source": "Kremlin"}
    page.keyboard.press("Control+z")  # a clean field: undo the source edit
    expect(source).to_have_value("")
    wait_saved(page)
    assert stored_spans(document, users["annotator"])[0]["attributes"] == {}
    page.get_by_label("Note").click()
    page.keyboard.press("Control+Shift+z")  # redo from the Note field
    expect(source).to_have_value("Kremlin")
    wait_saved(page)
    assert stored_spans(document, users["annotator"])[0]["attributes"] == {
        "source": "Kremlin"
    }
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")  # the span itself goes
    wait_saved(page)
    assert stored_spans(document, users["annotator"]) == []
    assert page.console_errors == []


def test_up_and_down_move_the_caret_by_line(page, caret_page):
    focus = """() => {
      const selection = document.getSelection();
      const range = document.createRange();
      range.setStart(document.getElementById("document-text"), 0);
      range.setEnd(selection.focusNode, selection.focusOffset);
      return range.toString().length;
    }"""
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    below = page.evaluate(focus)
    assert below > len("👍🏽 ok 👨‍👩‍👧 blast\r\n".encode("utf-16-le")) // 2 - 1
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focus) < below
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("2")
    wait_saved(page)
    [span] = api_spans(page)
    assert "\r\n" in covered(span)
    assert page.console_errors == []
