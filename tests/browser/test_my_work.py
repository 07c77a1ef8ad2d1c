"""My work in the browser: reopen from the queue, the guideline drawer and
its once-only "updated" notice, label definitions on the buttons, and axe on
the queue, overview, labels and guideline pages."""

import re

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services import guideline
from annotator.services.annotations import assignment_for, set_status
from tests.browser.annotating import (
    add_documents,
    assign,
    log_in,
    open_document,
    stored_spans,
)
from tests.browser.axe import serious_violations

pytestmark = pytest.mark.browser


def submit(project, user, document):
    version = assignment_for(db.session, document, user).version
    set_status(db.session, document, user, {"version": version, "status": "submitted"})


def test_reopen_from_the_queue_opens_the_document_editable(page, project, users):
    [first] = add_documents(project, "First text.")
    document = assign(project, users["annotator"])
    submit(project, users["annotator"], document)
    log_in(page, "annotator")
    page.goto(f"/projects/{project.id}/queue")
    expect(page.locator("#queue-end")).to_contain_text(
        "All your documents are done; nothing left to assign."
    )
    expect(page.get_by_role("button", name=re.compile("Next document"))).to_have_count(
        0
    )
    assert serious_violations(page) == []
    page.get_by_role("button", name=f"Reopen {first.external_id}").click()
    expect(page).to_have_url(
        re.compile(rf"/projects/{project.id}/documents/{first.id}/annotate$")
    )
    expect(page.locator("#assignment-status")).to_have_text("in progress")
    expect(page.get_by_role("button", name="Submit (mark done)")).to_be_visible()
    expect(page.locator("#reopen-button")).to_be_hidden()
    db.session.expire_all()
    assert assignment_for(db.session, first, users["annotator"]).status == (
        "in_progress"
    )
    assert stored_spans(first, users["annotator"]) == []
    assert page.console_errors == []


def test_a_refused_reopen_says_why_on_the_queue(page, project, users):
    [first] = add_documents(project, "First text.")
    document = assign(project, users["annotator"])
    submit(project, users["annotator"], document)
    log_in(page, "annotator")
    page.goto(f"/projects/{project.id}/queue")
    # A reviewer decides on the document after the queue was shown.
    from annotator.models import Adjudication

    db.session.add(Adjudication(document_id=first.id, version=1))
    db.session.commit()
    page.get_by_role("button", name=f"Reopen {first.external_id}").click()
    expect(page.locator("#queue-message")).to_contain_text(
        "Could not reopen: a reviewer has started on this document"
    )
    expect(page).to_have_url(re.compile(r"/queue$"))


def test_a_submitted_document_shows_reopen_not_submit(page, project, users):
    [first] = add_documents(project, "First text.")
    document = assign(project, users["annotator"])
    submit(project, users["annotator"], document)
    log_in(page, "annotator")
    open_document(page, project, first)
    expect(page.locator("#reopen-button")).to_be_visible()
    expect(page.locator("#submit-button")).to_be_hidden()
    expect(page.locator("#skip-open")).to_be_hidden()
    page.locator("#reopen-button").click()
    expect(page.locator("#submit-button")).to_be_visible()
    expect(page.locator("#skip-open")).to_be_visible()
    assert page.console_errors == []


def test_guideline_drawer_updated_notice_and_definitions(page, project, users):
    add_documents(project, "Moscow denied the attack.")
    document = assign(project, users["annotator"])
    claim = project.labels[0]
    claim.definition = "A checkable statement."
    db.session.commit()
    log_in(page, "annotator")
    open_document(page, project, document)
    drawer = page.locator("#guideline-drawer")
    expect(drawer).not_to_have_attribute("open", "")
    expect(drawer.locator("summary")).to_contain_text("new to you")
    drawer.locator("summary").click()
    expect(drawer).to_contain_text("Tag claims.")
    button = page.locator('#label-bar button[data-label="claim"]')
    expect(button).to_have_attribute("title", re.compile("A checkable statement."))
    expect(button).to_have_accessible_description(re.compile("A checkable statement."))
    guideline.save_guideline(
        db.session,
        project,
        "# New\n\n<script>document.title='owned'</script>\n\n"
        "[x](javascript:document.title='owned')",
        users["padmin"],
    )
    open_document(page, project, document)
    notice = page.locator("#guideline-notice")
    expect(notice).to_contain_text("Guideline updated: version 2")
    expect(drawer).to_have_attribute("open", "")
    expect(drawer.get_by_role("heading", name="New")).to_be_visible()
    expect(drawer).to_contain_text("<script>document.title='owned'</script>")
    assert page.title() != "owned"
    assert drawer.locator("script").count() == 0
    open_document(page, project, document)
    expect(page.locator("#guideline-notice")).to_have_count(0)
    expect(drawer).not_to_have_attribute("open", "")
    drawer.locator("summary").click()
    expect(drawer).to_contain_text("A checkable statement.")
    assert page.console_errors == []


def test_admin_edits_the_guideline_and_reads_an_old_version(page, project, users):
    log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/guideline")
    assert serious_violations(page) == []
    page.get_by_label("Guideline (Markdown)").fill("# Rules\n\nTag **denials**.")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Guideline saved as version 2.")).to_be_visible()
    expect(page.locator(".guideline-current strong")).to_have_text("denials")
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_text("An old version:")).to_be_visible()
    expect(page.locator(".guideline-text")).to_have_text("Tag claims.")
    assert page.console_errors == []


@pytest.mark.parametrize("username", ["annotator", "reviewer", "padmin"])
def test_overview_queue_and_labels_pages_pass_axe(page, project, users, username):
    add_documents(project, "One text.", "Two text.")
    document = assign(project, users["annotator"])
    submit(project, users["annotator"], document)
    log_in(page, username)
    page.goto(f"/projects/{project.id}")
    expect(page.get_by_role("heading", name="Alpha")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"/projects/{project.id}/queue")
    assert serious_violations(page) == []
    if username == "padmin":
        page.goto(f"/projects/{project.id}/labels")
        expect(page.get_by_label("Definition of label 1")).to_be_visible()
        assert serious_violations(page) == []
    assert page.console_errors == []


def test_start_annotating_from_the_overview(page, project, users):
    [first, _] = add_documents(project, "One text.", "Two text.")
    log_in(page, "annotator")
    page.goto(f"/projects/{project.id}")
    page.get_by_role("button", name="Start annotating (2 left)").click()
    expect(page).to_have_url(
        re.compile(rf"/projects/{project.id}/documents/{first.id}/annotate$")
    )
    # The page loaded and drew the text (and finished fetching its modules:
    # closing the browser mid-download leaves the server a dropped file).
    expect(page.locator("#document-text[data-ready='true']")).to_be_attached()
    assert page.console_errors == []
