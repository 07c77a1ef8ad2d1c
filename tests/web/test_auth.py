import pytest

from annotator.extensions import db
from annotator.services.accounts import find_user
from tests.conftest import PASSWORD, csrf_token, login


def test_login_page_has_labelled_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="username">Username</label>' in page
    assert '<label for="password">Password</label>' in page


def test_login_and_logout(client, users):
    response = login(client, "annotator")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    token = csrf_token(client, "/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_failed_logins_do_not_say_which_part_was_wrong(client, users):
    wrong_password = login(client, "annotator", "not the password")
    unknown_user = login(client, "nobody", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 401
    message = "Unknown username or wrong password."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_user.get_data(as_text=True)


def test_passwords_are_stored_hashed(app, users):
    stored = find_user(db.session, "annotator").password_hash
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_imported_accounts_without_password_cannot_log_in(client, app):
    from annotator.services.accounts import create_user

    create_user(db.session, "sample-a", None)
    # A real attempt that reaches the password check: the account has no
    # password, so nothing matches, not even the dummy hash's own password.
    assert login(client, "sample-a", "not-a-real-password").status_code == 401
    assert login(client, "sample-a", PASSWORD).status_code == 401
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, users):
    response = login(client, "annotator")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_without_csrf_token_is_refused(client, users):
    response = client.post(
        "/login", data={"username": "annotator", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_needs_csrf_token(client, users):
    login(client, "annotator")
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_login_redirects_only_within_the_site(client, users):
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "annotator", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target", ["/projects%0d%0aSet-Cookie:x=1", "/a\r\nLocation: https://evil", "/\x00"]
)
def test_control_characters_in_next_send_users_home(client, users, target):
    token = csrf_token(client)
    response = client.post(
        "/login",
        query_string={"next": target.replace("%0d%0a", "\r\n")},
        data={"username": "annotator", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_signed_in_answers_are_never_cached(client, users, project):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client, "annotator")
    for url in ["/", f"/projects/{project.id}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    with client.get("/static/css/app.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_hsts_only_with_secure_cookies(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    hsts = client.get("/login").headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")


def test_logins_pause_after_repeated_failures_for_a_username(client, users):
    from annotator.services.accounts import MAX_FAILED_LOGINS

    for _ in range(MAX_FAILED_LOGINS):
        assert login(client, "annotator", "guess").status_code == 401
    paused = login(client, "annotator", PASSWORD)
    assert paused.status_code == 429
    assert "Too many failed logins" in paused.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still logged out
    # Other names are unaffected, and a name that does not exist pauses the
    # same way, so the pause reveals nothing about which accounts are real.
    assert login(client, "reviewer").status_code == 302


def test_the_pause_is_per_address_so_guessing_cannot_lock_the_owner_out(app, users):
    from annotator.services.accounts import MAX_FAILED_LOGINS

    attacker = app.test_client()
    for _ in range(MAX_FAILED_LOGINS + 1):
        login(attacker, "annotator", "guess")
    assert login(attacker, "annotator", PASSWORD).status_code == 429
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(owner, "annotator", PASSWORD).status_code == 302


def test_unknown_usernames_pause_like_real_ones(client, users):
    from annotator.services.accounts import MAX_FAILED_LOGINS

    for _ in range(MAX_FAILED_LOGINS):
        login(client, "nobody", "guess")
    assert login(client, "nobody", "guess").status_code == 429


def test_the_pause_holds_against_parallel_guesses(app, users):
    """40 wrong passwords at once: no more than the limit are ever checked
    (each 401 is a password checked and found wrong, each 429 a refusal)."""
    from concurrent.futures import ThreadPoolExecutor

    from annotator.services.accounts import MAX_FAILED_LOGINS

    app.config["WTF_CSRF_ENABLED"] = False

    def guess(number):
        response = app.test_client().post(
            "/login", data={"username": "annotator", "password": f"guess{number}"}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) <= MAX_FAILED_LOGINS
    assert statuses.count(401) + statuses.count(429) == 40


def test_the_pause_ends_after_the_window(client, users):
    from datetime import UTC, datetime

    from annotator.models import AuditEvent
    from annotator.services.accounts import (
        FAILED_LOGIN_WINDOW,
        MAX_FAILED_LOGINS,
        LoginPaused,
        check_login,
    )

    for _ in range(MAX_FAILED_LOGINS):
        login(client, "annotator", "guess")
    failures = db.session.query(AuditEvent).filter_by(entity="login").all()
    assert len(failures) == MAX_FAILED_LOGINS
    assert all(PASSWORD not in str(event.data) for event in failures)
    assert all("guess" not in str(event.data) for event in failures)
    later = datetime.now(UTC) + FAILED_LOGIN_WINDOW
    with pytest.raises(LoginPaused):
        check_login(db.session, "annotator", PASSWORD, "127.0.0.1")
    user = check_login(db.session, "annotator", PASSWORD, "127.0.0.1", now=later)
    assert user == users["annotator"]
