"""Suggestions on the annotation page: drawn dashed with their label, listed,
accepted (a span of the annotator's, origin suggested, code points right
after emoji and CRLF), rejected (gone after a reload), accepted by label;
none on a calibration document."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Span
from annotator.services.suggestions.settings import (
    calibration_rank,
    is_calibration,
    set_suggestions,
)
from tests.browser.annotating import (
    add_documents,
    assign,
    log_in,
    open_document,
    record_console_errors,
    select_word,
    stored_texts,
    wait_saved,
)

pytestmark = pytest.mark.browser

TEXT = (
    "👍🏽 中文 👨‍👩‍👧\r\nMoscow reportedly denied it. Troops could attack, "
    "officials said.\nThey possibly left."
)


@pytest.fixture
def annotating(page, project, users):
    set_suggestions(db.session, project, "on")
    add_documents(project, TEXT)
    document = assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, document)
    return document


def new_tab(page):
    return record_console_errors(page.context.new_page())


def suggestion(page, words):
    return page.locator("#suggestion-list button.suggestion-item", has_text=words)


def mark_of(page, words):
    return page.locator("#document-text .mark.suggestion", has_text=words).first


def test_suggestions_are_drawn_dashed_with_their_label_and_listed(page, annotating):
    mark = mark_of(page, "reportedly")
    expect(mark).to_have_text("reportedly")
    expect(mark).to_have_attribute("data-tag", "Hedge?")
    expect(mark).to_have_attribute(
        "title", re.compile(r"^Suggested: Hedge \(score 0\.\d\d, rules\)")
    )
    assert mark.evaluate("m => getComputedStyle(m).outlineStyle") == "dashed"
    item = suggestion(page, "reportedly")
    expect(item).to_contain_text("Hedge?")
    expect(item).to_contain_text("score 0.")
    expect(item).to_contain_text("rules")
    count = page.locator("#suggestion-list li").count()
    assert count >= 3
    expect(page.locator("#suggestion-count")).to_have_text(str(count))
    # Not the annotator's spans: nothing stored, the span list empty.
    expect(page.locator("#span-count")).to_have_text("0")
    assert page.console_errors == []


def test_enter_accepts_the_focused_suggestion_as_a_span(page, annotating, users):
    suggestion(page, "reportedly").focus()
    expect(mark_of(page, "reportedly")).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("Enter")
    wait_saved(page)
    assert ("reportedly", "hedge") in stored_texts(annotating, users["annotator"], TEXT)
    db.session.rollback()
    span = db.session.scalars(
        select(Span).where(Span.start == TEXT.index("reportedly"))
    ).one()
    # Code points after an emoji with a skin tone, a ZWJ family, CJK and
    # CRLF (UTF-16 would put it at 25).
    assert (span.start, span.end) == (20, 30)
    assert span.origin == "suggested"
    expect(page.locator("#annotate-message")).to_contain_text("Accepted: Hedge")
    expect(suggestion(page, "reportedly")).to_have_count(0)
    # Drawn like any span now, and listed among the spans.
    own = page.locator("#document-text .mark:not(.suggestion)", has_text="reportedly")
    expect(own).to_have_attribute("title", "Hedge")
    expect(page.locator("#span-list")).to_contain_text("Hedge reportedly")
    # Focus moved on to the next suggestion: Tab order stays in the list.
    assert page.evaluate("document.activeElement.dataset.suggestion") is not None
    page.reload()
    expect(page.locator("#document-text")).to_have_attribute("data-ready", "true")
    expect(suggestion(page, "reportedly")).to_have_count(0)
    expect(page.locator("#span-count")).to_have_text("1")
    assert page.console_errors == []


def test_tab_walks_suggestions_and_n_rejects_for_good(page, annotating, users):
    items = page.locator("#suggestion-list button.suggestion-item")
    first, second = items.nth(0).text_content(), items.nth(1).text_content()
    items.nth(0).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == second
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == first
    before = items.count()
    suggestion(page, "denied").focus()
    page.keyboard.press("n")
    wait_saved(page)
    expect(items).to_have_count(before - 1)
    expect(page.locator("#annotate-message")).to_contain_text("Rejected: Denial")
    page.reload()
    expect(page.locator("#document-text")).to_have_attribute("data-ready", "true")
    expect(items).to_have_count(before - 1)
    expect(suggestion(page, "denied")).to_have_count(0)
    assert stored_texts(annotating, users["annotator"], TEXT) == []
    assert page.console_errors == []


def test_accept_all_of_a_label(page, annotating, users):
    hedges = page.locator("#suggestion-list button.suggestion-item", has_text="Hedge?")
    count = hedges.count()
    assert count >= 2
    page.get_by_role("button", name=f"Accept all Hedge ({count})").click()
    wait_saved(page)
    stored = stored_texts(annotating, users["annotator"], TEXT)
    assert len(stored) == count
    assert {label for _, label in stored} == {"hedge"}
    assert ("possibly", "hedge") in stored
    expect(hedges).to_have_count(0)
    expect(page.locator("#span-count")).to_have_text(str(count))
    expect(page.locator("#annotate-message")).to_contain_text(f"Accepted {count} Hedge")
    assert page.console_errors == []


def test_a_key_accepts_all_of_the_focused_label(page, annotating, users):
    suggestion(page, "could").focus()
    page.keyboard.press("a")
    wait_saved(page)
    stored = stored_texts(annotating, users["annotator"], TEXT)
    assert ("could", "hedge") in stored
    assert {label for _, label in stored} == {"hedge"}


def test_a_calibration_document_shows_no_suggestions(page, project, users):
    [document] = add_documents(project, "Officials reportedly denied it.")
    # A share just above this document's place: it is a calibration document.
    share = calibration_rank(project.id, document.id) + 1e-9
    settings = set_suggestions(db.session, project, "calibrate", share)
    assert is_calibration(settings, document.id)
    assert assign(project, users["annotator"]).id == document.id
    log_in(page, "annotator")
    open_document(page, project, document)
    expect(page.locator("#suggestion-empty")).to_be_visible()
    expect(page.locator("#suggestion-count")).to_have_text("0")
    expect(page.locator("#document-text .mark")).to_have_count(0)
    assert page.console_errors == []


def test_mouse_click_in_text_then_buttons(page, annotating, users):
    mark_of(page, "could").click()
    expect(suggestion(page, "could")).to_be_focused()
    row = page.locator("#suggestion-list li", has_text="could")
    row.get_by_role("button", name="Reject").click()
    expect(suggestion(page, "could")).to_have_count(0)
    expect(mark_of(page, "could")).to_have_count(0)
    # Focus went on to the next suggestion, not lost.
    assert page.evaluate("document.activeElement.dataset.suggestion") is not None
    row = page.locator("#suggestion-list li", has_text="possibly")
    row.get_by_role("button", name="Accept").click()
    wait_saved(page)
    assert stored_texts(annotating, users["annotator"], TEXT) == [("possibly", "hedge")]


def test_a_span_drawn_like_a_suggestion_replaces_it(page, annotating, users):
    start, end = select_word(page, TEXT, "reportedly")
    page.keyboard.press("3")  # Hedge
    wait_saved(page)
    expect(suggestion(page, "reportedly")).to_have_count(0)
    expect(
        page.locator("#document-text .mark.suggestion", has_text="reportedly")
    ).to_have_count(0)
    db.session.rollback()
    span = db.session.scalars(select(Span)).one()
    assert (span.start, span.end, span.origin) == (start, end, "manual")
    assert page.console_errors == []


def test_a_read_only_second_tab_accepts_nothing_until_it_takes_over(
    page, project, annotating, users
):
    other = new_tab(page)
    open_document(other, project, annotating)
    expect(other.locator("#document-text")).to_have_attribute("data-role", "read-only")
    row = other.locator("#suggestion-list li", has_text="could")
    expect(row.get_by_role("button", name="Accept")).to_be_disabled()
    expect(
        other.get_by_role("button", name=re.compile("^Accept all Hedge"))
    ).to_be_disabled()
    other.locator("#suggestion-list button.suggestion-item").first.focus()
    other.keyboard.press("Enter")
    assert stored_texts(annotating, users["annotator"], TEXT) == []
    page.close()
    expect(other.locator("#document-text")).to_have_attribute("data-role", "editing")
    expect(row.get_by_role("button", name="Accept")).to_be_enabled()
    row.get_by_role("button", name="Accept").click()
    wait_saved(other)
    assert stored_texts(annotating, users["annotator"], TEXT) == [("could", "hedge")]
    assert other.console_errors == []


def test_on_a_phone_a_suggestion_clicked_in_the_text_opens_the_panel(page, annotating):
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#annotate-panel")).to_be_hidden()
    mark_of(page, "could").click()
    expect(page.locator("#panel-toggle")).to_have_attribute("aria-expanded", "true")
    expect(suggestion(page, "could")).to_be_focused()
    page.keyboard.press("y")
    expect(suggestion(page, "could")).to_have_count(0)
    wait_saved(page)
    assert page.console_errors == []
