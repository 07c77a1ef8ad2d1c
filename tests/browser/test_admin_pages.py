"""The admin pages in Chromium: axe-core finds no serious violation on the
members, users, exports and import pages, and the flows work by keyboard and
mouse as a project admin would use them (zip download, import preview)."""

import json
import os
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services import tokens
from tests.browser.axe import serious_violations
from tests.conftest import PASSWORD
from tests.services.test_exports_service import seed_documents

pytestmark = pytest.mark.browser


def _log_in(page, username):
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()


def test_members_and_users_pages_pass_axe(page, project, users):
    tokens.create_token(db.session, users["annotator"], "laptop")
    _log_in(page, "siteadmin")
    page.goto(f"/projects/{project.id}/members")
    page.get_by_label("Account").select_option("outsider")
    page.get_by_label("Role").select_option("reviewer")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("outsider is now reviewer.")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Remove outsider").click()
    expect(page).to_have_title("Remove outsider · Members · Alpha · Framing annotator")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Remove outsider").click()
    expect(page.get_by_text("outsider is no longer a member.")).to_be_visible()

    page.goto("/users")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Edit annotator").click()
    expect(page.get_by_role("heading", name="annotator", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Revoke laptop")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Deactivate annotator").click()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Deactivate annotator").click()
    expect(page.get_by_text("annotator is deactivated.")).to_be_visible()
    assert page.console_errors == []


def test_a_project_admin_types_a_username(page, project):
    _log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/members")
    page.get_by_label("Username").fill("nobody")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("no user named 'nobody'")).to_be_visible()
    assert serious_violations(page) == []


def test_exports_page_keeps_choices_and_downloads_a_zip(page, project, tmp_path):
    seed_documents(project)
    db.session.commit()
    _log_in(page, "reviewer")
    page.goto(f"/projects/{project.id}/exports")
    assert serious_violations(page) == []
    page.get_by_label("File format").select_option("doccano")
    page.get_by_label("Train/dev/test split").fill("0.5,0.25,0.25")
    page.get_by_label("doccano offsets").select_option("codepoints")
    page.get_by_label("doccano project type").select_option("label")
    page.get_by_role("button", name="Export").click()
    expect(page.get_by_text("Your export is ready")).to_be_visible()
    expect(page.get_by_label("File format")).to_have_value("doccano")
    expect(page.get_by_label("Train/dev/test split")).to_have_value("0.5,0.25,0.25")
    assert serious_violations(page) == []
    link = page.locator(".latest a")
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.suggested_filename.startswith("alpha-doccano-annotators-")
    assert download.suggested_filename.endswith("Z.zip")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    names = zipfile.ZipFile(saved).namelist()
    stem = download.suggested_filename.removesuffix(".zip")
    assert f"{stem}/manifest.json" in names
    assert f"{stem}/train.jsonl" in names
    manifest = json.loads(zipfile.ZipFile(saved).read(f"{stem}/manifest.json"))
    chosen = manifest["options"]["format"]
    assert (chosen["doccano_offsets"], chosen["doccano_shape"]) == (
        "code_points",
        "label",
    )
    for width, height in [(1400, 900), (1024, 768)]:
        page.set_viewport_size({"width": width, "height": height})
        _shoot(page, f"exports-doccano-choices-{width}x{height}")


def test_import_preview_then_confirm(page, project, tmp_path):
    good = tmp_path / "a.txt"
    good.write_text("Moscow denied the attack 👍🏽.", encoding="utf-8")
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"text": "fine"}\n{oops}\n', encoding="utf-8")
    _log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/import")
    assert serious_violations(page) == []
    page.get_by_label("Files").set_input_files([good, bad])
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text("b.jsonl line 2")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)
    assert serious_violations(page) == []
    page.goto(f"/projects/{project.id}/import")
    page.get_by_label("Files").set_input_files([good])
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text("Nothing has been stored yet")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text("Imported 1 documents")).to_be_visible()
    # The only failed load is the refused upload itself (answered 400).
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 "
        "(BAD REQUEST)"
    ]


DOCCANO = Path(__file__).parents[1] / "data" / "imports" / "doccano"
#: Where screenshots go when ANNOTATOR_SCREENSHOTS names a folder.
SHOTS = os.environ.get("ANNOTATOR_SCREENSHOTS")


def _shoot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("size", [(1400, 900), (1024, 768)])
def test_import_another_tools_files_by_format_maps_and_offsets(page, project, size):
    """The choices of ``annotator import`` on the page: detection shown in
    the preview, a label map, a member chosen for a source annotator, each
    document's offset decision; Confirm stores it."""
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    _log_in(page, "padmin")
    page.goto(f"/projects/{project.id}/import")
    expect(page.get_by_label("Format")).to_have_value("detect")
    page.get_by_label("Files").set_input_files(
        [DOCCANO / "alice.jsonl", DOCCANO / "bob.jsonl"]
    )
    page.get_by_label("Offsets counted in").select_option("auto")
    page.get_by_text("Map annotators and labels").click()
    page.get_by_label("Annotator map").fill("bob=annotator")
    page.get_by_label("Label map").fill("CLAIM=claim, DENIAL=denial, HEDGE=hedge")
    _shoot(page, f"import-form-{width}")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text("Nothing has been stored yet")).to_be_visible()
    expect(page.get_by_text("alice.jsonl: looks like a doccano JSONL")).to_be_visible()
    spans = page.get_by_role("table", name="Spans per annotator and label")
    member = spans.get_by_role("row", name="annotator project member")
    expect(member.get_by_role("cell")).to_have_text(
        ["project member", "1", "1", "0", "2"]
    )
    offsets = page.get_by_role("table", name="Offsets: how each document was read")
    expect(offsets.get_by_role("row")).to_have_count(3)  # the head and 2 documents
    expect(offsets).to_contain_text("UTF-16 code units")
    # Nothing sticks out of the page at this width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    _shoot(page, f"import-preview-{width}")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_text("Imported 2 documents")).to_be_visible()
    assert page.console_errors == []
