"""What the browser selects is what the server stores: code points, whatever
emoji, combining marks, CJK or CRLF line endings come before. And the text is
shown literally, never as markup."""

import pytest
from playwright.sync_api import expect

from tests.browser.annotating import (
    add_documents,
    assign,
    log_in,
    open_document,
    select_text,
    select_word,
    start_annotating,
    stored_spans,
    wait_saved,
)

pytestmark = pytest.mark.browser

TEXT = (
    "👍🏽 Moscow denied it.\r\n"
    "👨‍👩‍👧 Kyiv replied.\r\n"
    "Cafe\u0301 owners 中文 spoke, 中文字 remained.\r\n"
    "Last line."
)
WORDS = [
    ("Moscow", "👍🏽"),
    ("Kyiv", "👨‍👩‍👧"),
    ("owners", "e\u0301"),
    ("spoke", "中文"),
    ("中文字", "spoke,"),
    ("Last", "\r\n"),
]


@pytest.fixture
def annotating(page, project, users):
    return start_annotating(page, project, users, TEXT)


def test_the_text_is_shown_exactly_crlf_included(page, annotating):
    shown = page.locator("#document-text").evaluate("(root) => root.textContent")
    assert shown == TEXT
    assert annotating.text == TEXT


def test_stored_offsets_are_code_points_of_the_selected_words(page, annotating, users):
    expected = []
    for word, after in WORDS:
        start, end = select_word(page, TEXT, word, after=TEXT.index(after))
        page.keyboard.press("1")
        expected.append((start, end))
    wait_saved(page)
    stored = stored_spans(annotating, users["annotator"])
    assert [(s["start"], s["end"]) for s in stored] == sorted(expected)
    assert sorted(TEXT[s["start"] : s["end"]] for s in stored) == sorted(
        word for word, _ in WORDS
    )
    assert page.console_errors == []


def test_snapping_keeps_combining_marks_and_whole_emoji(page, annotating, users):
    start = TEXT.index("Cafe")
    select_text(page, TEXT, start + 1, start + 4)  # "afe", without U+0301
    page.keyboard.press("3")
    select_text(page, TEXT, 0, 1)  # the thumb, without its skin tone
    page.keyboard.press("4")
    wait_saved(page)
    stored = stored_spans(annotating, users["annotator"])
    assert [TEXT[s["start"] : s["end"]] for s in stored] == ["👍🏽", "Cafe\u0301"]
    expect(page.locator(".mark[title='Hedge']")).to_have_text("Cafe\u0301")
    assert page.console_errors == []


HOSTILE = "Look: <script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }} &amp;"


def test_markup_in_a_document_is_shown_literally(page, project, users):
    add_documents(project, HOSTILE)
    document = assign(project, users["annotator"])
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    log_in(page, "annotator")
    open_document(page, project, document)
    text = page.locator("#document-text")
    assert text.evaluate("(root) => root.textContent") == HOSTILE
    expect(text.locator("img, script")).to_have_count(0)
    expect(text).to_contain_text("{{ 7*7 }}")
    select_word(page, HOSTILE, "<script>alert(1)</script>")
    page.keyboard.press("1")
    wait_saved(page)
    expect(page.locator("#span-list")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("#details-summary")).to_contain_text("<script>")
    [span] = stored_spans(document, users["annotator"])
    assert HOSTILE[span["start"] : span["end"]] == "<script>alert(1)</script>"
    assert dialogs == []
    assert page.console_errors == []
