"""The JSON API for scripts, under ``/api/v1``: one module per resource, each
view parse → authorise → one service call → JSON. Authentication by session
(with the CSRF token in the X-CSRFToken header on writes) or by a personal
API token (``Authorization: Bearer``); docs/api.md says how, and
``/api/openapi.json`` describes every operation."""

from __future__ import annotations

from flask import Blueprint

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def blueprints() -> list[Blueprint]:
    # The modules add their routes to api_v1 when imported.
    from annotator.web.v1 import (  # noqa: F401
        documents,
        projects,
        quality,
        suggestions,
        work,
    )
    from annotator.web.v1.openapi import blueprint as openapi

    return [api_v1, openapi]
