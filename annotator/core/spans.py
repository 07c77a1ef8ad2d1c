"""Spans and links, and the rules every stored span obeys.

Offsets are Unicode code points into the stored text, end exclusive, and
both fall on boundaries between characters as a reader sees them (extended
grapheme clusters, ``core.offsets.GraphemeIndex``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard, cast

from annotator.core.labels import (
    MAX_ATTRIBUTE_LENGTH,
    MAX_NOTE_LENGTH,
    attribute_names_of,
    link_allowed,
)
from annotator.core.offsets import GraphemeIndex

MAX_ATTRIBUTES = 20
MAX_ATTRIBUTE_NAME_LENGTH = 40
MAX_SPANS_PER_DOCUMENT = 20_000
#: Why a span cannot be added (or moved) where the annotator has it already.
DUPLICATE_SPAN = "you already have this span with this label"

# Characters no stored string may hold: NUL (PostgreSQL rejects it) and lone
# surrogates (they cannot be encoded as UTF-8; JSON "\ud800" escapes make them).
BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A directed link between two spans, given by their indices in a span list."""

    source: int
    target: int
    kind: str = "denies"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field; ``field`` is a dotted path such as
    ``spans[3].end``."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: Ids and versions are 32-bit INTEGER columns (PostgreSQL's): a larger number
#: in the input is an input error, not a database error.
MAX_STORED_INT = 2**31 - 1


def is_stored_int(value: object) -> TypeGuard[int]:
    """An id or version as stored: a non-negative 32-bit integer, not a bool."""
    return _is_int(value) and 0 <= cast(int, value) <= MAX_STORED_INT


def bad_character_message(text: str, position: int) -> str:
    character = text[position]
    name = "a NUL character" if character == "\x00" else "a lone surrogate"
    return f"contains {name} (U+{ord(character):04X}) at position {position}"


def storable_text_errors(text: str, where: str) -> list[FieldError]:
    """A string the databases can store: no NUL, no lone surrogate."""
    bad = BAD_CHARACTER.search(text)
    return [FieldError(where, bad_character_message(text, bad.start()))] if bad else []


def offset_errors(
    start: int, end: int, text_length: int, where: str
) -> list[FieldError]:
    """Check that 0 <= start < end <= text_length."""
    errors = []
    if start < 0:
        errors.append(FieldError(f"{where}.start", f"{start} is negative"))
    if end > text_length:
        errors.append(
            FieldError(
                f"{where}.end", f"{end} is past the end of the text ({text_length})"
            )
        )
    if start >= end:
        errors.append(
            FieldError(f"{where}.end", f"must be greater than start ({start} >= {end})")
        )
    return errors


def cluster_errors(
    start: int, end: int, graphemes: GraphemeIndex, where: str
) -> list[FieldError]:
    """Check that neither edge (code points, in range) splits a grapheme cluster."""
    errors = []
    for name, offset in (("start", start), ("end", end)):
        if 0 <= offset <= graphemes.length and not graphemes.is_boundary(offset):
            message = split_character_message(offset, graphemes.cluster_at(offset))
            errors.append(FieldError(f"{where}.{name}", message))
    return errors


def split_character_message(offset: int, cluster: tuple[int, int]) -> str:
    """Why ``offset`` cannot be a span edge: it falls inside ``cluster``."""
    first, last = cluster
    return (
        f"{offset} is inside a character: code points {first} to {last} are "
        f"one character as a reader sees it; use {first} or {last}"
    )


def attribute_errors(attributes: object, where: str) -> list[FieldError]:
    """Attributes are a small mapping of names to short strings."""
    if not isinstance(attributes, Mapping):
        return [FieldError(f"{where}.attributes", "must be an object")]
    if len(attributes) > MAX_ATTRIBUTES:
        return [FieldError(f"{where}.attributes", f"at most {MAX_ATTRIBUTES} keys")]
    errors = []
    for name, value in attributes.items():
        if not isinstance(value, str):
            errors.append(FieldError(f"{where}.attributes.{name}", "must be a string"))
        elif len(value) > MAX_ATTRIBUTE_LENGTH:
            errors.append(
                FieldError(
                    f"{where}.attributes.{name}",
                    f"longer than {MAX_ATTRIBUTE_LENGTH} characters",
                )
            )
    return errors


def span_errors(
    span: Span, text: str | GraphemeIndex, labels: Collection[str], where: str
) -> list[FieldError]:
    """Every reason ``span`` cannot be stored on ``text`` (or its index)."""
    graphemes = _graphemes(text)
    errors = offset_errors(span.start, span.end, graphemes.length, where)
    errors += cluster_errors(span.start, span.end, graphemes, where)
    if span.label not in labels:
        known = ", ".join(sorted(labels))
        errors.append(
            FieldError(
                f"{where}.label",
                f"unknown label {span.label!r} (this project has: {known})",
            )
        )
    if len(span.note) > MAX_NOTE_LENGTH:
        errors.append(
            FieldError(f"{where}.note", f"longer than {MAX_NOTE_LENGTH} characters")
        )
    errors += storable_text_errors(span.note, f"{where}.note")
    errors += _attribute_value_errors(span.attributes, where)
    return errors + _unknown_attribute_errors(span.attributes, labels, where)


def new_span_errors(
    span: Span,
    text: str | GraphemeIndex,
    labels: Collection[str],
    existing: int,
    duplicate: bool,
    where: str,
) -> list[FieldError]:
    """Every reason ``span`` cannot be added to an annotator's spans on
    ``text``, in the order the API names them: the span itself
    (:func:`span_errors`), then too many spans (``existing`` is how many the
    annotator has there already), then a duplicate (``duplicate``: they have
    the same offsets with the same label)."""
    errors = span_errors(span, text, labels, where)
    if existing >= MAX_SPANS_PER_DOCUMENT:
        message = f"at most {MAX_SPANS_PER_DOCUMENT} spans per document"
        errors.append(FieldError(where, message))
    if duplicate:
        errors.append(FieldError(where, DUPLICATE_SPAN))
    return errors


