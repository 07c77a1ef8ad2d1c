"""The review page's lanes beyond two annotators: the majority of three with
`a`, labels told apart without colour, messages that stay in view on a long
document, and annotators' links drawn, listed and accepted with `p`."""

import json

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services.documents import import_files
from tests.browser.reviewing import (
    TEXT,
    gold_marks,
    import_records,
    in_viewport,
    message,
    open_review,
    panel,
    record,
)

pytestmark = pytest.mark.browser

THREE = {
    "ann": [(0, 33, "claim"), (35, 49, "denial")],
    "bob": [(0, 33, "claim"), (35, 44, "denial")],
    "cat": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
}


def test_three_annotators_majority_with_a(page, project):
    ids = import_records(project, [record("three", THREE)])
    open_review(page, project, ids["three"])
    expect(page.locator("#lanes .lane-name")).to_have_text(["A", "B", "C", "gold"])
    page.keyboard.press("n")  # the denial: A and C agree, B is shorter
    expect(panel(page).locator(".group-title")).to_have_text("Group 2 of 3")
    expect(panel(page).locator("button.take")).to_have_text(
        ["1 Take A", "2 Take B", "3 Take C"]
    )
    page.keyboard.press("a")
    expect(gold_marks(page)).to_have_text(["Kyiv denies it"])
    expect(message(page)).to_contain_text("Took the majority's version.")
    expect(panel(page).locator(".group-title")).to_have_text("Group 3 of 3")
    page.keyboard.press("a")  # only C marked "Maybe": no majority of three
    expect(message(page)).to_contain_text(
        "No majority here: press 1 for A's version, 2 for B's version, "
        "3 for C's version"
    )
    page.keyboard.press("1")  # A marked nothing here: taking A's version rejects
    expect(page.locator('#lanes .lane[data-lane="C"] .mk.rejected')).to_have_text(
        ["Maybe"]
    )
    assert page.console_errors == []


def test_labels_differ_by_underline_style_not_only_colour(page, project):
    ids = import_records(project, [record("d1")])
    open_review(page, project, ids["d1"])
    styles = page.evaluate(
        """() => Object.fromEntries(
            [...document.querySelectorAll('#lanes .lane .mk')].map(
                (m) => [m.title, getComputedStyle(m).textDecorationStyle]))"""
    )
    assert styles == {"Claim": "solid", "Denial": "double", "Hedge": "dotted"}
    keys = page.evaluate(
        """() => Object.fromEntries(
            [...document.querySelectorAll('#lanes .lane .mk[data-key]')].map(
                (m) => [m.title, getComputedStyle(m, '::before').content]))"""
    )
    assert keys == {
        "Claim": '"1"',
        "Denial": '"2"',
        "Hedge": '"3"',
    }  # shown, not only coloured
    colours = page.evaluate(
        """() => [...document.querySelectorAll('#legend .mk')].map(
            (m) => [m.textContent, getComputedStyle(m).textDecorationStyle,
                    getComputedStyle(m).textDecorationColor])"""
    )
    assert [c[:2] for c in colours] == [
        ["Claim", "solid"],
        ["Denial", "double"],
        ["Hedge", "dotted"],
        ["False-flag warning", "wavy"],
    ]
    assert colours[0][2] == "rgb(31, 119, 180)"  # the project's colour for claim
    page.keyboard.press("n")
    page.keyboard.press("n")  # hedge against claim: the labels are named, and marked
    expect(panel(page).locator("mark.label-chip")).to_have_text(["Hedge", "Claim"])
    assert page.console_errors == []


def long_record():
    paragraphs = [
        f"Paragraph {i} says nothing of note at all today." for i in range(80)
    ]
    paragraphs[70] = "Officials denied the report on the outage."
    text = "\n".join(paragraphs)
    start = text.index("Officials")
    spans = {
        "ann": [(0, 9, "claim"), (start, start + 27, "denial")],
        "bob": [(0, 9, "claim"), (start, start + 9, "claim")],
    }
    return record("long", spans, text)


def test_messages_stay_in_view_after_scrolling(page, project):
    ids = import_records(project, [long_record()])
    page.set_viewport_size({"width": 1024, "height": 768})
    open_review(page, project, ids["long"])
    page.keyboard.press("1")  # decides the first group; on to the far one
    expect(panel(page).locator(".group-title")).to_have_text("Group 2 of 2")
    focused = page.locator("#lanes .seg.focus").first
    expect(focused).to_have_text("Officials denied the report")
    assert page.evaluate("window.scrollY") > 1000
    assert in_viewport(page, focused)
    page.keyboard.press("a")
    expect(message(page)).to_contain_text("No majority here")
    assert in_viewport(page, message(page))
    page.keyboard.press("u")
    expect(page.locator("#toast")).to_have_text("Undid the latest decision.")
    assert in_viewport(page, page.locator("#toast"))
    assert page.console_errors == []


def test_annotators_link_drawn_pending_and_accepted_with_p(page, project):
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
    db.session.commit()
    open_review(page, project, 1)
    items = page.locator("#link-list li.link")
    expect(items).to_have_text(
        [
            "A: denial \u201cKyiv denies it\u201d denies claim "
            "\u201cMoscow says the attack was staged\u201d pending (p accepts it)"
        ]
    )
    expect(page.locator("#link-arcs path.arc.pending")).to_have_count(1)
    expect(page.locator("#link-arcs text")).to_have_text("pending")
    page.keyboard.press("p")
    expect(gold_marks(page)).to_have_count(2)
    expect(items).to_have_text(
        [
            "gold: denial \u201cKyiv denies it\u201d denies claim "
            "\u201cMoscow says the attack was staged\u201d Unlink"
        ]
    )
    expect(page.locator("#link-arcs path.arc:not(.pending)")).to_have_count(1)
    expect(page.locator("#undecided")).to_have_text("0 undecided groups of 2")
    items.first.get_by_role("button", name="Unlink").click()
    expect(items).to_have_count(0)  # the reviewer unlinked it: not pending again
    expect(page.locator("#link-list")).to_have_text("No links.")
    page.keyboard.press("u")
    expect(items).to_contain_text(["gold: denial"])
    assert page.console_errors == []
