import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_log_in_see_projects_and_log_out(page, project):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/"))
    page.get_by_label("Username").fill("annotator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    page.get_by_role("link", name="Alpha").click()
    expect(page.get_by_role("heading", name="Alpha")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    assert page.console_errors == []


def test_wrong_password_shows_one_neutral_message(page, users):
    page.goto("/login")
    page.get_by_label("Username").fill("annotator")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Unknown username or wrong password."
    )
