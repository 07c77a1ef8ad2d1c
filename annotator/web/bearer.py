"""Requests authenticated by a personal API token (``Authorization: Bearer``).

A request carrying a Bearer token is that token's user, or is answered 401:
a bad, revoked or deactivated user's token never falls back to the session
cookie or to anonymous. Such a request neither reads nor writes the session
cookie, so it cannot ride on a browser's login, and so needs no CSRF token
(a cross-site page cannot set the Authorization header without a CORS
preflight, which this app never grants). Other schemes (Basic from a proxy
in front) are left alone.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, current_app, g, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager

from annotator.extensions import csrf, current_session
from annotator.models import User
from annotator.services import tokens

CHALLENGE = 'Bearer realm="annotator"'
INVALID = (
    "This API token is not valid: it is wrong, revoked, or its account is deactivated."
)


def bearer_token(incoming: Request) -> str | None:
    """The credentials of an ``Authorization: Bearer`` header ("" when the
    header names the scheme without a token), None without one."""
    scheme, _, credentials = incoming.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip()


class TokenRequestSession(SecureCookieSession):
    """The session of a token request: empty, and never saved."""


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except on a token request: there the
    cookie is neither read (the token alone says who is asking) nor written
    (a script gets no session cookie)."""

    def open_session(self, app: Flask, incoming: Request) -> SecureCookieSession | None:
        if bearer_token(incoming) is not None:
            return TokenRequestSession()
        return super().open_session(app, incoming)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if isinstance(session, TokenRequestSession):
            return
        super().save_session(app, session, response)


def authenticate_request() -> Response | None:
    """Before every view: a Bearer request becomes its token's user or gets
    401; any other request has its CSRF token checked (for state changes)."""
    plain = bearer_token(request)
    if plain is None:
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)
        return None
    user = tokens.authenticate(current_session(), plain)
    if user is None:
        response = jsonify(error=INVALID, status=401)
        response.status_code = 401
        response.headers["WWW-Authenticate"] = f'{CHALLENGE}, error="invalid_token"'
        return response
    g.token_user = user
    return None


def token_user(_incoming: Request) -> User | None:
    """Flask-Login's request loader: the user :func:`authenticate_request`
    found by token (a token request has an empty session, so Flask-Login
    always asks)."""
    user: User | None = g.get("token_user")
    return user


def by_token() -> bool:
    """Whether the current request was authenticated by an API token."""
    return g.get("token_user") is not None


def configure_bearer(app: Flask, manager: LoginManager) -> None:
    app.session_interface = SessionInterface()
    # Our hook checks CSRF itself, after deciding whether the request is a
    # token request; Flask-WTF's own hook would run first and refuse it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(authenticate_request)
    manager.request_loader(token_user)
