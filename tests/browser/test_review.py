"""The review page in Chromium, by keyboard: one text with a lane per
annotator and one for gold, a decision panel for the focused group, taking
A's or B's version, rejecting, relabelling, correcting by selecting words,
moving a boundary by a word, undo and redo, and adjudicating."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.reviewing import (
    DASH,
    gold_marks,
    import_records,
    message,
    open_review,
    panel,
    record,
    select_text,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def docs(project):
    return import_records(project, [record("d1"), record("d2")])


def test_one_text_with_a_lane_per_annotator_and_gold(page, project, docs):
    open_review(page, project, docs["d1"])
    expect(page.locator("#lanes .line.text")).to_have_count(1)
    expect(page.locator("#lanes .line.text")).to_have_text(
        "Moscow says the attack was staged. Kyiv denies it. Maybe so. 😀 end"
    )
    a_marks = page.locator('#lanes .lane[data-lane="A"] .mk')
    b_marks = page.locator('#lanes .lane[data-lane="B"] .mk')
    expect(a_marks).to_have_text(
        ["Moscow says the attack was staged", "Kyiv denies it", "Maybe"]
    )
    expect(b_marks).to_have_text(
        ["Moscow says the attack was staged", "Kyiv deni", "Maybe", "😀"]
    )
    expect(page.locator("#lanes .lane-name")).to_have_text(["A", "B", "gold"])
    # The lanes' words sit under the same words of the text.
    text_box = page.locator('#lanes .seg:text-is("Kyiv denies it")').bounding_box()
    mark_box = a_marks.nth(1).bounding_box()
    assert abs(text_box["x"] - mark_box["x"]) < 1
    assert abs(text_box["width"] - mark_box["width"]) < 1
    expect(page.locator("#undecided")).to_have_text("4 undecided groups of 4")
    expect(panel(page).locator(".group-title")).to_have_text("Group 1 of 4")
    expect(page.locator("#legend li")).to_have_count(4)
    expect(page.locator("#legend")).to_contain_text("Claim")
    expect(page.locator("#group-panel")).not_to_contain_text("ann")
    page.get_by_role("link", name="show names").click()
    expect(page.locator("#lanes .lane-name")).to_have_text(["ann", "bob", "gold"])
    expect(panel(page).locator("button.take").first).to_have_text("1 Take ann")
    assert page.console_errors == []


def test_versions_show_the_words_that_differ(page, project, docs):
    open_review(page, project, docs["d1"])
    page.keyboard.press("n")
    expect(panel(page).locator(".group-title")).to_have_text("Group 2 of 4")
    a, b = panel(page).locator(".version").all()
    expect(a.locator(".words")).to_have_text("Kyiv denies it")
    expect(a.locator("ins")).to_have_text("es it")
    expect(b.locator(".words")).to_have_text("Kyiv denies it")
    expect(b.locator("del")).to_have_text("es it")
    expect(b.locator(".offsets")).to_have_text(f"35{DASH}44")
    expect(page.locator("#lanes .seg.focus")).to_have_text(["Kyiv denies it"])
    page.keyboard.press("n")
    a, b = panel(page).locator(".version").all()
    expect(a.locator("mark.label-chip")).to_have_text("Hedge")
    expect(b.locator("mark.label-chip")).to_have_text("Claim")
    assert page.console_errors == []


def test_the_whole_keyboard_flow_with_two_annotators(page, project, docs):
    open_review(page, project, docs["d1"])
    page.keyboard.press("1")  # A's claim, agreed
    expect(gold_marks(page)).to_have_text(["Moscow says the attack was staged"])
    expect(panel(page).locator(".group-title")).to_have_text("Group 2 of 4")
    expect(message(page)).to_contain_text("Took A's version")
    page.keyboard.press("2")  # B's shorter denial
    expect(gold_marks(page)).to_have_text(
        ["Moscow says the attack was staged", "Kyiv deni"]
    )
    expect(panel(page).locator(".group-title")).to_have_text("Group 3 of 4")
    page.keyboard.press("a")  # two annotators, labels differ: no majority
    expect(message(page)).to_contain_text(
        "No majority here: press 1 for A's version, 2 for B's version, r to reject"
    )
    page.keyboard.press("r")
    expect(panel(page).locator(".group-title")).to_have_text("Group 4 of 4")
    expect(page.locator('#lanes .lane[data-lane="A"] .mk.rejected')).to_have_text(
        ["Maybe"]
    )
    expect(page.locator("#undecided")).to_have_text("1 undecided group of 4")

    page.keyboard.press(",")
    page.keyboard.press(",")  # back to the denial
    expect(panel(page).locator(".group-title")).to_have_text("Group 2 of 4")
    page.keyboard.press("Shift+ArrowRight")  # the end by a word: "Kyiv denies"
    expect(gold_marks(page).nth(1)).to_have_text("Kyiv denies")
    expect(gold_marks(page)).to_have_count(2)
    page.keyboard.press("Control+Shift+ArrowRight")  # the start: "denies"
    expect(gold_marks(page).nth(1)).to_have_text("denies")
    page.keyboard.press("l")
    expect(message(page)).to_contain_text("Relabel: press a label's key")
    page.keyboard.press("3")  # hedge
    expect(panel(page).locator(".gold-item .label-chip")).to_have_text("Hedge")
    expect(gold_marks(page)).to_have_count(2)

    select_text(page, "yiv denies i")  # snaps to whole words
    page.keyboard.press("2")  # with text selected, 2 is Denial
    expect(gold_marks(page).nth(1)).to_have_text("Kyiv denies it")
    expect(panel(page).locator(".gold-item .label-chip")).to_have_text("Denial")
    expect(panel(page).locator(".gold-item .offsets")).to_have_text(f"35{DASH}49")
    expect(gold_marks(page)).to_have_count(2)

    page.keyboard.press("u")
    expect(gold_marks(page).nth(1)).to_have_text("denies")
    page.keyboard.press("Shift+U")
    expect(gold_marks(page).nth(1)).to_have_text("Kyiv denies it")
    page.keyboard.press("Control+z")
    expect(gold_marks(page).nth(1)).to_have_text("denies")
    page.keyboard.press("Control+Shift+Z")
    expect(gold_marks(page).nth(1)).to_have_text("Kyiv denies it")

    page.keyboard.press("n")  # the only undecided group: B's emoji
    expect(panel(page).locator(".group-title")).to_have_text("Group 4 of 4")
    page.keyboard.press("2")
    expect(message(page)).to_contain_text(
        "Every group is decided: Shift+A adjudicates."
    )
    expect(page.locator("#undecided")).to_have_text("0 undecided groups of 4")
    expect(panel(page).locator(".gold-item .offsets")).to_have_text(f"61{DASH}62")
    page.keyboard.press("Shift+A")  # nothing undecided: no question
    expect(page).to_have_url(re.compile(rf"/review/documents/{docs['d2']}$"))
    assert page.console_errors == []


def test_a_word_after_an_emoji_is_stored_in_code_points(page, project, docs):
    open_review(page, project, docs["d1"])
    select_text(page, "end")
    page.keyboard.press("3")
    expect(gold_marks(page)).to_have_text(["end"])
    expect(page.locator("#history-body tr.decision").first).to_contain_text(
        f"63{DASH}66"
    )
    assert page.console_errors == []


def test_adjudicate_asks_in_a_dialog_how_many_remain(page, project, docs):
    open_review(page, project, docs["d1"])
    page.keyboard.press("1")
    expect(page.locator("#undecided")).to_have_text("3 undecided groups of 4")
    page.keyboard.press("Shift+A")
    dialog = page.locator("#adjudicate-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("3 groups are still undecided")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(message(page)).to_have_text("Not adjudicated: 3 undecided groups remain.")
    expect(page.locator("#review-status")).to_have_text("open")
    page.keyboard.press("Control+Enter")
    expect(dialog).to_be_visible()
    expect(page.locator("#adjudicate-confirm")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/review/documents/{docs['d2']}$"))
    page.goto(f"/projects/{project.id}/review")
    expect(page.locator("tr.status-adjudicated")).to_contain_text("d1")
    assert page.console_errors == []


def test_accept_all_agreed_and_undo_from_the_history(page, project, docs):
    open_review(page, project, docs["d1"])
    page.get_by_role("button", name="Accept all agreed").click()
    expect(gold_marks(page)).to_have_text(["Moscow says the attack was staged"])
    page.keyboard.press("2")
    expect(gold_marks(page)).to_have_count(2)
    page.locator("#history-section summary").click()
    history = page.locator("#history-body tr.decision")
    expect(history).to_have_count(2)
    older = history.nth(1)
    expect(older).to_contain_text("accept_agreed")
    expect(older).to_contain_text(f"gold + claim 0{DASH}33")
    older.get_by_role("button", name="Undo").click()
    expect(gold_marks(page)).to_have_text(["Kyiv deni"])
    expect(page.locator("#toast")).to_contain_text("Undone: accept_agreed")
    redo = page.locator("#redo")
    expect(redo).to_have_text("Redo (accept_agreed)")
    redo.click()
    expect(gold_marks(page)).to_have_count(2)
    expect(history.first).to_contain_text("redo accept_agreed")
    assert page.console_errors == []


def test_keys_dialog_lists_the_keys(page, project, docs):
    open_review(page, project, docs["d1"])
    page.keyboard.press("?")
    dialog = page.locator("#keys-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("take annotator A, B, C…'s version into gold")
    expect(dialog).to_contain_text("Shift+A or Ctrl+Enter")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("1")  # the page's keys work again
    expect(gold_marks(page)).to_have_count(1)
    assert page.console_errors == []
