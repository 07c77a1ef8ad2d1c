"""The agreement and quality pages in Chromium at 1024x768: charts drawn and
labelled, nothing wider than the window, verdicts in words."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services import adjudication, review
from annotator.services.documents import import_files
from tests.browser.annotating import log_in
from tests.browser.axe import serious_violations

pytestmark = pytest.mark.browser

TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so, or not."
SPANS = {
    "ann": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
    "bob": [(0, 33, "claim"), (35, 44, "denial"), (51, 56, "claim")],
    "cat": [(0, 30, "claim"), (35, 49, "denial")],
}


def record(doc_id, names):
    return {
        "id": doc_id,
        "text": TEXT,
        "annotations": [
            {
                "annotator": name,
                "spans": [
                    {"start": s, "end": e, "label": x} for s, e, x in SPANS[name]
                ],
            }
            for name in names
        ],
    }


@pytest.fixture
def three(project):
    records = [record("d1", ["ann", "bob"]), record("d2", ["ann", "bob", "cat"])]
    data = "\n".join(json.dumps(r) for r in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    db.session.commit()
    return project


def fits_the_window(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]


def test_agreement_page_at_1024(page, three):
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, "reviewer")
    page.goto(f"/projects/{three.id}/agreement")
    expect(page.locator("#figure-alpha_u .verdict")).to_contain_text(
        "reliable"  # "reliable", "tentative" or "not reliable", in words
    )
    chart = page.get_by_role("img", name="Agreement per label with 95% intervals")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    assert 500 <= box["width"] <= 1024
    expect(page.locator("#pairs table.heatmap")).to_be_visible()  # three annotators
    expect(page.locator("#progress")).to_contain_text("ann")
    fits_the_window(page)


def test_quality_page_says_why_a_figure_is_missing(page, three, users):
    doc = db.session.scalar(select(Document).where(Document.external_id == "d1"))
    version = review.document_review(db.session, three, doc)["version"]
    adjudication.DECISIONS["accept-agreed"](
        db.session, three, doc, users["reviewer"], {"version": version}
    )
    left = review.document_review(db.session, three, doc)["undecided"]
    adjudication.DECISIONS["adjudicate"](
        db.session,
        three,
        doc,
        users["reviewer"],
        {"version": version + 1, "undecided": left},
    )
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, "reviewer")
    page.goto(f"/projects/{three.id}/review/quality")
    expect(page.locator("#undecided")).to_contain_text("not counted")
    expect(page.locator("#quality-ann")).to_contain_text("—, no gold spans")
    fits_the_window(page)


def test_agreement_quality_and_document_pages_pass_axe(page, three):
    doc = db.session.scalar(select(Document).where(Document.external_id == "d2"))
    log_in(page, "reviewer")
    for path in (
        f"/projects/{three.id}/agreement",
        f"/projects/{three.id}/agreement/documents/{doc.id}",
        f"/projects/{three.id}/review/quality",
    ):
        page.goto(path)
        expect(page.locator("main h1, h1").first).to_be_visible()
        assert serious_violations(page) == [], path