def _unknown_attribute_errors(
    attributes: Mapping[str, str], labels: Collection[str], where: str
) -> list[FieldError]:
    """Attributes outside the project's schema (``labels``, a SpanSchema, or
    the default schema) are refused, not stored."""
    allowed = attribute_names_of(labels)
    known = ", ".join(allowed) or "none"
    return [
        FieldError(
            f"{where}.attributes.{name}",
            f"unknown attribute {name!r} (this project has: {known})",
        )
        for name in attributes
        if name not in allowed and 0 < len(name) <= MAX_ATTRIBUTE_NAME_LENGTH
    ]


def _attribute_value_errors(
    attributes: Mapping[str, str], where: str
) -> list[FieldError]:
    errors = []
    for name, value in attributes.items():
        here = f"{where}.attributes.{name}"
        if not name or len(name) > MAX_ATTRIBUTE_NAME_LENGTH:
            message = f"names are 1 to {MAX_ATTRIBUTE_NAME_LENGTH} characters"
            errors.append(FieldError(f"{where}.attributes", message))
            continue
        errors += storable_text_errors(name, here)
        errors += storable_text_errors(value, here)
    return errors


def link_errors(
    links: Iterable[Link], spans: Sequence[Span], where: str = "links"
) -> list[FieldError]:
    """Links must join two different spans of the same list, of an allowed kind."""
    errors = []
    seen: set[tuple[int, int, str]] = set()
    for index, link in enumerate(links):
        here = f"{where}[{index}]"
        ends_ok = True
        for end_name in ("source", "target"):
            position = getattr(link, end_name)
            if not _is_int(position) or not 0 <= position < len(spans):
                errors.append(FieldError(f"{here}.{end_name}", "no such span"))
                ends_ok = False
        if not ends_ok:
            continue
        if link.source == link.target:
            errors.append(FieldError(f"{here}.target", "a span cannot link to itself"))
            continue
        source, target = spans[link.source], spans[link.target]
        if not link_allowed(link.kind, source.label, target.label):
            errors.append(
                FieldError(
                    f"{here}.kind",
                    f"a {link.kind!r} link cannot join {source.label} "
                    f"to {target.label}",
                )
            )
        key = (link.source, link.target, link.kind)
        if key in seen:
            errors.append(FieldError(here, "duplicate link"))
        seen.add(key)
    return errors


def validate_spans(
    text: str | GraphemeIndex,
    spans: Sequence[Span],
    labels: Collection[str],
    links: Sequence[Link] = (),
    where: str = "spans",
) -> list[FieldError]:
    """All errors for a whole annotation of one document; empty when valid."""
    if len(spans) > MAX_SPANS_PER_DOCUMENT:
        return [FieldError(where, f"more than {MAX_SPANS_PER_DOCUMENT} spans")]
    graphemes = _graphemes(text)
    errors: list[FieldError] = []
    for index, span in enumerate(spans):
        errors += span_errors(span, graphemes, labels, f"{where}[{index}]")
    return errors + link_errors(links, spans)


def _graphemes(text: str | GraphemeIndex) -> GraphemeIndex:
    return GraphemeIndex(text) if isinstance(text, str) else text


def parse_span(data: object, where: str) -> tuple[Span | None, list[FieldError]]:
    """Build a Span from decoded JSON, or say which fields have the wrong type.

    Only types are checked here; ``span_errors`` checks the values.
    """
    well_formed = _well_formed_span(data)
    if well_formed is not None:
        return well_formed, []
    if not isinstance(data, Mapping):
        return None, [FieldError(where, "must be an object")]
    errors = [
        FieldError(f"{where}.{name}", "must be an integer")
        for name in ("start", "end")
        if not _is_int(data.get(name))
    ]
    label = data.get("label")
    if not isinstance(label, str):
        errors.append(FieldError(f"{where}.label", "must be a string"))
    # Absent or null means none; any other empty value (0, false, [], "") is
    # a mistake to name, not to take as empty.
    attributes = _or_default(data.get("attributes"), {})
    errors += attribute_errors(attributes, where)
    note = _or_default(data.get("note"), "")
    if not isinstance(note, str):
        errors.append(FieldError(f"{where}.note", "must be a string"))
    if errors:
        return None, errors
    span = Span(data["start"], data["end"], str(label), dict(attributes), str(note))
    return span, []


def _well_formed_span(data: object) -> Span | None:
    """The span when every field has the right type, else None (then the full
    checks above say what is wrong). Imports parse tens of thousands of spans,
    nearly all well formed: this path builds no error messages."""
    if type(data) is not dict:
        return None
    start, end, label = data.get("start"), data.get("end"), data.get("label")
    attributes = _or_default(data.get("attributes"), {})
    note = _or_default(data.get("note"), "")
    if not (type(start) is int and type(end) is int):
        return None
    if not (type(label) is str and type(note) is str and type(attributes) is dict):
        return None
    if attributes and not _short_strings(attributes):
        return None
    return Span(start, end, label, dict(attributes), note)


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _short_strings(attributes: dict[object, object]) -> bool:
    return len(attributes) <= MAX_ATTRIBUTES and all(
        type(value) is str and len(value) <= MAX_ATTRIBUTE_LENGTH
        for value in attributes.values()
    )
