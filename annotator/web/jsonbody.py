"""The JSON body of an API write: an object of at most MAX_JSON_BYTES."""

from __future__ import annotations

from typing import Any

from flask import abort, request

MAX_JSON_BYTES = 64 * 1024


def json_body() -> dict[str, Any]:
    """The request's JSON object; 413 past the size limit, 400 otherwise."""
    if request.content_length and request.content_length > MAX_JSON_BYTES:
        abort(413)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="the body must be a JSON object")
    return data
