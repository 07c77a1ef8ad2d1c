"""The Exports page in Chromium: the form starts an export job, the page
shows its progress while it runs, then the download link, and the list of
past exports grows; a refused option is shown without leaving the page."""

from __future__ import annotations

import re
import threading
import zipfile

import pytest
from playwright.sync_api import expect

from annotator.extensions import db
from annotator.services import export_jobs, exports
from annotator.services.jobs import running
from tests.browser.annotating import log_in
from tests.browser.axe import serious_violations
from tests.services.test_exports_service import seed_documents

pytestmark = pytest.mark.browser


@pytest.fixture
def held_export(app, project, monkeypatch):
    """Jobs run in the background thread, one document per batch, and wait
    after the first batch until the test lets them go on."""
    seed_documents(project)
    app.config["EXPORT_JOBS_INLINE"] = False
    monkeypatch.setattr(exports.records, "BATCH_SIZE", 1)
    monkeypatch.setattr(running, "PROGRESS_EVERY", 0.0)
    gate = threading.Event()
    real_call = export_jobs._Tracker.__call__

    def held(self, done, total):
        real_call(self, done, total)
        if done == 1:
            gate.wait(30)

    monkeypatch.setattr(export_jobs._Tracker, "__call__", held)
    yield gate
    gate.set()
    from annotator.web import export_runner

    assert export_runner.runner(app).wait(30)


def fits_the_window(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]


def test_an_export_shows_its_progress_then_the_download(
    page, project, held_export, tmp_path
):
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, "reviewer")
    page.goto(f"/projects/{project.id}/exports")
    expect(page.get_by_text("No exports yet.")).to_be_visible()
    page.get_by_label("File format").select_option("doccano")
    page.get_by_role("button", name="Export").click()

    status = page.locator("#export-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Exporting: 1 of 2 documents read.")
    bar = page.locator("#export-progress")
    expect(bar).to_have_attribute("max", "2")
    expect(bar).to_have_js_property("value", 1)
    expect(page.get_by_role("button", name="Export")).to_be_disabled()
    assert serious_violations(page) == []
    fits_the_window(page)

    held_export.set()
    link = status.get_by_role("link")
    expect(link).to_have_text(
        re.compile(r"^alpha-doccano-annotators-\d{8}T\d{6}Z\.zip$")
    )
    expect(status).to_contain_text("Your export is ready:")
    expect(status).to_contain_text("(2 documents,")
    expect(page.get_by_role("button", name="Export")).to_be_enabled()
    # The list of past exports now holds it.
    expect(page.locator("#past-exports tbody tr")).to_have_count(1)
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = [name.split("/", 1)[1] for name in archive.namelist()]
    assert "manifest.json" in names
    assert serious_violations(page) == []
    assert page.console_errors == []


def test_a_refused_option_is_shown_on_the_page(page, project, held_export):
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, "reviewer")
    page.goto(f"/projects/{project.id}/exports")
    page.get_by_label("Train/dev/test split").fill("0.7,0.7,0.1")
    page.get_by_role("button", name="Export").click()
    status = page.locator("#export-status")
    expect(status).to_contain_text("Nothing was exported: split '0.7,0.7,0.1':")
    expect(status).to_contain_text("ratios must sum to 1")
    split = page.get_by_label("Train/dev/test split")
    expect(split).to_have_attribute("aria-invalid", "true")
    expect(status).to_be_in_viewport()
    expect(page.get_by_role("button", name="Export")).to_be_enabled()
    # The page stayed (the form was not posted to it).
    assert page.url.endswith(f"/projects/{project.id}/exports")
    assert export_jobs.list_jobs(db.session, project) == []


def test_without_script_the_page_follows_the_job_by_a_link(
    browser, live_server, project, held_export
):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 1024, "height": 768})
        log_in(page, "reviewer")
        page.goto(f"/projects/{project.id}/exports")
        page.get_by_role("button", name="Export").click()
        expect(page.locator("#export-status")).to_contain_text(
            re.compile(r"Export waiting to start|Exporting")
        )
        assert "job=" in page.url
        # axe runs as a script, and with scripts off Playwright's evaluate
        # never returns: the job's page is checked in a scripted tab.
        scripted = browser.new_context(base_url=live_server)
        try:
            checked = scripted.new_page()
            checked.set_viewport_size({"width": 1024, "height": 768})
            log_in(checked, "reviewer")
            checked.goto(page.url)
            expect(checked.locator("#export-status")).to_be_visible()
            assert serious_violations(checked) == []
        finally:
            scripted.close()
        held_export.set()
        # "Check again" reloads the page (not only scrolls) until it is done.
        for _ in range(50):
            if page.locator("#export-latest").count():
                break
            page.get_by_role("link", name="Check again").click()
            page.wait_for_load_state()
        expect(page.locator("#export-latest")).to_contain_text("Your export is ready")
        expect(page.locator("#past-exports tbody tr")).to_have_count(1)
    finally:
        context.close()
