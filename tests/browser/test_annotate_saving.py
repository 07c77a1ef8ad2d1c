"""Autosave: the status shown, edits kept while the server is unreachable and
across a reload, and a stale tab refused and refreshed."""

import pytest
from playwright.sync_api import expect

from tests.browser.annotating import (
    log_in,
    new_page,
    open_document,
    script_errors,
    select_word,
    start_annotating,
    stored_texts,
    wait_saved,
)

pytestmark = pytest.mark.browser

TEXT = "The minister said talks had failed. Others say they never began."
API = "**/api/**"


@pytest.fixture
def annotating(page, project, users):
    return start_annotating(page, project, users, TEXT)


def texts(document, users):
    return stored_texts(document, users["annotator"], TEXT)


def test_offline_edits_are_sent_when_the_network_returns(page, annotating, users):
    page.context.set_offline(True)
    select_word(page, TEXT, "talks had failed")
    page.keyboard.press("1")
    status = page.locator("#save-status")
    expect(status).to_have_text("not saved — retrying")
    page.keyboard.press("2")  # relabel the new span, still offline
    assert texts(annotating, users) == []
    page.context.set_offline(False)
    wait_saved(page)
    assert texts(annotating, users) == [("talks had failed", "denial")]
    assert script_errors(page) == []


def test_reload_while_unreachable_loses_nothing(page, annotating, users):
    page.route(API, lambda route: route.abort())
    select_word(page, TEXT, "The minister said")
    page.keyboard.press("1")
    select_word(page, TEXT, "never began")
    page.keyboard.press("2")
    page.keyboard.press("Delete")
    select_word(page, TEXT, "Others say")
    page.keyboard.press("3")
    expect(page.locator("#save-status")).to_have_text("not saved — retrying")
    page.reload()
    expect(page.locator("#document-text")).to_have_attribute("data-ready", "true")
    marks = page.locator("#document-text .mark")
    expect(marks).to_have_count(2)
    expect(page.locator("#span-list")).to_contain_text("Claim The minister said")
    expect(page.locator("#span-list")).to_contain_text("Hedge Others say")
    assert texts(annotating, users) == []
    page.unroute(API)
    expect(page.locator("#save-status")).to_have_attribute(
        "data-state", "saved", timeout=20_000
    )
    assert texts(annotating, users) == [
        ("The minister said", "claim"),
        ("Others say", "hedge"),
    ]
    page.reload()
    expect(page.locator("#document-text .mark")).to_have_count(2)
    assert script_errors(page) == []


def test_stale_window_gets_the_current_state_and_says_so(
    page, browser, live_server, project, annotating, users
):
    # Another browser (its own context): tabs of one browser are kept to one
    # editor by a lock, so only a second browser or device can go stale.
    other = new_page(browser, live_server)
    log_in(other, "annotator")
    open_document(other, project, annotating)
    select_word(other, TEXT, "The minister said")
    other.keyboard.press("1")
    wait_saved(other)
    select_word(page, TEXT, "Others say")
    page.keyboard.press("3")
    expect(page.locator("#annotate-message")).to_contain_text("changed in another tab")
    wait_saved(page)
    expect(page.locator("#document-text .mark")).to_have_text("The minister said")
    assert texts(annotating, users) == [("The minister said", "claim")]
    select_word(page, TEXT, "never began")  # the refreshed tab saves again
    page.keyboard.press("2")
    wait_saved(page)
    assert texts(annotating, users) == [
        ("The minister said", "claim"),
        ("never began", "denial"),
    ]
    assert script_errors(page) == []
    other.context.close()


def test_a_refused_change_is_reported_and_the_saved_state_shown(
    page, annotating, users
):
    def refuse(route):
        route.fulfill(
            status=400,
            content_type="application/json",
            body='{"error": "label: unknown label", "field": "label"}',
        )

    page.route("**/api/**/spans", refuse)
    select_word(page, TEXT, "talks had failed")
    page.keyboard.press("1")
    expect(page.locator("#annotate-message")).to_have_text(
        "Not saved: label: unknown label"
    )
    expect(page.locator("#document-text .mark")).to_have_count(0)
    page.unroute("**/api/**/spans")
    wait_saved(page)
    assert texts(annotating, users) == []
    select_word(page, TEXT, "never began")
    page.keyboard.press("2")
    wait_saved(page)
    assert texts(annotating, users) == [("never began", "denial")]
    assert script_errors(page) == []
