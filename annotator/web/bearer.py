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

import time
from typing import Any

from flask import Flask, Request, Response, current_app, g, jsonify, request
from flask.sessions import (
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionMixin,
)
from flask_login import LoginManager
from itsdangerous import BadSignature

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


#: An unchanged session's cookie is signed again (renewing its idle
#: lifetime) once it is this old, or a hundredth of the lifetime when that
#: is shorter, not on every request: signing it took 3-4 % of a span save's
#: CPU. An idle session so ends at most this much before its lifetime after
#: the last request.
REFRESH_AFTER_SECONDS = 60.0


class TokenRequestSession(SecureCookieSession):
    """The session of a token request: empty, and never saved."""


class CookieSession(SecureCookieSession):
    """A session read from its signed cookie, with the time it was signed
    (None for a new session)."""

    signed_at: float | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except on a token request: there the
    cookie is neither read (the token alone says who is asking) nor written
    (a script gets no session cookie). A permanent session's cookie is
    renewed once it is :data:`REFRESH_AFTER_SECONDS` old, and at once when
    the session changes."""

    session_class = CookieSession

    def open_session(self, app: Flask, incoming: Request) -> SecureCookieSession | None:
        if bearer_token(incoming) is not None:
            return TokenRequestSession()
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = incoming.cookies.get(self.get_cookie_name(app))
        if not value:
            return CookieSession()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed = serializer.loads(
                value, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return CookieSession()
        opened = CookieSession(data)
        opened.signed_at = signed.timestamp()
        return opened

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed: float | None = getattr(session, "signed_at", None)
        if signed is None:
            return True
        lifetime = app.permanent_session_lifetime.total_seconds()
        return time.time() - signed >= min(REFRESH_AFTER_SECONDS, lifetime / 100)

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
