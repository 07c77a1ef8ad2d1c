"""axe-core finds no serious or critical violation on the pages a reviewer
starts from: login, the project list, the review queue and the review
document page with its dialogs. (The agreement and documents pages carry
their own axe checks in their files.)"""

import json
import re

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services.documents import import_files
from tests.browser.axe import serious_violations
from tests.browser.reviewing import open_review, record
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def reviewable(project):
    data = "\n".join(json.dumps(record(i)) for i in ("d1", "d2")).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    db.session.commit()


def test_login_projects_and_review_queue_pass_axe(page, project, reviewable):
    page.goto("/login")
    assert serious_violations(page) == []
    page.get_by_label("Username").fill("reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"/projects/{project.id}/review")
    expect(page.get_by_text("d1").first).to_be_visible()
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_axe_reports_a_violation_it_is_shown(page, project):
    """The check can fail: an image without alternative text is a critical
    violation axe must report on our page."""
    page.goto("/login")
    page.evaluate(
        """() => {
            const image = document.createElement("img");
            image.src = "/static/none.png";
            document.body.append(image);
        }"""
    )
    found = serious_violations(page)
    assert [v["id"] for v in found] == ["image-alt"]
    assert found[0]["nodes"] == ["img"]


def test_review_document_page_passes_axe(page, project, reviewable):
    """The lanes, the decision panel, the links and both dialogs."""
    open_review(page, project, 1)
    assert serious_violations(page) == []
    page.keyboard.press("1")
    expect(page.locator("#group-message")).to_contain_text("Took A's version")
    page.locator("#history-section summary").click()
    assert serious_violations(page) == []
    page.keyboard.press("?")
    expect(page.locator("#keys-dialog")).to_be_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+A")
    expect(page.locator("#adjudicate-dialog")).to_be_visible()
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_annotation_page_passes_axe(page, project, users):
    """The annotation page with spans, a drawn link, label tags, a message and
    the shortcut dialog open."""
    from tests.browser.annotating import select_word, start_annotating, wait_saved

    text = "Rebels shelled the town, officials said. The rebels denied any shelling."
    start_annotating(page, project, users, text)
    assert serious_violations(page) == []
    select_word(page, text, "Rebels shelled the town")
    page.keyboard.press("1")
    select_word(page, text, "denied any shelling")
    page.keyboard.press("2")
    page.keyboard.press("l")
    page.locator(".mark[title='Claim']").first.click()
    wait_saved(page)
    page.get_by_label("All links").check()
    page.keyboard.press("Escape")
    page.keyboard.press("1")
    expect(page.locator("#annotate-message")).to_be_visible()
    expect(page.locator("svg.link-layer path.link")).to_have_count(1)
    assert serious_violations(page) == []
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#panel-toggle").click()
    assert serious_violations(page) == []
    assert page.console_errors == []


def _log_in(page, username):
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()


def test_account_page_with_tokens_passes_axe(page, users):
    """The account page empty, with a new token shown once, and with a
    revoked token in the list."""
    _log_in(page, "annotator")
    page.get_by_role("link", name="annotator", exact=True).click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Token name").fill("nightly <export>")
    page.get_by_role("button", name="Create token").click()
    shown = page.get_by_label("Copy it now")
    expect(shown).to_have_value(re.compile(r"^fa_[A-Za-z0-9_-]{43}$"))
    expect(page.get_by_role("rowheader", name="nightly <export>")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Revoke nightly <export>").click()
    expect(page.get_by_text("Token revoked.")).to_be_visible()
    expect(page.get_by_label("Copy it now")).to_have_count(0)
    expect(page.get_by_role("cell", name=re.compile("^revoked"))).to_be_visible()
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_import_page_and_its_preview_pass_axe(page, project, tmp_path):
    """The import form with its mapping fields open, and a preview listing
    problems, offset decisions and spans per annotator and label."""
    emoji = tmp_path / "alice.jsonl"
    line = {"id": 1, "text": "Vaccines 💉 work.", "label": [[0, 17, "CLAIM"]]}
    emoji.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    page.goto("/login")
    page.get_by_label("Username").fill("padmin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/projects/{project.id}/import")
    page.get_by_text("Map annotators and labels").click()
    assert serious_violations(page) == []
    page.get_by_label("Files").set_input_files([emoji])
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text("unknown label 'CLAIM'")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"/projects/{project.id}/import")
    page.get_by_label("Files").set_input_files([emoji])
    page.get_by_text("Map annotators and labels").click()
    page.get_by_label("Label map").fill("CLAIM=claim")
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text("Offsets: how each document was read")).to_be_visible()
    assert serious_violations(page) == []


