"""The review page in Chromium: side by side, accept-all-agreed, boundary
correction, keyboard decisions, adjudicate-and-next."""

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services.documents import import_files
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
DASH = "\u2013"  # as the page prints offsets

TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so. 😀 end"
SPANS = {
    "ann": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
    "bob": [(0, 33, "claim"), (35, 44, "denial"), (51, 56, "claim"), (61, 62, "hedge")],
}


def record(doc_id):
    return {
        "id": doc_id,
        "text": TEXT,
        "annotations": [
            {
                "annotator": name,
                "spans": [{"start": s, "end": e, "label": x} for s, e, x in spans],
            }
            for name, spans in SPANS.items()
        ],
    }


@pytest.fixture
def docs(project):
    data = "\n".join(json.dumps(record(i)) for i in ("d1", "d2")).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    ids = dict(db.session.execute(select(Document.external_id, Document.id)).all())
    db.session.commit()
    return ids


def open_review(page, project, document_id, query=""):
    page.goto("/login")
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    page.goto(f"/projects/{project.id}/review/documents/{document_id}{query}")
    expect(page.locator("#groups-body tr.group").first).to_be_visible()


def gold_rows(page):
    return page.locator("#gold-body tr.gold-span")


def test_side_by_side_shows_each_annotators_spans(page, project, docs):
    open_review(page, project, docs["d1"])
    rows = page.locator("#rows .review-row")
    expect(rows).to_have_count(3)
    a_marks = page.locator('.review-row[data-annotator="A"] mark')
    b_marks = page.locator('.review-row[data-annotator="B"] mark')
    expect(a_marks).to_have_count(3)
    expect(b_marks).to_have_count(4)
    expect(a_marks.nth(1)).to_have_text("Kyiv denies it")
    expect(b_marks.nth(1)).to_have_text("Kyiv deni")
    expect(b_marks.nth(3)).to_have_text("😀")
    groups = page.locator("#groups-body tr.group .kind")
    expect(groups).to_have_text(
        [
            "same span, same label",
            "overlapping, different boundaries",
            "same span, different label",
            "marked by only some annotators",
        ]
    )
    expect(page.locator("#groups-head")).not_to_contain_text("ann")
    page.get_by_role("link", name="show names").click()
    expect(page.locator('.review-row[data-annotator="ann"]')).to_be_visible()
    expect(page.locator("#groups-head")).to_contain_text("bob")
    assert page.console_errors == []


def test_accept_all_agreed_fills_gold_and_undo_takes_it_back(page, project, docs):
    open_review(page, project, docs["d1"])
    page.get_by_role("button", name="Accept all agreed").click()
    expect(gold_rows(page)).to_have_count(1)
    expect(gold_rows(page).first).to_contain_text(f"0{DASH}33")
    expect(gold_rows(page).first).to_contain_text("A, B")
    expect(page.locator('.review-row[data-annotator="gold"] mark')).to_have_text(
        ["Moscow says the attack was staged"]
    )
    page.get_by_role("button", name=re.compile("Undo last decision")).click()
    expect(gold_rows(page)).to_have_count(0)
    assert page.console_errors == []


def test_boundary_correction_with_the_keyboard_and_form(page, project, docs):
    open_review(page, project, docs["d1"])
    page.keyboard.press("n")
    current = page.locator("#groups-body tr.current")
    expect(current.locator(".kind")).to_have_text("overlapping, different boundaries")
    expect(page.get_by_label("Start")).to_have_value("35")
    expect(page.get_by_label("End")).to_have_value("49")
    page.get_by_label("End").fill("46")
    expect(page.locator("#gold-preview")).to_have_text("Kyiv denies")
    page.get_by_role("button", name="Save correction").click()
    expect(gold_rows(page)).to_have_count(1)
    row = gold_rows(page).first
    expect(row).to_contain_text(f"35{DASH}46")
    expect(row).to_contain_text("corrected")
    expect(row).to_contain_text("A, B")
    expect(page.locator("#groups-body tr.group").nth(1)).to_have_class(
        re.compile("decided")
    )
    page.keyboard.press("n")
    expect(current.locator(".kind")).to_have_text("same span, different label")
    page.keyboard.press("a")
    expect(page.locator("#error")).to_contain_text("No majority here")
    current.locator("button.span-chip").nth(1).click()
    page.keyboard.press("a")
    expect(gold_rows(page)).to_have_count(2)
    expect(gold_rows(page).nth(1)).to_contain_text(f"51{DASH}56")
    page.keyboard.press("j")
    expect(current.locator(".kind")).to_have_text("marked by only some annotators")
    page.keyboard.press("r")
    expect(page.locator("#message")).to_have_text("Group rejected.")
    expect(page.locator("#undecided")).to_contain_text("0 undecided disagreements")
    assert page.console_errors == []


