"""One editing tab per document: a second tab of the same browser is
read-only until the first closes, then takes over the first tab's unsaved
edits and sends them."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.annotating import (
    open_document,
    record_console_errors,
    script_errors,
    select_word,
    start_annotating,
    stored_texts,
    wait_saved,
)

pytestmark = pytest.mark.browser

TEXT = "The minister said talks had failed. Others say they never began."
BANNER = "This document is open for editing in another tab"


@pytest.fixture
def annotating(page, project, users):
    return start_annotating(page, project, users, TEXT)


def second_tab(page: Page, project, document) -> Page:
    """The same document in another tab of the same browser."""
    other = record_console_errors(page.context.new_page())
    open_document(other, project, document)
    return other


def texts(document, users):
    return stored_texts(document, users["annotator"], TEXT)


def expect_editable(tab: Page) -> None:
    expect(tab.locator("#document-text")).to_have_attribute("data-role", "editing")
    expect(tab.get_by_text(BANNER)).to_be_hidden()
    expect(tab.get_by_role("button", name="1 Claim", exact=True)).to_be_enabled()


def test_second_tab_is_read_only_and_sends_nothing(page, project, annotating, users):
    expect_editable(page)
    other = second_tab(page, project, annotating)
    api_calls: list[str] = []
    other.on("request", lambda r: api_calls.append(r.url) if "/api/" in r.url else None)
    expect(other.get_by_role("status").filter(has_text=BANNER)).to_be_visible()
    expect(other.locator("#save-status")).to_have_text("read-only")
    expect(other.get_by_role("button", name="1 Claim", exact=True)).to_be_disabled()
    expect(other.get_by_role("button", name="Submit (mark done)")).to_be_disabled()
    select_word(other, TEXT, "talks had failed")
    other.keyboard.press("1")
    expect(other.locator("#document-text .mark")).to_have_count(0)
    expect(other.locator("#span-count")).to_have_text("0")
    # The first tab still edits; once its save is through, the other tab
    # has had every chance to send a request of its own.
    select_word(page, TEXT, "Others say")
    page.keyboard.press("3")
    wait_saved(page)
    assert texts(annotating, users) == [("Others say", "hedge")]
    assert api_calls == []
    # The saving tab cleared its queue before it showed "saved"; the other
    # tab is another renderer, to which Chromium hands storage changes on
    # later, so it is given the time to see them. Anything it had stored of
    # its own would stay and fail this.
    assert page.evaluate("Object.keys(localStorage)") == []
    other.wait_for_function("() => localStorage.length === 0", timeout=5000)
    assert script_errors(page) == []
    assert script_errors(other) == []


def test_edits_of_a_tab_closed_offline_are_sent_by_the_next_tab(
    page, project, annotating, users
):
    other = second_tab(page, project, annotating)
    expect(other.get_by_text(BANNER)).to_be_visible()
    page.context.set_offline(True)
    select_word(page, TEXT, "talks had failed")
    page.keyboard.press("1")
    select_word(page, TEXT, "never began")
    page.keyboard.press("2")
    # Both edits drawn (so both queued) before the tab closes: the status
    # already reads "retrying" after the first, and under load the second
    # key press could still be on its way when the tab was closed.
    expect(page.locator("#document-text .mark")).to_have_count(2)
    expect(page.locator("#save-status")).to_have_text("not saved — retrying")
    page.close()
    expect_editable(other)
    expect(other.locator("#annotate-message")).to_contain_text(
        "The other tab was closed"
    )
    expect(other.locator("#document-text .mark")).to_have_count(2)
    assert texts(annotating, users) == []
    other.context.set_offline(False)
    wait_saved(other)
    assert texts(annotating, users) == [
        ("talks had failed", "claim"),
        ("never began", "denial"),
    ]
    select_word(other, TEXT, "Others say")  # and it edits on its own
    other.keyboard.press("3")
    wait_saved(other)
    assert ("Others say", "hedge") in texts(annotating, users)
    other.reload()
    expect(other.locator("#document-text")).to_have_attribute("data-ready", "true")
    expect(other.locator("#document-text .mark")).to_have_count(3)
    assert script_errors(other) == []


def test_taking_over_shows_what_the_closed_tab_saved(page, project, annotating, users):
    other = second_tab(page, project, annotating)
    select_word(page, TEXT, "The minister said")
    page.keyboard.press("1")
    wait_saved(page)
    page.route("**/api/**", lambda route: route.abort())  # this tab only
    select_word(page, TEXT, "Others say")
    page.keyboard.press("3")
    expect(page.locator("#save-status")).to_have_text("not saved — retrying")
    # The read-only tab still shows the document as it was opened.
    expect(other.locator("#document-text .mark")).to_have_count(0)
    page.close()
    expect_editable(other)
    wait_saved(other)
    marks = other.locator("#document-text .mark")
    expect(marks).to_have_text(["The minister said", "Others say"])
    assert texts(annotating, users) == [
        ("The minister said", "claim"),
        ("Others say", "hedge"),
    ]
    assert script_errors(other) == []
