"""``GET /api/openapi.json``: the OpenAPI 3.1 document of every ``/api/``
route, built with apispec from the operations declared next to the views
(:mod:`annotator.web.v1.docs`) and the URL map. Login required, like every
other ``/api/`` route: the document describes the API, not the data, but
nothing here answers anonymous users (tests/web/test_access.py)."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.routing import Rule

from annotator.web.security import login_required
from annotator.web.v1.docs import obj, operation, operations_of
from annotator.web.v1.shapes import COMPONENTS

blueprint = Blueprint("openapi", __name__)

TITLE = "Framing annotator API"
VERSION = "1.0"
DESCRIPTION = (
    "JSON API for scripts (/api/v1) and the JSON endpoints of the annotation "
    "and review pages (/api/projects/...). Offsets are Unicode code points, "
    "end exclusive. See docs/api.md."
)
#: ``<converter(args):name>`` in a Flask rule.
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
CONVERTERS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    "default": {"type": "string"},
}
READ: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
WRITE: list[dict[str, list[str]]] = [{"bearer": []}, {"session": [], "csrf": []}]
API_PREFIX = "/api/"


def api_rules(app: Flask) -> list[Rule]:
    """The URL map's rules under ``/api/``, in path order."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(API_PREFIX)]
    return sorted(rules, key=lambda rule: rule.rule)


def openapi_path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """The rule as an OpenAPI path template, and its path parameters."""
    parameters = [
        {
            "name": match["name"],
            "in": "path",
            "required": True,
            "schema": CONVERTERS.get(
                match["converter"] or "default", {"type": "string"}
            ),
        }
        for match in ARGUMENT.finditer(rule.rule)
    ]
    return ARGUMENT.sub(r"{\g<name>}", rule.rule), parameters


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _operation(
    rule: Rule, method: str, declared: dict[str, Any], path_parameters: list[Any]
) -> dict[str, Any] | None:
    found: dict[str, Any] | None = declared.get(method.lower()) or declared.get("*")
    if found is None:
        return None
    several = len(methods(rule)) > 1
    return found | {
        "operationId": rule.endpoint + (f"_{method.lower()}" if several else ""),
        "parameters": path_parameters + found.get("parameters", []),
        "security": READ if method == "GET" else WRITE,
    }


def build_spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app``'s ``/api/`` routes."""
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.1.0",
        info={"description": DESCRIPTION},
    )
    for name, schema in COMPONENTS.items():
        spec.components.schema(name, schema)
    _security_schemes(spec, app)
    for rule in api_rules(app):
        path, parameters = openapi_path(rule)
        declared = operations_of(app.view_functions[rule.endpoint])
        operations = {
            method.lower(): found
            for method in methods(rule)
            if (found := _operation(rule, method, declared, parameters)) is not None
        }
        if operations:
            spec.path(path=path, operations=operations)
    return spec.to_dict()


def _security_schemes(spec: APISpec, app: Flask) -> None:
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`annotator create-token`); "
            "no CSRF token needed.",
        },
    )
    spec.components.security_scheme(
        "session",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config.get("SESSION_COOKIE_NAME", "session"),
            "description": "The session cookie of a login.",
        },
    )
    spec.components.security_scheme(
        "csrf",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRFToken",
            "description": "With the session cookie, every write sends the "
            "CSRF token of the session in this header.",
        },
    )


@blueprint.get("/api/openapi.json")
@login_required
@operation(
    "This document",
    response=obj(["openapi", "info", "paths"]),
    tags=["meta"],
)
def openapi() -> ResponseReturnValue:
    found = current_app.extensions.get("annotator_openapi")
    if found is None:
        found = current_app.extensions["annotator_openapi"] = build_spec(current_app)
    return jsonify(found)
