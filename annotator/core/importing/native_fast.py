"""The native JSONL fast path for well-formed lines."""

from __future__ import annotations

from collections.abc import Collection

import orjson

from annotator.core.importing.common import (
    ANNOTATION_KEYS,
    ANNOTATOR_PATTERN,
    DOCUMENT_KEYS,
    MAX_ANNOTATOR_LENGTH,
    MAX_ID_LENGTH,
    MAX_TITLE_LENGTH,
    SPAN_KEYS,
    ImportedAnnotation,
    ImportedDocument,
    derived_id,
)
from annotator.core.importing.native_blocks import annotation_block
from annotator.core.labels import (
    MAX_ATTRIBUTE_LENGTH,
    MAX_NOTE_LENGTH,
    attribute_names_of,
)
from annotator.core.offsets import GraphemeIndex
from annotator.core.spans import (
    MAX_ATTRIBUTE_NAME_LENGTH,
    MAX_ATTRIBUTES,
    MAX_SPANS_PER_DOCUMENT,
    Span,
)

# --- JSON lines: the fast path for well-formed lines -------------------------
#
# Nearly every line of a real import is valid, and the full checks above cost
# several function calls and a list of errors per span. A line is first tried
# here with plain comparisons and no messages; anything this path is not sure
# of (None) goes through the full checks, which alone ever refuse a line or
# word a problem. So this path must accept only what the full checks accept,
# and build the same document: tests compare the two on generated lines.


def well_formed_document(
    line: bytes, source: str, labels: Collection[str]
) -> ImportedDocument | None:
    """The document on a valid JSONL line (UTF-8), or None: then the full
    checks decide.

    orjson decodes the line. It refuses lone surrogates, NaN and nesting beyond
    1,024 levels (the full checks then word the problem), and decodes numbers
    beyond 64 bits as floats where the json module keeps integers: a float
    in a checked field fails its type check, one in ``meta`` is sent to the
    full checks. NUL can only arrive as a \\u0000 escape.
    """
    if b"\\u0000" in line:
        return None
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(record) is not dict or not record.keys() <= DOCUMENT_KEYS:
        return None
    text = record.get("text")
    if type(text) is not str or not text.strip():
        return None
    raw_id = record.get("id")
    external_id = derived_id(text) if raw_id is None else _well_formed_id(raw_id)
    title = record.get("title")
    if title is None:
        title = ""
    elif type(title) is not str or len(title) > MAX_TITLE_LENGTH:
        return None
    meta = record.get("meta")
    if meta is None:
        meta = {}
    elif type(meta) is not dict or _holds_float(meta):
        return None
    annotations = _well_formed_annotations(record.get("annotations"), text, labels)
    if external_id is None or annotations is None:
        return None
    return ImportedDocument(external_id, title, text, meta, annotations, source)


def _well_formed_id(value: object) -> str | None:
    """A document or span id as a string (``id_errors`` finds none), or None."""
    if type(value) is int:
        return str(value)
    if type(value) is not str or not value.strip() or len(value) > MAX_ID_LENGTH:
        return None
    return value


def _holds_float(value: object) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _well_formed_annotations(
    value: object, text: str, labels: Collection[str]
) -> tuple[ImportedAnnotation, ...] | None:
    if value is None:
        return ()
    if type(value) is not list:
        return None
    if not value:
        return ()
    annotations: list[ImportedAnnotation] = []
    names: set[str] = set()
    graphemes = GraphemeIndex(text)  # once per document, for every block
    for item in value:
        annotation = _well_formed_annotation(item, graphemes, labels)
        if annotation is None or annotation.annotator in names:
            return None
        names.add(annotation.annotator)
        annotations.append(annotation)
    return tuple(annotations)


def _well_formed_annotation(
    item: object, graphemes: GraphemeIndex, labels: Collection[str]
) -> ImportedAnnotation | None:
    if type(item) is not dict or not item.keys() <= ANNOTATION_KEYS:
        return None
    name = item.get("annotator")
    if (
        type(name) is not str
        or len(name) > MAX_ANNOTATOR_LENGTH
        or not ANNOTATOR_PATTERN.fullmatch(name)
    ):
        return None
    links = item.get("links")
    if links is not None:
        if type(links) is not list:
            return None
        if links:  # links are rare: the full checks of this block, quietly
            annotation, errors = annotation_block(item, "", graphemes, labels)
            return None if errors else annotation
    spans = _well_formed_spans(item.get("spans"), graphemes, labels)
    return None if spans is None else ImportedAnnotation(name, spans)


def _well_formed_spans(
    value: object, graphemes: GraphemeIndex, labels: Collection[str]
) -> tuple[Span, ...] | None:
    if value is None:
        return ()
    if type(value) is not list or len(value) > MAX_SPANS_PER_DOCUMENT:
        return None
    text_length, on_boundaries = graphemes.length, graphemes.on_boundaries
    spans: list[Span] = []
    ids: set[str] = set()
    for item in value:
        if type(item) is not dict or not item.keys() <= SPAN_KEYS:
            return None
        start, end, label = item.get("start"), item.get("end"), item.get("label")
        if not (
            type(start) is int
            and type(end) is int
            and 0 <= start < end <= text_length
            and type(label) is str
            and label in labels
        ):
            return None
        if not on_boundaries(start, end):
            return None
        # Only a missing or null value is "none": an empty list or a 0 is a
        # value of the wrong type, which the full checks refuse by name.
        attributes, note = item.get("attributes"), item.get("note")
        attributes = {} if attributes is None else attributes
        note = "" if note is None else note
        if type(note) is not str or len(note) > MAX_NOTE_LENGTH:
            return None
        if type(attributes) is not dict or (
            attributes and not _well_formed_attributes(attributes, labels)
        ):
            return None
        span_id = item.get("id")
        if span_id is not None:
            key = _well_formed_id(span_id)
            if key is None or key in ids:
                return None
            ids.add(key)
        spans.append(Span(start, end, label, attributes, note))
    return tuple(spans)


def _well_formed_attributes(
    attributes: dict[str, object], labels: Collection[str]
) -> bool:
    """Decoded JSON: the keys are strings, each in the project's schema."""
    allowed = attribute_names_of(labels)
    return len(attributes) <= MAX_ATTRIBUTES and all(
        type(value) is str
        and len(value) <= MAX_ATTRIBUTE_LENGTH
        and 0 < len(name) <= MAX_ATTRIBUTE_NAME_LENGTH
        and name in allowed
        for name, value in attributes.items()
    )
