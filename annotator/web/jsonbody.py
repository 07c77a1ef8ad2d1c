"""The JSON body of an API write: one object of at most MAX_JSON_BYTES.

Read here, once, for every JSON write: the limit holds whether or not the
client sent a Content-Length (a chunked body is read up to the limit and no
further); a body nested deeper than MAX_DEPTH, with a key given twice, or
with NaN/Infinity is refused with 400 saying why, never parsed into a
RecursionError or a silent "last key wins".
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, request

MAX_JSON_BYTES = 64 * 1024
MAX_DEPTH = 32

TOO_LARGE = f"The JSON body is larger than the {MAX_JSON_BYTES // 1024} KB limit."


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Refused(f"the key {key!r} appears twice in one object")
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _depth_within(raw: str, limit: int) -> bool:
    """Whether brackets outside strings nest at most ``limit`` deep: checked
    before parsing, so no input reaches the parser's recursion limit."""
    depth = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def parse_object(raw: bytes) -> dict[str, Any]:
    """The JSON object in ``raw``; ``_Refused``/``ValueError`` says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _Refused("the body is not UTF-8") from error
    if not _depth_within(text, MAX_DEPTH):
        raise _Refused(f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except _Refused:
        raise
    except (ValueError, RecursionError) as error:
        raise _Refused("the body is not valid JSON") from error
    if not isinstance(data, dict):
        raise _Refused("the body must be a JSON object")
    return data


def json_body() -> dict[str, Any]:
    """The request's JSON object; 413 past the size limit, 400 otherwise."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        abort(413, description=TOO_LARGE)
    raw = request.stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        abort(413, description=TOO_LARGE)
    try:
        return parse_object(raw)
    except _Refused as error:
        abort(400, description=str(error))
