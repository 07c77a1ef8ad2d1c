"""Creating, nesting, relabelling, deleting spans on the annotation page."""

import pytest
from playwright.sync_api import expect

from tests.browser.annotating import (
    drag_select,
    select_text,
    select_word,
    start_annotating,
    stored_spans,
    wait_saved,
)

pytestmark = pytest.mark.browser

TEXT = "Officials said the attack was possibly staged by the rebels.\nNobody denied it."


@pytest.fixture
def annotating(page, project, users):
    return start_annotating(page, project, users, TEXT)


def spans_of(document, users):
    return [
        (TEXT[s["start"] : s["end"]], s["label"])
        for s in stored_spans(document, users["annotator"])
    ]


def test_select_then_hotkey_makes_a_span_snapped_to_words(page, annotating, users):
    start = TEXT.index("ttack was")
    select_text(page, TEXT, start, start + len("ttack wa"))
    page.keyboard.press("1")
    wait_saved(page)
    assert spans_of(annotating, users) == [("attack was", "claim")]
    mark = page.locator("#document-text .mark")
    expect(mark).to_have_text("attack was")
    expect(mark).to_have_attribute("title", "Claim")
    expect(page.locator("#span-list")).to_contain_text("Claim attack was")
    assert page.console_errors == []


def test_select_then_button_and_whitespace_is_trimmed(page, annotating, users):
    start = TEXT.index(" possibly")
    select_text(page, TEXT, start, start + len(" possibly "))
    page.get_by_role("button", name="3 Hedge").click()
    wait_saved(page)
    assert spans_of(annotating, users) == [("possibly", "hedge")]
    assert page.console_errors == []


def test_a_selection_of_spaces_tags_nothing(page, annotating, users):
    select_word(page, TEXT, "Officials")
    page.keyboard.press("1")
    start = TEXT.index(" said")
    select_text(page, TEXT, start, start + 1)
    page.keyboard.press("2")
    expect(page.locator("#annotate-message")).to_have_text(
        "Nothing to tag: the selection holds only spaces."
    )
    wait_saved(page)
    assert spans_of(annotating, users) == [("Officials", "claim")]
    assert page.console_errors == []


def test_mouse_selection_snaps_to_words_and_alt_keeps_exact_characters(
    page, annotating, users
):
    start = TEXT.index("ttack")
    drag_select(page, TEXT, start, TEXT.index("ssibly"))
    page.keyboard.press("1")
    page.keyboard.press("Escape")
    start = TEXT.index("ebels")
    page.keyboard.down("Alt")
    drag_select(page, TEXT, start, start + 3)
    page.keyboard.up("Alt")
    page.keyboard.press("3")
    wait_saved(page)
    assert spans_of(annotating, users) == [
        ("attack was possibly", "claim"),
        ("ebe", "hedge"),
    ]
    assert page.console_errors == []


def test_nested_and_overlapping_spans_both_stay_visible_and_clickable(
    page, annotating, users
):
    select_word(page, TEXT, "the attack was possibly staged by the rebels")
    page.keyboard.press("1")
    select_word(page, TEXT, "possibly")
    page.keyboard.press("3")
    select_word(page, TEXT, "staged by the rebels.\nNobody")
    page.keyboard.press("4")
    wait_saved(page)
    assert sorted(spans_of(annotating, users)) == sorted(
        [
            ("the attack was possibly staged by the rebels", "claim"),
            ("possibly", "hedge"),
            ("staged by the rebels.\nNobody", "false_flag_warning"),
        ]
    )
    hedge = page.locator("#document-text .mark[title='Hedge']")
    expect(hedge).to_have_count(1)
    # The hedge is drawn inside the claim: two stacked underlines.
    expect(page.locator(".mark[title='Claim'] .mark[title='Hedge']")).to_have_count(1)
    styles = page.evaluate(
        """() => [...document.querySelectorAll('#document-text .mark')].map(
            (m) => [m.title, getComputedStyle(m).textDecorationStyle,
                    getComputedStyle(m).textUnderlineOffset])"""
    )
    by_label = {title: (style, offset) for title, style, offset in styles}
    assert by_label["Claim"][0] == "solid"
    assert by_label["Hedge"][0] == "dotted"
    assert by_label["False-flag warning"][0] == "wavy"
    assert by_label["Claim"][1] != by_label["Hedge"][1]
    expect(page.locator("#span-list li")).to_have_count(3)
    hedge.click()
    expect(page.locator("#details-summary")).to_contain_text("Hedge: “possibly”")
    hedge.click()  # a second click reaches the span around it
    expect(page.locator("#details-summary")).to_contain_text("Claim: “the attack")
    page.locator(".mark[title='Claim']").first.click(position={"x": 2, "y": 5})
    expect(page.locator("#details-summary")).to_contain_text("Claim:")
    assert page.console_errors == []


def test_relabel_and_delete_with_keys_and_undo_redo(page, annotating, users):
    select_word(page, TEXT, "Officials said")
    page.keyboard.press("1")
    wait_saved(page)
    page.keyboard.press("2")  # the new span is selected: relabel it
    wait_saved(page)
    assert spans_of(annotating, users) == [("Officials said", "denial")]
    page.get_by_role("button", name="1 Claim").click()
    wait_saved(page)
    assert spans_of(annotating, users) == [("Officials said", "claim")]
    page.keyboard.press("Delete")
    wait_saved(page)
    assert spans_of(annotating, users) == []
    expect(page.locator("#document-text .mark")).to_have_count(0)
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert spans_of(annotating, users) == [("Officials said", "claim")]
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert spans_of(annotating, users) == [("Officials said", "denial")]
    page.keyboard.press("Control+Shift+z")
    page.keyboard.press("Control+Shift+z")
    wait_saved(page)
    assert spans_of(annotating, users) == []
    for _ in range(4):
        page.keyboard.press("Control+z")
    wait_saved(page)
    assert spans_of(annotating, users) == []
    expect(page.locator("#span-list li")).to_have_count(0)
    assert page.console_errors == []


def test_tab_through_the_span_list_selects_and_keys_act_on_it(page, annotating, users):
    select_word(page, TEXT, "Officials")
    page.keyboard.press("1")
    select_word(page, TEXT, "rebels")
    page.keyboard.press("1")
    wait_saved(page)
    page.keyboard.press("Escape")
    page.locator("#span-list button").first.focus()
    expect(page.locator("#details-summary")).to_contain_text("“Officials”")
    page.keyboard.press("Tab")
    expect(page.locator("#details-summary")).to_contain_text("“rebels”")
    page.keyboard.press("3")
    wait_saved(page)
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#details-summary")).to_contain_text("“Officials”")
    page.keyboard.press("Backspace")
    wait_saved(page)
    assert spans_of(annotating, users) == [("rebels", "hedge")]
    assert page.console_errors == []
