"""The annotator's queue: progress, open documents, the next-document button."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.annotating import add_documents, assign, log_in

pytestmark = pytest.mark.browser


def test_queue_shows_progress_and_next_document_opens_one(page, project, users):
    first, _second = add_documents(project, "First text.", "Second text.")
    log_in(page, "annotator")
    page.get_by_role("link", name="Alpha").click()
    page.get_by_role("link", name="My queue").click()
    expect(page.get_by_role("heading", name="Alpha: my queue")).to_be_visible()
    expect(page.locator(".queue-progress")).to_contain_text("0 of 2 documents done")
    expect(page.get_by_text("No open documents")).to_be_visible()
    page.get_by_role("button", name="Next document").click()
    expect(page).to_have_url(
        re.compile(rf"/projects/{project.id}/documents/{first.id}/annotate$")
    )
    expect(page.locator("#document-text")).to_have_text("First text.")
    page.go_back()
    page.reload()
    expect(page.get_by_role("link", name=first.external_id)).to_be_visible()
    assert page.console_errors == []


def test_queue_lists_assigned_documents(page, project, users):
    add_documents(project, "One.", "Two.")
    document = assign(project, users["annotator"])
    log_in(page, "annotator")
    page.goto(f"/projects/{project.id}/queue")
    page.get_by_role("link", name=document.external_id).click()
    expect(page.locator("#document-text")).to_have_text("One.")
    assert page.console_errors == []
