"""Annotator blocks of native JSONL documents: spans and links, fully checked."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from annotator.core.importing.common import (
    ANNOTATION_KEYS,
    LINK_KEYS,
    SPAN_KEYS,
    ImportedAnnotation,
    annotator_errors,
    id_errors,
    prefixed,
    unknown_keys,
)
from annotator.core.offsets import GraphemeIndex
from annotator.core.spans import (
    FieldError,
    Link,
    Span,
    parse_span,
    validate_spans,
)

# --- JSON lines -------------------------------------------------------------


def annotation_list(
    value: object, text: str, labels: Collection[str]
) -> tuple[tuple[ImportedAnnotation, ...], list[FieldError]]:
    if value is None:
        return (), []
    if not isinstance(value, list):
        return (), [FieldError("annotations", "must be a list")]
    annotations: list[ImportedAnnotation] = []
    errors = _duplicate_annotators(value)
    graphemes = GraphemeIndex(text)  # once per document, for every block
    for index, item in enumerate(value):
        annotation, item_errors = annotation_block(
            item, f"annotations[{index}]", graphemes, labels
        )
        errors += item_errors
        if annotation is not None:
            annotations.append(annotation)
    return tuple(annotations), errors


def _duplicate_annotators(items: list[object]) -> list[FieldError]:
    first: dict[str, int] = {}
    errors = []
    for index, item in enumerate(items):
        name = item.get("annotator") if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        earlier = first.setdefault(name, index)
        if earlier != index:
            message = f"duplicate annotator {name!r} (also annotations[{earlier}])"
            errors.append(FieldError(f"annotations[{index}].annotator", message))
    return errors


def annotation_block(
    item: object, where: str, graphemes: GraphemeIndex, labels: Collection[str]
) -> tuple[ImportedAnnotation | None, list[FieldError]]:
    """One annotator block; span ids are local to it and used only by links."""
    if not isinstance(item, dict):
        return None, [FieldError(where, "must be an object")]
    name = item.get("annotator")
    errors = unknown_keys(item, ANNOTATION_KEYS, where)
    errors += annotator_errors(name, f"{where}.annotator")
    spans, span_ids, span_errors = _spans(item.get("spans"), f"{where}.spans")
    links, link_errors = _links(item.get("links"), span_ids, f"{where}.links")
    errors += span_errors + link_errors
    if spans is not None:
        value_errors = validate_spans(graphemes, spans, labels, links or ())
        errors += [prefixed(error, where) for error in value_errors]
    if errors or spans is None:
        return None, errors
    return ImportedAnnotation(str(name), tuple(spans), tuple(links or ())), []


def _spans(
    value: object, where: str
) -> tuple[list[Span] | None, dict[str, int], list[FieldError]]:
    """Spans of one block (None if any is malformed) and their ids' indices."""
    if value is None:
        return [], {}, []
    if not isinstance(value, list):
        return None, {}, [FieldError(where, "must be a list")]
    spans: list[Span] = []
    ids: dict[str, int] = {}
    errors: list[FieldError] = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        span, span_errors = parse_span(item, here)
        errors += span_errors
        if isinstance(item, dict):
            errors += unknown_keys(item, SPAN_KEYS, here)
            errors += _span_id_errors(item.get("id"), index, ids, here)
        if span is not None:
            spans.append(span)
    return (None if errors else spans), ids, errors


def _span_id_errors(
    value: object, index: int, ids: dict[str, int], where: str
) -> list[FieldError]:
    if value is None:
        return []
    errors = id_errors(value, f"{where}.id")
    if errors:
        return errors
    earlier = ids.setdefault(str(value), index)
    if earlier == index:
        return []
    return [
        FieldError(
            f"{where}.id", f"duplicate span id {value!r} (also spans[{earlier}])"
        )
    ]


def _links(
    value: object, ids: Mapping[str, int], where: str
) -> tuple[list[Link] | None, list[FieldError]]:
    """Links with span ids resolved to indices; None if any cannot be."""
    if value is None:
        return [], []
    if not isinstance(value, list):
        return None, [FieldError(where, "must be a list")]
    links: list[Link] = []
    errors: list[FieldError] = []
    for index, item in enumerate(value):
        link, link_errors = _link(item, ids, f"{where}[{index}]")
        errors += link_errors
        if link is not None:
            links.append(link)
    return (None if errors else links), errors


def _link(
    item: object, ids: Mapping[str, int], where: str
) -> tuple[Link | None, list[FieldError]]:
    if not isinstance(item, dict):
        return None, [FieldError(where, "must be an object")]
    errors = unknown_keys(item, LINK_KEYS, where)
    source = _link_end(item.get("source"), ids, f"{where}.source", errors)
    target = _link_end(item.get("target"), ids, f"{where}.target", errors)
    kind = item.get("kind", "denies")
    if not isinstance(kind, str):
        errors.append(FieldError(f"{where}.kind", "must be a string"))
    if errors or source is None or target is None or not isinstance(kind, str):
        return None, errors
    return Link(source, target, kind), []


def _link_end(
    value: object, ids: Mapping[str, int], where: str, errors: list[FieldError]
) -> int | None:
    """Index of the span whose id is ``value``, or None after adding an error."""
    if value is None:
        message = "is required (the id of a span in this annotation)"
    elif isinstance(value, bool) or not isinstance(value, str | int):
        message = "must be a span id (a string or an integer)"
    elif str(value) not in ids:
        message = f"no span with id {value!r} in this annotation"
    else:
        return ids[str(value)]
    errors.append(FieldError(where, message))
    return None