def test_adjudicate_and_next_opens_the_next_document(page, project, docs):
    open_review(page, project, docs["d1"])
    page.get_by_role("button", name="Accept all agreed").click()
    expect(gold_rows(page)).to_have_count(1)
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Adjudicate and next").click()
    expect(page.locator("#message")).to_contain_text("Not adjudicated")
    expect(page.locator("#review-status")).to_have_text("open")
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Adjudicate and next").click()
    expect(page).to_have_url(re.compile(rf"/review/documents/{docs['d2']}$"))
    assert asked == ["3 groups are still undecided. Adjudicate anyway?"] * 2
    expect(page.locator("#review-status")).to_have_text("open")
    page.goto(f"/projects/{project.id}/review")
    expect(page.locator("tr.status-adjudicated")).to_contain_text("d1")
    assert page.console_errors == []


def test_link_a_gold_denial_to_the_gold_claim(page, project, docs):
    open_review(page, project, docs["d1"])
    page.get_by_role("button", name="Accept all agreed").click()
    expect(gold_rows(page)).to_have_count(1)
    page.keyboard.press("n")
    page.get_by_role("button", name="Save correction").click()
    expect(gold_rows(page)).to_have_count(2)
    denial = gold_rows(page).nth(1)
    denial.get_by_role("button", name="Link", exact=True).click()
    expect(denial.locator(".gold-link")).to_contain_text(f"denies claim 0{DASH}33")
    denial.get_by_role("button", name="Unlink").click()
    expect(denial.locator(".gold-link")).to_have_count(0)
    assert page.console_errors == []


def test_annotators_link_comes_into_gold_with_its_second_end(page, project):
    spans = [
        {"id": "c", "start": 0, "end": 33, "label": "claim"},
        {"id": "d", "start": 35, "end": 49, "label": "denial"},
    ]
    linked = {
        "id": "linked",
        "text": TEXT,
        "annotations": [
            {
                "annotator": "ann",
                "spans": spans,
                "links": [{"source": "d", "target": "c", "kind": "denies"}],
            },
            {"annotator": "bob", "spans": spans},
        ],
    }
    import_files(db.session, project, [("l.jsonl", json.dumps(linked).encode())])
    document_id = db.session.scalar(select(Document.id))
    db.session.commit()
    open_review(page, project, document_id)
    pending = page.locator("#links-not-in-gold")
    expect(pending).to_have_text(
        "1 annotator link not in gold (an end is not a gold span yet): "
        f"A: denial 35{DASH}49 denies claim 0{DASH}33"
    )
    groups = page.locator("#groups-body tr.group")
    groups.nth(0).get_by_role("button", name="Accept").click()
    expect(gold_rows(page)).to_have_count(1)
    expect(pending).to_be_visible()
    groups.nth(1).get_by_role("button", name="Accept").click()
    expect(gold_rows(page)).to_have_count(2)
    denial = gold_rows(page).nth(1)
    expect(denial.locator(".gold-link")).to_contain_text(f"denies claim 0{DASH}33")
    expect(pending).to_be_hidden()
    page.get_by_role("button", name=re.compile("Undo last decision")).click()
    expect(gold_rows(page)).to_have_count(1)
    expect(pending).to_contain_text("1 annotator link not in gold")
    assert page.console_errors == []


def test_undo_an_older_decision_from_the_history_then_redo(page, project, docs):
    open_review(page, project, docs["d1"])
    page.get_by_role("button", name="Accept all agreed").click()
    expect(gold_rows(page)).to_have_count(1)
    page.keyboard.press("n")
    page.get_by_role("button", name="Save correction").click()
    expect(gold_rows(page)).to_have_count(2)
    history = page.locator("#history-body tr.decision")
    expect(history).to_have_count(2)
    older = history.nth(1)
    expect(older).to_contain_text("accept_agreed")
    expect(older).to_contain_text(f"gold + claim 0{DASH}33")
    older.get_by_role("button", name="Undo").click()
    expect(gold_rows(page)).to_have_count(1)
    expect(gold_rows(page).first).to_contain_text(f"35{DASH}49")
    expect(page.locator("#message")).to_contain_text("Undone: accept_agreed")
    expect(history.nth(2)).to_contain_text("undone by reviewer")
    redo = page.locator("#redo")
    expect(redo).to_have_text("Redo (accept_agreed)")
    redo.click()
    expect(gold_rows(page)).to_have_count(2)
    expect(gold_rows(page).first).to_contain_text(f"0{DASH}33")
    expect(gold_rows(page).first).to_contain_text("A, B")
    expect(history.first).to_contain_text("redo accept_agreed")
    page.keyboard.press("Control+z")  # the latest: the redo
    expect(gold_rows(page)).to_have_count(1)
    page.keyboard.press("Control+Shift+Z")
    expect(gold_rows(page)).to_have_count(2)
    assert page.console_errors == []
