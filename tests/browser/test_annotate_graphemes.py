"""An exact (Alt) selection never splits a character as a reader sees it: the
page widens it to grapheme cluster boundaries before it saves, and Chromium's
Intl.Segmenter finds the same boundaries as the server (tests/data/
grapheme_cases.json)."""

import json
from pathlib import Path

import pytest
import regex
from playwright.sync_api import expect

from tests.browser.annotating import (
    select_text,
    start_annotating,
    stored_spans,
    wait_saved,
)

pytestmark = pytest.mark.browser

CASES = json.loads(
    (Path(__file__).parents[1] / "data" / "grapheme_cases.json").read_text("utf-8")
)["cases"]
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
TEXT = f"A family {FAMILY} at the cafe\u0301 door.\r\nThe end."
BOUNDARIES_IN_PAGE = """async (texts) => {
  const offsets = await import("/static/js/lib/offsets.js");
  return texts.map((text) => offsets.graphemeBoundaries(text));
}"""


def boundaries(text: str) -> set[int]:
    return {0, *(match.end() for match in regex.finditer(r"\X", text))}


@pytest.fixture
def annotating(page, project, users):
    return start_annotating(page, project, users, TEXT)


def alt_pick(page, label: str) -> None:
    """Choose a label with Alt held: the exact selection, not whole words."""
    page.locator(f"#label-bar button[data-label='{label}']").click(modifiers=["Alt"])


def test_alt_selection_inside_a_family_or_an_accent_saves_whole_characters(
    page, annotating, users
):
    family = TEXT.index(FAMILY)
    # From inside the family (after its first ZWJ) to before its last person.
    # The DOM range holds these offsets as set; Chromium's Selection.toString
    # shows no partial character, so what it says is not asserted here.
    select_text(page, TEXT, family + 2, family + 6)
    alt_pick(page, "claim")
    page.keyboard.press("Escape")
    accent = TEXT.index("e\u0301")
    # "cafe" without the combining accent that belongs to its "e".
    select_text(page, TEXT, accent - 3, accent + 1)
    alt_pick(page, "hedge")
    wait_saved(page)
    stored = stored_spans(annotating, users["annotator"])
    assert [(TEXT[s["start"] : s["end"]], s["label"]) for s in stored] == [
        (FAMILY, "claim"),
        ("cafe\u0301", "hedge"),
    ]
    edges = {edge for span in stored for edge in (span["start"], span["end"])}
    assert edges <= boundaries(TEXT)
    expect(page.locator(".mark[title='Hedge']")).to_have_text("cafe\u0301")
    assert page.console_errors == []


def test_chromium_finds_the_fixture_boundaries(page, annotating):
    found = page.evaluate(BOUNDARIES_IN_PAGE, [case["text"] for case in CASES])
    assert found == [case["boundaries"] for case in CASES]
    assert found == [sorted(boundaries(case["text"])) for case in CASES]
