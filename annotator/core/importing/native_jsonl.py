"""Native JSON Lines: one document per line, with any annotations it carries
(the full checks, which word every problem; ``native_fast`` tries first)."""

from __future__ import annotations

from collections.abc import Iterator

from annotator.core.importing.common import (
    DOCUMENT_KEYS,
    JSON_BLANK,
    Context,
    ImportedDocument,
    derived_id,
    id_errors,
    load_json_line,
    string_errors,
    text_errors,
    title_errors,
    unknown_keys,
)
from annotator.core.importing.native_blocks import annotation_list
from annotator.core.importing.native_fast import well_formed_document
from annotator.core.spans import (
    FieldError,
)

# --- JSON lines -------------------------------------------------------------


def jsonl_documents(
    text: str, context: Context
) -> Iterator[tuple[int, ImportedDocument]]:
    """One document per non-blank line; ``text`` is ``context.utf8`` decoded."""
    for number, line in enumerate(context.utf8.split(b"\n"), 1):
        if context.problems.full:
            return
        if not line.strip(JSON_BLANK):
            continue
        source = f"{context.file} line {number}"
        document = well_formed_document(line, source, context.labels)
        if document is None:  # the full checks say what is wrong, if anything
            document = _checked_jsonl_document(
                line.decode("utf-8"), number, source, context
            )
        if document is not None:
            yield number, document


def _checked_jsonl_document(
    line: str, number: int, source: str, context: Context
) -> ImportedDocument | None:
    """The document on one line, or None after adding every problem in it."""
    record = load_json_line(line, number, context.problems)
    if record is None:
        return None
    # Strict UTF-8 and strict JSON let NUL and lone surrogates in only
    # as \u escapes: lines without one need no walk through every string.
    errors, document = _jsonl_document(record, source, context, "\\u" in line)
    context.problems.add_errors(number, errors)
    return document


def _jsonl_document(
    record: dict[str, object], source: str, context: Context, has_escapes: bool
) -> tuple[list[FieldError], ImportedDocument | None]:
    """A document from one JSON object, or the errors in its fields."""
    text, raw_id = record.get("text"), record.get("id")
    title, meta = record.get("title") or "", record.get("meta") or {}
    errors = unknown_keys(record, DOCUMENT_KEYS, "") + text_errors(text)
    if raw_id is not None:
        errors += id_errors(raw_id, "id")
    errors += title_errors(record.get("title", ""))
    if not isinstance(record.get("meta", {}), dict | None):
        errors.append(FieldError("meta", "must be an object"))
    if has_escapes:
        errors += string_errors(record)
    if not isinstance(text, str) or not text.strip():
        return errors, None
    annotations, annotation_errors = annotation_list(
        record.get("annotations"), text, context.labels
    )
    errors += annotation_errors
    if errors or not isinstance(title, str) or not isinstance(meta, dict):
        return errors, None
    external_id = derived_id(text) if raw_id is None else str(raw_id)
    document = ImportedDocument(external_id, title, text, meta, annotations, source)
    return [], document
