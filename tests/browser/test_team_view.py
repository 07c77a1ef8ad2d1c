"""The team view in Chromium: filtering the documents list, opening a
document, switching layers, and labels told apart by underline style as well
as by the project's colours (under the page's Content-Security-Policy)."""

import pytest
from playwright.sync_api import expect

from tests.browser.annotating import log_in, script_errors
from tests.browser.axe import serious_violations
from tests.services.test_progress import CLAIM, DENIAL, add_documents, doc

pytestmark = pytest.mark.browser
HEDGE, WARNING = (15, 36, "hedge"), (42, 45, "false_flag_warning")

STYLES = """() => [...document.querySelectorAll(SELECTOR)].map((element) => {
  const style = getComputedStyle(element);
  return [element.textContent, style.textDecorationStyle,
          style.textDecorationColor];
})"""


def styles(page, selector):
    return page.evaluate(STYLES.replace("SELECTOR", repr(selector)))


@pytest.fixture
def team(project):
    add_documents(
        project,
        "waiting",
        annotated={
            "pair": {"zed": [CLAIM, DENIAL, HEDGE, WARNING], "amy": [CLAIM]},
            "half": {"amy": [CLAIM]},
        },
    )
    return project


def test_filter_the_list_then_read_a_layer(page, team):
    log_in(page, "reviewer")
    page.goto(f"/projects/{team.id}/documents")
    rows = page.locator("table.documents tbody tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Status", exact=True).select_option("submitted")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("submitted by 2 of 2")
    tab = page.get_by_role("navigation", name="Documents by status")
    expect(tab.get_by_role("link", name="submitted 1")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("link", name="Review pair")).to_be_visible()
    rows.first.get_by_role("link", name="pair").first.click()
    expect(page.get_by_role("heading", name="Annotator A · 1 span")).to_be_visible()
    page.get_by_role("navigation", name="Layers").get_by_role("link", name="B").click()
    expect(page.get_by_role("heading", name="Annotator B · 4 spans")).to_be_visible()
    assert "zed" not in page.content()
    assert script_errors(page) == []


def test_labels_differ_by_underline_style_not_only_by_colour(page, team):
    log_in(page, "reviewer")
    page.goto(f"/projects/{team.id}/documents/{doc('pair').id}?layer=B")
    expect(page.locator("#document-text .mark")).to_have_count(4)
    legend = styles(page, ".legend .mark")
    assert [name for name, _, _ in legend] == [
        "Claim",
        "Denial",
        "Hedge",
        "False-flag warning",
    ]
    # Each label its own underline style and its project colour (set by the
    # page's module through the CSSOM: no inline style, CSP kept).
    assert len({style for _, style, _ in legend}) == 4
    assert [colour for _, _, colour in legend] == [
        "rgb(31, 119, 180)",
        "rgb(214, 39, 40)",
        "rgb(44, 160, 44)",
        "rgb(148, 103, 189)",
    ]
    marks = {
        text: (style, colour)
        for text, style, colour in styles(page, "#document-text .mark")
    }
    assert marks["Officials said"] == ("solid", "rgb(31, 119, 180)")
    assert marks["other side denied it all"] == ("double", "rgb(214, 39, 40)")
    assert marks["the strike was staged"][0] == "dotted"
    assert script_errors(page) == []


def test_documents_and_document_pages_pass_axe(page, team):
    log_in(page, "reviewer")
    for path in (
        f"/projects/{team.id}/documents",
        f"/projects/{team.id}/documents?status=submitted",
        f"/projects/{team.id}/documents/{doc('pair').id}",
        f"/projects/{team.id}/documents/{doc('pair').id}?layer=B",
    ):
        page.goto(path)
        expect(page.locator("h1").first).to_be_visible()
        assert serious_violations(page) == [], path
