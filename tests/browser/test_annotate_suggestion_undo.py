"""Undoing suggestions on the annotation page with Ctrl+Z: an accept (the
span goes, the suggestion is offered again) and a reject (the suggestion
comes back), saved on the server (a reload shows the same), announced in the
page's live region; redo does it again. Code points after emoji and CRLF."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Span, SuggestionDecision
from annotator.services.suggestions.settings import set_suggestions
from tests.browser.annotating import (
    add_documents,
    assign,
    log_in,
    open_document,
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


def suggestion(page, words):
    return page.locator("#suggestion-list button.suggestion-item", has_text=words)


def decisions():
    db.session.rollback()
    return db.session.scalars(select(SuggestionDecision)).all()


def reload(page):
    page.reload()
    expect(page.locator("#document-text")).to_have_attribute("data-ready", "true")


def test_ctrl_z_undoes_an_accept_and_redo_accepts_again(page, annotating, users):
    items = page.locator("#suggestion-list button.suggestion-item")
    before = items.count()
    suggestion(page, "reportedly").focus()
    page.keyboard.press("Enter")
    wait_saved(page)
    assert stored_texts(annotating, users["annotator"], TEXT) == [
        ("reportedly", "hedge")
    ]
    page.keyboard.press("Control+z")
    wait_saved(page)
    expect(page.locator("#annotate-message")).to_contain_text(
        "Undone: accept Hedge “reportedly”."
    )
    expect(suggestion(page, "reportedly")).to_have_count(1)
    expect(items).to_have_count(before)
    expect(page.locator("#span-count")).to_have_text("0")
    mark = page.locator("#document-text .mark.suggestion", has_text="reportedly")
    expect(mark).to_have_attribute("data-tag", "Hedge?")
    expect(
        page.locator("#document-text .mark:not(.suggestion)", has_text="reportedly")
    ).to_have_count(0)
    assert stored_texts(annotating, users["annotator"], TEXT) == []
    assert decisions() == []
    reload(page)
    expect(suggestion(page, "reportedly")).to_have_count(1)
    expect(page.locator("#span-count")).to_have_text("0")
    # Accept again, undo, redo: the span is back, recorded as suggested, at
    # code points (UTF-16 would put it at 25).
    suggestion(page, "reportedly").focus()
    page.keyboard.press("y")
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+Shift+z")
    wait_saved(page)
    expect(page.locator("#annotate-message")).to_contain_text("Redone: accept Hedge")
    expect(suggestion(page, "reportedly")).to_have_count(0)
    span = db.session.scalars(select(Span)).one()
    assert (span.start, span.end, span.origin) == (20, 30, "suggested")
    assert [d.decision for d in decisions()] == ["accepted"]
    assert page.console_errors == []


def test_ctrl_z_undoes_a_reject(page, annotating, users):
    suggestion(page, "denied").focus()
    page.keyboard.press("n")
    wait_saved(page)
    expect(suggestion(page, "denied")).to_have_count(0)
    assert [d.decision for d in decisions()] == ["rejected"]
    page.keyboard.press("Control+z")
    wait_saved(page)
    expect(page.locator("#annotate-message")).to_contain_text("Undone: reject Denial")
    expect(suggestion(page, "denied")).to_have_count(1)
    expect(suggestion(page, "denied")).to_be_focused()  # ready to answer again
    assert decisions() == []
    reload(page)
    expect(suggestion(page, "denied")).to_have_count(1)
    assert stored_texts(annotating, users["annotator"], TEXT) == []
    assert page.console_errors == []


def test_undo_takes_later_span_edits_back_first(page, annotating, users):
    """Accept, delete the span, undo twice: the delete, then the accept; the
    server ends with neither the span nor the decision."""
    suggestion(page, "could").focus()
    page.keyboard.press("Enter")
    wait_saved(page)
    page.locator("#span-list button", has_text="could").click()
    page.keyboard.press("Delete")
    wait_saved(page)
    assert stored_texts(annotating, users["annotator"], TEXT) == []
    page.keyboard.press("Control+z")  # the delete: the span is back
    wait_saved(page)
    assert stored_texts(annotating, users["annotator"], TEXT) == [("could", "hedge")]
    page.keyboard.press("Control+z")  # the accept
    wait_saved(page)
    assert stored_texts(annotating, users["annotator"], TEXT) == []
    assert decisions() == []
    expect(suggestion(page, "could")).to_have_count(1)
    reload(page)
    expect(suggestion(page, "could")).to_have_count(1)
    assert page.console_errors == []


def test_undo_of_accept_all_brings_every_one_back(page, annotating, users):
    hedges = page.locator("#suggestion-list button.suggestion-item", has_text="Hedge?")
    count = hedges.count()
    page.get_by_role("button", name=f"Accept all Hedge ({count})").click()
    wait_saved(page)
    assert len(stored_texts(annotating, users["annotator"], TEXT)) == count
    page.locator("#span-list button").first.focus()
    page.keyboard.press("Control+z")
    wait_saved(page)
    expect(hedges).to_have_count(count)
    assert stored_texts(annotating, users["annotator"], TEXT) == []
    assert decisions() == []
    # A span drawn by hand is untouched by the undo of a suggestion.
    select_word(page, TEXT, "Troops")
    page.keyboard.press("1")
    wait_saved(page)
    assert stored_texts(annotating, users["annotator"], TEXT) == [("Troops", "claim")]
    assert page.console_errors == []
