"""Query and form parameters of the API, checked: a bad one is a 400 that
names it (``FieldRefused``, answered by ``json_refusals``)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import request

from annotator.core.spans import FieldError
from annotator.services.errors import FieldRefused

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")


def refuse(name: str, message: str) -> FieldRefused:
    return FieldRefused(FieldError(name, message))


def integer(name: str, default: int, low: int, high: int) -> int:
    """``?name=`` as an integer from ``low`` to ``high`` (``default`` when absent)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise refuse(name, f"must be a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise refuse(name, f"must be a whole number from {low} to {high}")
    return value


def choice(name: str, choices: Sequence[str], default: str | None = None) -> str | None:
    """``name`` (query or form field) as one of ``choices``."""
    raw = request.values.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise refuse(name, f"{raw!r} is not one of: {', '.join(choices)}")
    return raw


def text(name: str, limit: int = 200) -> str | None:
    """A free-text query parameter of at most ``limit`` characters."""
    raw = request.values.get(name)
    if raw is not None and len(raw) > limit:
        raise refuse(name, f"must be at most {limit} characters")
    return raw or None


def flag(name: str) -> bool:
    """A form or query flag: 1/true/yes/on or 0/false/no/off."""
    raw = (request.values.get(name) or "").lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise refuse(name, "must be true or false")
