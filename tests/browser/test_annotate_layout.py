"""The annotation page's first screen and what stays in view: the text takes
most of it, one sticky bar holds the document's actions, messages show under
that bar wherever the text is scrolled, links are drawn over the text and every
span carries its label's name."""

import re

import pytest
from playwright.sync_api import Page, expect

from annotator.extensions import db
from tests.browser.annotating import (
    select_word,
    start_annotating,
    stored_links,
    wait_saved,
)

pytestmark = pytest.mark.browser

TITLE = (
    "Ministry Denies Shelling the Border Town; Officials Say the Attack Was "
    "Staged to Justify a Wider Offensive"
)
PARAGRAPH = (
    "Rebels shelled the town, officials said. The rebels denied any shelling. "
    "Observers could not confirm who fired first, and both sides traded blame."
)
LONG = f"{TITLE}\n" + "\n".join(f"{i}. {PARAGRAPH}" for i in range(40))

VISIBLE_SHARE = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  const width = Math.max(0, Math.min(box.right, innerWidth) - Math.max(box.left, 0));
  const height = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
  const screen = innerWidth * innerHeight;
  return { top: box.top / innerHeight, share: (width * height) / screen };
}"""


def in_viewport(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate(
            """(selector) => {
              const box = document.querySelector(selector).getBoundingClientRect();
              return box.width > 0 && box.top >= 0 && box.bottom <= innerHeight
                && box.left >= 0 && box.right <= innerWidth;
            }""",
            selector,
        )
    )


@pytest.fixture
def long_document(page, project, users):
    page.set_viewport_size({"width": 1024, "height": 768})
    document = start_annotating(page, project, users, LONG)
    document.title = TITLE
    db.session.commit()
    return document


def test_first_screen_at_1024_is_mostly_text(page, long_document):
    page.reload()
    expect(page.locator("#document-text")).to_have_attribute("data-ready", "true")
    shown = page.evaluate(VISIBLE_SHARE, "#document-text")
    assert shown["top"] <= 0.40
    assert shown["share"] >= 0.60
    title = page.locator("h1.doc-title")
    assert title.evaluate("(h) => h.scrollWidth > h.clientWidth"), "truncated"
    assert title.evaluate("(h) => h.getClientRects().length === 1")
    box = title.bounding_box()
    assert box is not None
    assert box["height"] < 40, "one line"
    expect(title).to_have_attribute("title", re.compile(re.escape(TITLE)))
    assert page.console_errors == []


def test_the_bar_stays_and_the_panel_scrolls_on_its_own(page, long_document):
    page.mouse.wheel(0, 3000)
    page.wait_for_function("() => scrollY > 2000")
    for selector in ("#submit-button", "#skip-open", "#label-bar", "#save-status"):
        assert in_viewport(page, selector), selector
    panel = page.locator("#annotate-panel")
    assert panel.evaluate("(p) => getComputedStyle(p).overflowY") == "auto"
    assert panel.evaluate("(p) => p.getBoundingClientRect().bottom <= innerHeight")
    assert in_viewport(page, "#list-heading")


def test_on_a_phone_the_panel_folds_below_the_text_and_submit_stays(
    page, long_document
):
    page.set_viewport_size({"width": 390, "height": 844})
    panel = page.locator("#annotate-panel")
    expect(panel).to_be_hidden()
    toggle = page.locator("#panel-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert in_viewport(page, "#submit-button")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert in_viewport(page, "#submit-button")
    toggle.click()
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    text_bottom = page.evaluate(
        "() => document.getElementById('document-text').getBoundingClientRect().bottom"
    )
    assert panel.bounding_box()["y"] >= text_bottom - 1, "below the text"
    # No scroll box inside the page: the panel grows with the page.
    assert panel.evaluate("(p) => getComputedStyle(p).overflowY") == "visible"


def test_a_refusal_shows_in_view_after_scrolling_and_goes_when_stale(
    page, long_document
):
    page.mouse.wheel(0, 2500)
    page.wait_for_function("() => scrollY > 2000")
    page.keyboard.press("1")
    message = page.locator("#annotate-message")
    expect(message).to_have_text("Select some text first, then choose its label.")
    assert in_viewport(page, "#annotate-message")
    region = page.locator(".toast-region")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_attribute("role", "status")
    select_word(page, LONG, "Observers", LONG.index("20. "))
    page.keyboard.press("1")
    expect(message).to_be_hidden()
    wait_saved(page)


def test_an_info_message_clears_itself(page, project, users):
    start_annotating(page, project, users, PARAGRAPH)
    page.get_by_role("button", name="Submit (mark done)").click()
    expect(page.get_by_text("No more documents")).to_be_visible()
    page.go_back()
    page.reload()
    page.get_by_role("button", name="Reopen to change spans").click()
    message = page.locator("#annotate-message")
    expect(message).to_contain_text("Reopened")
    expect(message).to_be_hidden(timeout=8000)


@pytest.fixture
def linked(page, project, users):
    document = start_annotating(page, project, users, PARAGRAPH)
    select_word(page, PARAGRAPH, "Rebels shelled the town")
    page.keyboard.press("1")
    select_word(page, PARAGRAPH, "denied any shelling")
    page.keyboard.press("2")
    page.keyboard.press("l")
    page.locator(".mark[title='Claim']").first.click()
    wait_saved(page)
    assert len(stored_links(document)) == 1
    return document


ENDS = """() => {
  const frame = document.getElementById("text-frame").getBoundingClientRect();
  const paths = [...document.querySelectorAll("svg.link-layer path.link")];
  const box = (label) => {
    const b = document.querySelector(`.mark[title='${label}']`).getClientRects()[0];
    return { left: b.left - frame.left, right: b.right - frame.left,
             top: b.top - frame.top, bottom: b.bottom - frame.top };
  };
  return { d: paths.map((p) => p.getAttribute("d")), denial: box("Denial"),
           claim: box("Claim") };
}"""


def inside(point, box):
    x, y = point
    return box["left"] <= x <= box["right"] and box["top"] - 1 <= y <= box["bottom"]


def test_links_are_drawn_between_the_spans_and_quoted(page, linked):
    found = page.evaluate(ENDS)
    assert len(found["d"]) == 1
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", found["d"][0])]
    assert inside(numbers[:2], found["denial"])
    assert inside(numbers[-2:], found["claim"])
    expect(page.locator("svg.link-layer text")).to_have_text("denies")
    expect(page.locator("#details-links")).to_contain_text(
        "Denial “denied any shelling” denies → Claim “Rebels shelled the town”"
    )
    page.keyboard.press("Escape")
    expect(page.locator("svg.link-layer path.link")).to_have_count(0)
    page.get_by_label("All links").check()
    expect(page.locator("svg.link-layer path.link")).to_have_count(1)
    assert page.console_errors == []


TAG = "(element) => getComputedStyle(element, '::before').content"


def test_label_tags_at_each_span_start_and_their_toggle(page, project, users):
    document = start_annotating(page, project, users, PARAGRAPH)
    select_word(page, PARAGRAPH, "the town, officials said")
    page.keyboard.press("1")
    select_word(page, PARAGRAPH, "the town")
    page.keyboard.press("3")
    wait_saved(page)
    claim = page.locator(".mark[data-tag='Claim']")
    hedge = page.locator(".mark[data-tag='Hedge']")
    expect(claim).to_have_count(1)
    expect(hedge).to_have_count(1)
    assert claim.evaluate(TAG) == '"Claim"'
    assert hedge.evaluate(TAG) == '"Hedge"'
    # Both tags sit before the text they start, side by side: readable.
    claim_tag = claim.bounding_box()
    hedge_box = hedge.bounding_box()
    assert claim_tag["x"] < hedge_box["x"]
    # Tags are not text: the text (and every offset in it) is unchanged.
    expect(page.locator("#document-text")).to_have_text(PARAGRAPH)
    page.get_by_label("Label tags").uncheck()
    assert claim.evaluate(TAG) == "none"
    page.reload()
    expect(page.get_by_label("Label tags")).not_to_be_checked()
    assert page.locator(".mark[data-tag='Claim']").evaluate(TAG) == "none"
    page.get_by_label("Label tags").check()
    assert document is not None
    assert page.console_errors == []
