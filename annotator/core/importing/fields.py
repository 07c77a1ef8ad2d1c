"""Small checks the other tools' parsers share: each returns the value or
None after adding a problem that names the field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from annotator.core.importing.common import (
    MAX_ID_LENGTH,
    Problems,
    derived_id,
    id_errors,
    string_errors,
    text_errors,
)


class Where:
    """One record's place in a file: its line (or None) and a prefix such as
    ``task 3`` that every field path of the record starts with."""

    def __init__(self, problems: Problems, line: int | None, prefix: str = "") -> None:
        self.problems = problems
        self.line = line
        self.prefix = prefix

    def add(self, field: str, message: str) -> None:
        path = f"{self.prefix}: {field}" if self.prefix and field else field
        self.problems.add(self.line, path or self.prefix or None, message)


def objects(
    value: object, field: str, where: Where, *, required: bool = False
) -> Iterator[tuple[str, dict[str, object]]]:
    """Each object of the JSON list ``value`` with its field path
    (``field[3]``); a problem for a value that is not a list (None is an empty
    list unless ``required``) and for each item that is not an object."""
    if value is None and not required:
        return
    if not isinstance(value, list):
        where.add(field, "must be a list")
        return
    for index, item in enumerate(value):
        here = f"{field}[{index}]"
        if isinstance(item, dict):
            yield here, item
        else:
            where.add(here, "must be an object")


def integer(value: object, field: str, where: Where) -> int | None:
    """A JSON integer (not a boolean), or None after a problem."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    where.add(field, "must be an integer" if value is not None else "is required")
    return None


def string(value: object, field: str, where: Where) -> str | None:
    if isinstance(value, str):
        return value
    where.add(field, "must be a string" if value is not None else "is required")
    return None


def document_text(value: object, field: str, where: Where) -> str | None:
    """A document's text: a non-blank string without NUL or lone surrogates."""
    errors = text_errors(value) + string_errors(value)
    for error in errors:
        where.add(field, error.message)
    return value if isinstance(value, str) and not errors else None


def document_id(value: object, text: str, field: str, where: Where) -> str | None:
    """The id as a string, or one derived from the text when there is none."""
    if value is None:
        return derived_id(text)
    errors = id_errors(value, field)
    for error in errors:
        where.add(error.field, error.message)
    return None if errors else str(value)[:MAX_ID_LENGTH]


def span_id(value: object) -> str | None:
    """A tool's span id as a string (ids are strings or integers), or None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value)


def plain_meta(record: Mapping[str, object], skip: frozenset[str]) -> dict[str, object]:
    """The record's other keys, kept as the document's metadata."""
    return {
        key: value
        for key, value in record.items()
        if key not in skip and value is not None and not string_errors(value)
    }
