"""Submitting and skipping move on to the next document; annotation is blind."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Assignment
from annotator.services.accounts import create_user
from annotator.services.projects import add_member
from tests.browser.annotating import (
    add_documents,
    assign,
    log_in,
    new_page,
    open_document,
    select_word,
    stored_spans,
    wait_saved,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

FIRST = "First article: the claim is here."
SECOND = "Second article."


def assignment_of(document, user):
    db.session.rollback()
    return db.session.scalar(
        select(Assignment).where(
            Assignment.document_id == document.id, Assignment.user_id == user.id
        )
    )


def test_submit_marks_done_and_opens_the_next_document(page, project, users):
    first, second = add_documents(project, FIRST, SECOND)
    assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, first)
    select_word(page, FIRST, "the claim")
    page.keyboard.press("1")
    page.get_by_role("button", name="Submit (mark done)").click()
    expect(page).to_have_url(
        re.compile(rf"/documents/{second.id}/annotate$"), timeout=10_000
    )
    expect(page.locator("#document-text")).to_have_text(SECOND)
    assert assignment_of(first, users["annotator"]).status == "submitted"
    assert len(stored_spans(first, users["annotator"])) == 1
    page.get_by_role("link", name="← My queue").click()
    expect(page.locator(".queue-progress")).to_contain_text("1 of 2 documents done")
    assert page.console_errors == []


def test_skip_needs_a_reason_then_moves_on(page, project, users):
    first, second = add_documents(project, FIRST, SECOND)
    assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, first)
    page.get_by_role("button", name="Skip…").click()
    page.get_by_role("button", name="Skip document").click()
    expect(page.locator("#skip-problem")).to_have_text(
        "Say why you skip this document."
    )
    expect(page.get_by_label("Reason for skipping")).to_be_focused()
    page.get_by_label("Reason for skipping").fill("Not in English")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/documents/{second.id}/annotate$"))
    skipped = assignment_of(first, users["annotator"])
    assert (skipped.status, skipped.skip_reason) == ("skipped", "Not in English")
    assert page.console_errors == []


def test_last_document_done_returns_to_the_queue(page, project, users):
    [only] = add_documents(project, FIRST)
    assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, only)
    page.get_by_role("button", name="Submit (mark done)").click()
    expect(
        page.get_by_text("No more documents for you in this project.")
    ).to_be_visible()
    expect(page.locator(".queue-progress")).to_contain_text("1 of 1 documents done")
    assert page.console_errors == []


def test_two_annotators_are_blind_to_each_other(browser, live_server, project, users):
    [document] = add_documents(project, FIRST)
    second = create_user(db.session, "second", PASSWORD)
    add_member(db.session, project, second, "annotator", None)
    assign(project, users["annotator"])
    assign(project, second)
    pages = []
    for name in ("annotator", "second"):
        opened = new_page(browser, live_server)
        log_in(opened, name)
        open_document(opened, project, document)
        pages.append(opened)
    mine, theirs = pages
    select_word(mine, FIRST, "First article")
    mine.keyboard.press("1")
    wait_saved(mine)
    select_word(theirs, FIRST, "the claim")
    theirs.keyboard.press("2")
    wait_saved(theirs)
    for opened, expected in ((mine, "First article"), (theirs, "the claim")):
        opened.reload()
        expect(opened.locator("#document-text .mark")).to_have_text(expected)
        expect(opened.locator("#span-list li")).to_have_count(1)
        assert opened.console_errors == []
        opened.context.close()
    assert [s["label"] for s in stored_spans(document, users["annotator"])] == ["claim"]
    assert [s["label"] for s in stored_spans(document, second)] == ["denial"]


def test_a_submitted_document_is_frozen_until_reopened(page, project, users):
    (first,) = add_documents(project, FIRST)
    assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, first)
    select_word(page, FIRST, "the claim")
    page.keyboard.press("1")
    page.get_by_role("button", name="Submit (mark done)").click()
    expect(page.locator(".queue-progress")).to_contain_text("1 of 1", timeout=10_000)
    open_document(page, project, first)
    select_word(page, FIRST, "article")
    page.keyboard.press("2")
    expect(page.locator("#annotate-message")).to_contain_text("Reopen")
    assert len(stored_spans(first, users["annotator"])) == 1
    page.get_by_role("button", name="Reopen to change spans").click()
    select_word(page, FIRST, "article")
    page.keyboard.press("2")
    wait_saved(page)
    assert len(stored_spans(first, users["annotator"])) == 2
    assert assignment_of(first, users["annotator"]).status == "in_progress"
    assert page.console_errors == []