def test_annotation_page_with_suggestions_passes_axe(page, project, users):
    """Suggestions drawn dashed in the text and listed, one focused, one
    accepted (a span and a message) and the accept undone, at desktop and
    phone widths."""
    from annotator.services.suggestions.settings import set_suggestions
    from tests.browser.annotating import start_annotating, wait_saved

    set_suggestions(db.session, project, "on")
    text = "Moscow reportedly denied it. Troops could attack, officials said."
    start_annotating(page, project, users, text)
    items = page.locator("#suggestion-list button.suggestion-item")
    expect(items.first).to_be_visible()
    assert serious_violations(page) == []
    items.first.focus()
    page.keyboard.press("Enter")
    wait_saved(page)
    expect(page.locator("#annotate-message")).to_be_visible()
    assert serious_violations(page) == []
    # Undone: the suggestion back in its place in the list, announced.
    page.keyboard.press("Control+z")
    wait_saved(page)
    expect(page.locator("#annotate-message")).to_contain_text("Undone: accept")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#panel-toggle").click()


def test_exports_page_passes_axe(page, project, users, app):
    """The form, a job in progress (status box with its progress bar), then
    the finished export's link and the list of past exports."""
    from pathlib import Path

    from annotator.services import export_jobs
    from annotator.services.exports import ExportSettings
    from tests.browser.annotating import log_in
    from tests.services.test_exports_service import seed_documents

    seed_documents(project)
    log_in(page, "reviewer")
    page.goto(f"/projects/{project.id}/exports")
    assert serious_violations(page) == []
    job = export_jobs.submit_job(
        db.session, project, users["reviewer"], ExportSettings()
    )
    page.goto(f"/projects/{project.id}/exports?job={job.id}")
    expect(page.locator("#export-progress-text")).to_have_text(
        "Export waiting to start…"
    )
    assert serious_violations(page) == []
    export_jobs.run_queued(db.session, Path(app.config["EXPORT_DIR"]))
    expect(page.locator("#export-status")).to_contain_text("Your export is ready:")
    expect(page.locator("#past-exports tbody tr")).to_have_count(1)
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_suggestion_effect_page_passes_axe(page, project, users):
    """The effect of suggestions with figures in every table (a reviewer's
    view) at both desktop sizes; screenshots when ANNOTATOR_SCREENSHOTS names
    a folder."""
    import os

    from tests.browser.annotating import log_in
    from tests.effect_data import make_effect_project

    shots = os.environ.get("ANNOTATOR_SCREENSHOTS")
    log_in(page, "reviewer")
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"/projects/{project.id}/suggestions/effect")
    expect(page.locator("#effect-summary")).to_contain_text("Too small to compare")
    assert serious_violations(page) == []
    if shots:
        page.screenshot(path=f"{shots}/effect-empty-1024x768.png", full_page=True)
    built = make_effect_project(project, users["reviewer"])
    # One calibration document where one annotator's record is unknown: the
    # line under the table counts it in neither group.
    from sqlalchemy import select

    from annotator.extensions import db
    from annotator.models import User
    from annotator.services.annotations import assignment_for

    bob = db.session.scalar(select(User).where(User.username == "bob"))
    assignment_for(db.session, built["calibration"][0], bob).suggestions_shown = None
    # Another where suggestions were on but nothing was proposed: its line.
    for name in ("ann", "bob"):
        user = db.session.scalar(select(User).where(User.username == name))
        found = assignment_for(db.session, built["calibration"][1], user)
        found.suggestions_withheld = "none_proposed"
    db.session.commit()
    for width, height in [(1400, 900), (1024, 768)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/projects/{project.id}/suggestions/effect")
        table = page.get_by_role("table", name="rules, version 2")
        expect(table.get_by_role("row", name="All labels")).to_be_visible()
        expect(page.locator("#effect-annotators")).to_contain_text("0.750 (3 of 4)")
        expect(page.locator("#effect-mixed")).to_contain_text(
            "1 document with submitted work is in neither group"
        )
        expect(page.locator("#effect-unknown")).to_contain_text(
            "An unknown record stays unknown"
        )
        expect(page.locator("#effect-none-proposed")).to_contain_text(
            "1 document with submitted work was annotated with suggestions on"
        )
        assert serious_violations(page) == []
        if shots:
            page.screenshot(path=f"{shots}/effect-{width}x{height}.png", full_page=True)


def test_suggestions_page_with_a_training_passes_axe(
    page, project, users, app, monkeypatch
):
    """The Suggestions page: the training form, a queued training (status box
    with its progress bar, Cancel button and the Check again link), the
    cancelled training, and without spaCy the line naming the extra."""
    import sys

    from annotator.services import training_jobs
    from annotator.web import training_runner
    from tests.browser.annotating import log_in
    from tests.gold_data import make_gold_project

    make_gold_project(project, users["reviewer"], documents=12)
    app.config["TRAINING_JOBS_INLINE"] = False
    training_runner.runner(app).wake = lambda: None  # the job stays queued
    log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/suggestions")
    assert serious_violations(page) == []
    training_jobs.submit_training(db.session, project, users["padmin"], {})
    page.goto(f"/projects/{project.id}/suggestions")
    expect(page.locator("#training-progress-text")).to_have_text(
        "Training waiting to start…"
    )
    expect(page.locator("#training-origin")).to_contain_text("Requested by padmin at")
    expect(page.get_by_role("button", name="Cancel training")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Cancel training").click()
    expect(page.locator("#training-cancelled")).to_contain_text(
        "was cancelled by padmin"
    )
    assert serious_violations(page) == []
    monkeypatch.setitem(sys.modules, "spacy", None)
    page.goto(f"/projects/{project.id}/suggestions")
    expect(page.locator("#training-needs-spacy")).to_contain_text(
        "install framing-annotator[ml]"
    )
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_members_page_with_the_last_admin_refusal_passes_axe(page, project, users):
    """The members page, and the same page after trying to demote the
    project's last admin: the refusal sits under the Role field."""
    _log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/members")
    expect(page.get_by_role("heading", name="Alpha: members")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Username").fill("padmin")
    page.get_by_label("Role").select_option("annotator")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Nothing changed: padmin is the last admin of Alpha: make someone else "
        "its admin first"
    )
    expect(page.get_by_label("Role")).to_have_value("annotator")
    assert serious_violations(page) == []
    # The refused form's own answer is a 409, which Chromium logs; nothing else.
    assert [e for e in page.console_errors if "409 (CONFLICT)" not in e] == []


def test_suggestions_page_queue_order_passes_axe(page, project, users):
    """The Suggestions page with its queue order card: saved by keyboard and
    mouse, and refused (uncertainty without a trained model) with the reason
    under the field."""
    page.goto("/login")
    page.get_by_label("Username").fill("padmin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    page.goto(f"/projects/{project.id}/suggestions")
    expect(page.get_by_role("heading", name="Queue order")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Hand out documents").select_option("random")
    page.get_by_label("Seed of the random order").fill("2024")
    page.get_by_role("button", name="Save queue order").click()
    expect(page.get_by_text("Queue order: random (seed 2024).")).to_be_visible()
    assert serious_violations(page) == []
    assert page.console_errors == []
    page.get_by_label("Hand out documents").select_option("uncertainty")
    page.get_by_label("Seed of the random order").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("train one first")
    assert serious_violations(page) == []
    # The refusal is a 400 page, which Chromium logs; nothing else.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
