"""Pages load their modules under versioned URLs: every module the browser
fetches is one the page preloads (the import map sends relative imports to
the same URLs), and on the next visit none is fetched again."""

import pytest

from tests.browser.annotating import open_document, start_annotating
from tests.browser.reviewing import import_records, open_review, record

pytestmark = pytest.mark.browser

LOADED = """() => performance.getEntriesByType("resource")
  .filter((r) => new URL(r.name).pathname.startsWith("/static/"))
  .map((r) => ({ url: r.name, transferred: r.transferSize }))"""
PRELOADED = """() => [...document.querySelectorAll(
  'script[type="module"][src], link[rel="modulepreload"]')]
  .map((e) => e.src || e.href)"""


def static_files(page):
    """The page's static files as loaded, and the module URLs it names."""
    return page.evaluate(LOADED), set(page.evaluate(PRELOADED))


def assert_versioned_and_cached(page, reopen):
    loaded, named = static_files(page)
    modules = [r["url"] for r in loaded if r["url"].split("?")[0].endswith(".js")]
    assert len(modules) > 10, modules
    assert all("?v=" in r["url"] for r in loaded), loaded
    # A module fetched but not preloaded would be a hole in the module graph
    # (fetched only when its importer ran), or a URL the import map missed.
    assert set(modules) <= named, set(modules) - named
    reopen()
    again, _ = static_files(page)
    assert {r["url"] for r in again} == {r["url"] for r in loaded}
    fetched = [r["url"] for r in again if r["transferred"] > 0]
    assert fetched == [], f"fetched again on the second visit: {fetched}"


def test_the_annotation_page_fetches_its_modules_once(page, project, users):
    document = start_annotating(page, project, users, "Officials denied it.")

    def reopen():
        page.goto("/")
        open_document(page, project, document)

    assert_versioned_and_cached(page, reopen)


def test_the_review_page_fetches_its_modules_once(page, project):
    docs = import_records(project, [record("d1")])
    open_review(page, project, docs["d1"])

    def reopen():
        page.goto("/")
        page.goto(f"/projects/{project.id}/review/documents/{docs['d1']}")
        page.locator("#group-panel .group-title").wait_for()

    assert_versioned_and_cached(page, reopen)
