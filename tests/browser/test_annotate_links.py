"""Links between spans and span attributes on the annotation page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.annotating import (
    add_documents,
    assign,
    log_in,
    open_document,
    select_word,
    start_annotating,
    stored_links,
    stored_spans,
    wait_saved,
)

pytestmark = pytest.mark.browser

TEXT = "Rebels shelled the town, officials said. The rebels denied any shelling."


@pytest.fixture
def annotating(page, project, users):
    return start_annotating(page, project, users, TEXT)


def ids_by_text(document, users):
    return {
        TEXT[s["start"] : s["end"]]: s["id"]
        for s in stored_spans(document, users["annotator"])
    }


def test_link_a_denial_to_its_claim_from_the_keyboard(page, annotating, users):
    select_word(page, TEXT, "Rebels shelled the town")
    page.keyboard.press("1")
    select_word(page, TEXT, "denied any shelling")
    page.keyboard.press("2")
    page.keyboard.press("l")
    expect(page.locator("#annotate-hint")).to_contain_text("Link mode")
    page.locator("#span-list button", has_text="Rebels shelled").focus()
    page.keyboard.press("Enter")
    wait_saved(page)
    ids = ids_by_text(annotating, users)
    assert stored_links(annotating) == [
        (ids["denied any shelling"], ids["Rebels shelled the town"], "denies")
    ]
    expect(page.locator("#details-links")).to_contain_text(
        "denies → Claim “Rebels shelled the town”"
    )
    expect(page.locator(".mark[title='Claim']")).to_have_class(re.compile("linked"))
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert stored_links(annotating) == []
    page.keyboard.press("Control+Shift+z")
    wait_saved(page)
    assert len(stored_links(annotating)) == 1
    page.get_by_role("button", name="Remove link").click()
    wait_saved(page)
    assert stored_links(annotating) == []
    expect(page.locator("#details-links")).to_have_text("No links.")
    page.locator("#span-list button").first.focus()
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert len(stored_links(annotating)) == 1
    assert page.console_errors == []


def test_link_by_mouse_refuses_what_the_rules_forbid(page, annotating, users):
    select_word(page, TEXT, "Rebels shelled the town")
    page.keyboard.press("1")
    select_word(page, TEXT, "officials said")
    page.keyboard.press("3")
    page.get_by_role("button", name="Link to another span (L)").click()
    page.locator(".mark[title='Claim']").click()
    expect(page.locator("#annotate-message")).to_contain_text(
        "allowed: denial denies claim"
    )
    wait_saved(page)
    assert stored_links(annotating) == []
    assert page.console_errors == []


def test_deleting_a_linked_span_and_undo_restores_span_and_link(
    page, annotating, users
):
    select_word(page, TEXT, "Rebels shelled the town")
    page.keyboard.press("1")
    select_word(page, TEXT, "denied")
    page.keyboard.press("2")
    page.keyboard.press("l")
    page.locator(".mark[title='Claim']").click()
    wait_saved(page)
    page.locator(".mark[title='Claim']").click()
    page.keyboard.press("Delete")
    wait_saved(page)
    assert stored_links(annotating) == []
    assert list(ids_by_text(annotating, users)) == ["denied"]
    page.keyboard.press("Control+z")
    wait_saved(page)
    ids = ids_by_text(annotating, users)
    assert stored_links(annotating) == [
        (ids["denied"], ids["Rebels shelled the town"], "denies")
    ]
    assert page.console_errors == []


def test_source_and_note_are_saved_and_undoable(page, project, annotating, users):
    select_word(page, TEXT, "officials said")
    page.keyboard.press("1")
    source = page.get_by_label("Source")
    assert page.locator("#source-suggestions option").count() == 0
    source.fill("Ministry of Defence")
    source.press("Enter")
    page.get_by_label("Note").fill("unnamed officials")
    page.get_by_label("Note").blur()
    wait_saved(page)
    [span] = stored_spans(annotating, users["annotator"])
    assert span["attributes"] == {"source": "Ministry of Defence"}
    assert span["note"] == "unnamed officials"
    expect(page.locator(".mark")).to_have_attribute(
        "title", "Claim · source: Ministry of Defence · note: unnamed officials"
    )
    expect(page.locator("#source-suggestions option")).to_have_count(1)
    page.locator("#span-list button").first.focus()
    page.keyboard.press("Control+z")
    wait_saved(page)
    [span] = stored_spans(annotating, users["annotator"])
    assert (span["attributes"], span["note"]) == ({"source": "Ministry of Defence"}, "")
    expect(page.get_by_label("Note")).to_have_value("")
    assert page.console_errors == []


def test_sources_of_the_project_are_suggested(page, project, users):
    add_documents(project, TEXT, "Second article.")
    first = assign(project, users["annotator"])
    log_in(page, "annotator")
    open_document(page, project, first)
    select_word(page, TEXT, "officials said")
    page.keyboard.press("1")
    page.get_by_label("Source").fill("TASS")
    page.get_by_label("Source").press("Tab")
    wait_saved(page)
    page.get_by_role("button", name="Submit (mark done)").click()
    expect(page.locator("#document-text")).to_have_text("Second article.")
    page.get_by_role("button", name="1 Claim").focus()
    values = page.eval_on_selector_all(
        "#source-suggestions option", "(options) => options.map((o) => o.value)"
    )
    assert values == ["TASS"]
    assert page.console_errors == []
