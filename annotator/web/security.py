"""Authorisation decorators and response headers.

Every view carries an ``access`` attribute set by one of these decorators; a test
walks the URL map and fails on any endpoint without one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services.blind import annotating_in, is_annotating
from annotator.services.projects import has_role, project_and_role
from annotator.web.bearer import by_token
from annotator.web.requests import wants_json

View = TypeVar("View", bound=Callable[..., Any])

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def content_security_policy() -> str:
    """The policy, with the inline scripts of this answer's page allowed by
    their hashes: the import map of its modules (web/assets.py), if any."""
    from annotator.web.assets import inline_script_hashes

    hashes = inline_script_hashes()
    if not hashes:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "script-src 'self'", f"script-src 'self' {' '.join(hashes)}", 1
    )


class StoredIdConverter(IntegerConverter):
    """``<int:...>`` limited to what a 32-bit INTEGER column holds: a larger id
    is a 404 like any unknown id, not a database error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _mark(view: Callable[..., Any], access: str) -> None:
    cast(Any, view).access = access


def public(view: View) -> View:
    """Open to anonymous users (the login page only)."""
    _mark(view, "public")
    return view


def _refuse_anonymous() -> Any:
    if wants_json():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def login_required(view: View) -> View:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    _mark(wrapper, "login")
    return cast(View, wrapper)


SESSION_ONLY = (
    "API tokens cannot manage API tokens: log in and use the account page "
    "(so that a leaked token cannot make itself a successor)."
)


def refuse_token() -> None:
    """403 for a request authenticated by an API token (token management)."""
    if by_token():
        abort(403, description=SESSION_ONLY)


def session_login_required(view: View) -> View:
    """Signed in with a password (a session), not by an API token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        refuse_token()
        return view(*args, **kwargs)

    _mark(wrapper, "login-session")
    return cast(View, wrapper)


def site_admin_required(view: View) -> View:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    _mark(wrapper, "site-admin")
    return cast(View, wrapper)


def require_membership(role: Role) -> Callable[[View], View]:
    """Load the project named by ``project_id`` in the URL for a member holding at
    least ``role``; non-members get 404 so that ids reveal nothing."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, project_id: int, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _refuse_anonymous()
            user = cast(User, current_user._get_current_object())
            project, held = project_and_role(current_session(), project_id, user)
            if project is None or held is None:
                abort(404)
            if not has_role(held, role):
                abort(403)
            g.project, g.role = project, held
            return view(*args, project=project, **kwargs)

        _mark(wrapper, f"project:{role}")
        return cast(View, wrapper)

    return decorator


STILL_ANNOTATING = (
    "You are annotating this document yourself: submit or skip it first. "
    "Until then you may not see anyone else's spans on it (annotation is blind)."
)


def refuse_while_annotating(document_id: int) -> None:
    """403 for a reviewer or admin who also has this document open to annotate."""
    user = cast(User, current_user._get_current_object())
    if is_annotating(current_session(), document_id, user):
        abort(403, description=STILL_ANNOTATING)


STILL_ANNOTATING_IN_PROJECT = (
    "You have documents of this project open to annotate: submit or skip them "
    "before you export (an export holds other annotators' spans; annotation is "
    "blind)."
)


def refuse_while_annotating_in(project: Project) -> None:
    """403 for a reviewer or admin with any document of ``project`` open."""
    user = cast(User, current_user._get_current_object())
    if annotating_in(current_session(), project, user):
        abort(403, description=STILL_ANNOTATING_IN_PROJECT)


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    # A 503 is the database away: nothing to cache, and asking who the user
    # is would query it again.
    if response.status_code == 503 or (
        request.endpoint != "static" and current_user.is_authenticated
    ):
        # A signed-in user's pages and data never go into a shared or disk
        # cache: after logout, Back must not show them again.
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        response.vary.add("Authorization")
    if response.status_code == 401 and response.is_json:
        # A JSON client is told how to authenticate: by API token.
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="annotator"')
    return response
