"""Parse uploaded files into documents (and optional annotations) to import.

Pure: the input is a file name and its bytes; nothing touches disk or the
database. Offsets in imported spans are Unicode code points, end exclusive,
exactly as stored. Texts are never normalised: CRLF stays CRLF, and only the
UTF-8 byte order mark is removed.

Every problem found in a file is collected (up to ``MAX_PROBLEMS``) and raised
together as ``ImportFileError``, each naming the file, the line and the field.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import orjson

from annotator.core.labels import MAX_ATTRIBUTE_LENGTH, MAX_NOTE_LENGTH
from annotator.core.offsets import GraphemeIndex
from annotator.core.spans import (
    BAD_CHARACTER,
    MAX_ATTRIBUTE_NAME_LENGTH,
    MAX_ATTRIBUTES,
    MAX_SPANS_PER_DOCUMENT,
    FieldError,
    Link,
    Span,
    bad_character_message,
    parse_span,
    validate_spans,
)

MAX_PROBLEMS = 50
MAX_ID_LENGTH = 200
MAX_TITLE_LENGTH = 500
MAX_ANNOTATOR_LENGTH = 64
ANNOTATOR_PATTERN = re.compile(r"[A-Za-z0-9_.@-]+")
ACCEPTED_TYPES = (".txt", ".jsonl", ".csv")

DOCUMENT_KEYS = frozenset({"id", "title", "text", "meta", "annotations"})
ANNOTATION_KEYS = frozenset({"annotator", "spans", "links"})
SPAN_KEYS = frozenset({"id", "start", "end", "label", "attributes", "note"})
LINK_KEYS = frozenset({"source", "target", "kind"})

_JSON_BLANK = b" \t\r"


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem in an uploaded file; ``line`` is 1-based, ``field`` a path."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.field:
            where += f', field "{self.field}"'
        return f"{where}: {self.message}"


class ImportFileError(ValueError):
    """A file cannot be imported; ``problems`` lists every reason found, or the
    first ``MAX_PROBLEMS`` when ``truncated``."""

    def __init__(
        self, problems: Iterable[ImportProblem], *, truncated: bool = False
    ) -> None:
        self.problems = tuple(problems)
        self.truncated = truncated
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [str(problem) for problem in self.problems]
        if self.truncated:
            lines.append(f"(stopped after {len(self.problems)} problems)")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ImportedAnnotation:
    """One annotator's spans on a document; links index into ``spans``."""

    annotator: str
    spans: tuple[Span, ...]
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedDocument:
    """A document read from a file; ``source`` says where (``a.jsonl line 3``)."""

    external_id: str
    title: str
    text: str
    meta: Mapping[str, object] = field(default_factory=dict)
    annotations: tuple[ImportedAnnotation, ...] = ()
    source: str = ""


def text_sha256(text: str) -> str:
    """Hex SHA-256 of the UTF-8 encoding of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derived_id(text: str) -> str:
    """The id of a document that has none: stable across re-imports."""
    return "sha256:" + text_sha256(text)[:16]


class _Problems:
    """Collects problems for one file; parsing stops at ``MAX_PROBLEMS``."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[ImportProblem] = []

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

    def add(self, line: int | None, field: str | None, message: str) -> None:
        if self.full:
            return
        # Paths and messages may quote user strings; keep them encodable.
        field = _printable(field) if field else field
        self.items.append(ImportProblem(self.file, line, field, _printable(message)))

    def add_errors(self, line: int | None, errors: Iterable[FieldError]) -> None:
        for error in errors:
            self.add(line, error.field or None, error.message)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportFileError(self.items, truncated=self.full)


@dataclass(frozen=True, slots=True)
class _Context:
    file: str
    stem: str
    labels: Collection[str]
    split_paragraphs: bool
    problems: _Problems
    #: The file's bytes after its byte order mark, known to be UTF-8: orjson
    #: reads JSONL lines faster as bytes than as text it would encode again.
    utf8: bytes


_Parser = Callable[[str, _Context], Iterator[tuple[int, ImportedDocument]]]


def parse_import_file(
    filename: str,
    data: bytes,
    *,
    split_paragraphs: bool = False,
    labels: Collection[str],
    max_bytes: int,
) -> list[ImportedDocument]:
    """Documents in one uploaded file (.txt, .jsonl or .csv, UTF-8).

    ``split_paragraphs`` makes each non-blank line of a .txt file a document.
    Span offsets are code points, end exclusive. Raises ImportFileError.
    """
    filename = _printable(filename)  # it is quoted in messages and ids
    path = PurePosixPath(filename.replace("\\", "/"))
    parser = _parser_for(path.suffix.lower())
    if parser is None:
        raise _file_error(filename, None, _unsupported_message(path.suffix))
    text = _decode(filename, data, max_bytes)
    problems = _Problems(filename)
    utf8 = data.removeprefix(codecs.BOM_UTF8)
    context = _Context(filename, path.stem, labels, split_paragraphs, problems, utf8)
    documents = _collect(parser(text, context), problems)
    problems.raise_if_any()
    return documents


def _unsupported_message(suffix: str) -> str:
    kind = f"{suffix!r} files are" if suffix else "files without an extension are"
    return f"{kind} not supported (accepted: {', '.join(ACCEPTED_TYPES)})"


def _parser_for(suffix: str) -> _Parser | None:
    parsers: dict[str, _Parser] = {
        ".txt": _txt_documents,
        ".jsonl": _jsonl_documents,
        ".csv": _csv_documents,
    }
    return parsers.get(suffix)


def _file_error(filename: str, line: int | None, message: str) -> ImportFileError:
    return ImportFileError([ImportProblem(filename, line, None, message)])


def _decode(filename: str, data: bytes, max_bytes: int) -> str:
    """UTF-8 text of ``data`` without its byte order mark."""
    if len(data) > max_bytes:
        message = f"file is {len(data)} bytes; the limit is {max_bytes} bytes"
        raise _file_error(filename, None, message)
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = skip + error.start
        line = data.count(b"\n", 0, offset) + 1
        message = f"not valid UTF-8: byte 0x{data[offset]:02X} at byte offset {offset}"
        raise _file_error(filename, line, message) from None
    if not text:
        raise _file_error(filename, None, "file is empty")
    return text


def _collect(
    found: Iterator[tuple[int, ImportedDocument]], problems: _Problems
) -> list[ImportedDocument]:
    """Documents from a parser, refusing an id seen on an earlier line."""
    documents: list[ImportedDocument] = []
    lines: dict[str, int] = {}
    for line, document in found:
        earlier = lines.setdefault(document.external_id, line)
        if earlier != line:
            problems.add(line, "id", _duplicate_message(document, earlier))
        documents.append(document)
        if problems.full:
            break
    if not documents and not problems.items:
        problems.add(None, None, "no documents found")
    return documents


def _duplicate_message(document: ImportedDocument, earlier: int) -> str:
    message = f"duplicate id {document.external_id!r} (also on line {earlier})"
    if document.external_id == derived_id(document.text):
        message += "; the id is derived from the text, so the texts are the same"
    return message


# --- plain text -------------------------------------------------------------


def _txt_documents(
    text: str, context: _Context
) -> Iterator[tuple[int, ImportedDocument]]:
    if context.split_paragraphs:
        yield from _txt_paragraphs(text, context)
        return
    if not text.strip():
        return
    document = ImportedDocument(context.stem, context.stem, text, source=context.file)
    if _txt_ok(document, 1, context):
        yield 1, document


def _txt_paragraphs(
    text: str, context: _Context
) -> Iterator[tuple[int, ImportedDocument]]:
    """One document per non-blank line; only the line terminator is removed."""
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        external_id = f"{context.stem}-{number}"
        source = f"{context.file} line {number}"
        document = ImportedDocument(external_id, external_id, line, source=source)
        if _txt_ok(document, number, context):
            yield number, document
        if context.problems.full:
            return


def _txt_ok(document: ImportedDocument, first_line: int, context: _Context) -> bool:
    problems = context.problems
    if len(document.external_id) > MAX_ID_LENGTH:
        message = f"the file name makes an id longer than {MAX_ID_LENGTH} characters"
        problems.add(None, None, message)
        return False
    bad = BAD_CHARACTER.search(document.text)
    if bad is None:
        return True
    line = first_line + document.text.count("\n", 0, bad.start())
    problems.add(line, None, bad_character_message(document.text, bad.start()))
    return False


# --- checks shared by JSONL and CSV -------------------------------------------


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _text_errors(text: object) -> list[FieldError]:
    if text is None:
        return [FieldError("text", "is required")]
    if not isinstance(text, str):
        return [FieldError("text", "must be a string")]
    if not text.strip():
        return [FieldError("text", "must not be empty or only whitespace")]
    return []


def _id_errors(value: object, where: str) -> list[FieldError]:
    """Ids are strings or integers (compared as strings), up to 200 characters."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return [FieldError(where, "must be a string or an integer")]
    value = str(value)
    if not value.strip():
        return [FieldError(where, "must not be empty")]
    if len(value) > MAX_ID_LENGTH:
        return [FieldError(where, f"longer than {MAX_ID_LENGTH} characters")]
    return []


def _title_errors(title: object) -> list[FieldError]:
    if title is None:  # as if absent
        return []
    if not isinstance(title, str):
        return [FieldError("title", "must be a string")]
    if len(title) > MAX_TITLE_LENGTH:
        return [FieldError("title", f"longer than {MAX_TITLE_LENGTH} characters")]
    return []


def _string_errors(value: object) -> list[FieldError]:
    """NUL and lone surrogates anywhere in decoded JSON, keys included."""
    errors = []
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            bad = BAD_CHARACTER.search(item)
            if bad:
                errors.append(
                    FieldError(path, bad_character_message(item, bad.start()))
                )
        elif isinstance(item, dict):
            stack += _dict_children(path, item, errors)[::-1]
        elif isinstance(item, list):
            stack += [(f"{path}[{i}]", child) for i, child in enumerate(item)][::-1]
    return errors


def _dict_children(
    path: str, item: dict[str, object], errors: list[FieldError]
) -> list[tuple[str, object]]:
    children = []
    for key, child in item.items():
        here = f"{path}.{key}" if path else key
        bad = BAD_CHARACTER.search(key)
        if bad:
            errors.append(
                FieldError(here, "name " + bad_character_message(key, bad.start()))
            )
        children.append((here, child))
    return children


def _unknown_keys(
    item: Mapping[str, object], allowed: frozenset[str], where: str
) -> list[FieldError]:
    prefix = f"{where}." if where else ""
    return [
        FieldError(f"{prefix}{key}", f"unknown field (expected: {_names(allowed)})")
        for key in item
        if key not in allowed
    ]


def _names(keys: Iterable[str]) -> str:
    return ", ".join(sorted(keys))


# --- JSON lines -------------------------------------------------------------


def _jsonl_documents(
    text: str, context: _Context
) -> Iterator[tuple[int, ImportedDocument]]:
    """One document per non-blank line; ``text`` is ``context.utf8`` decoded."""
    for number, line in enumerate(context.utf8.split(b"\n"), 1):
        if context.problems.full:
            return
        if not line.strip(_JSON_BLANK):
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
    line: str, number: int, source: str, context: _Context
) -> ImportedDocument | None:
    """The document on one line, or None after adding every problem in it."""
    record = _load_json_line(line, number, context.problems)
    if record is None:
        return None
    # Strict UTF-8 and strict JSON let NUL and lone surrogates in only
    # as \u escapes: lines without one need no walk through every string.
    errors, document = _jsonl_document(record, source, context, "\\u" in line)
    context.problems.add_errors(number, errors)
    return document


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _load_json_line(
    line: str, number: int, problems: _Problems
) -> dict[str, object] | None:
    try:
        record = json.loads(line, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        problems.add(number, None, f"invalid JSON: {error.msg} (column {error.colno})")
        return None
    except ValueError as error:
        problems.add(number, None, f"invalid JSON: {error}")
        return None
    except RecursionError:
        problems.add(number, None, "invalid JSON: nested too deeply")
        return None
    if not isinstance(record, dict):
        problems.add(number, None, f"must be a JSON object, not {_json_type(record)}")
        return None
    return record


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def _jsonl_document(
    record: dict[str, object], source: str, context: _Context, has_escapes: bool
) -> tuple[list[FieldError], ImportedDocument | None]:
    """A document from one JSON object, or the errors in its fields."""
    text, raw_id = record.get("text"), record.get("id")
    title, meta = record.get("title") or "", record.get("meta") or {}
    errors = _unknown_keys(record, DOCUMENT_KEYS, "") + _text_errors(text)
    if raw_id is not None:
        errors += _id_errors(raw_id, "id")
    errors += _title_errors(record.get("title", ""))
    if not isinstance(record.get("meta", {}), dict | None):
        errors.append(FieldError("meta", "must be an object"))
    if has_escapes:
        errors += _string_errors(record)
    if not isinstance(text, str) or not text.strip():
        return errors, None
    annotations, annotation_errors = _annotations(
        record.get("annotations"), text, context.labels
    )
    errors += annotation_errors
    if errors or not isinstance(title, str) or not isinstance(meta, dict):
        return errors, None
    external_id = derived_id(text) if raw_id is None else str(raw_id)
    document = ImportedDocument(external_id, title, text, meta, annotations, source)
    return [], document


def _annotations(
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
        annotation, item_errors = _annotation(
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


def _annotation(
    item: object, where: str, graphemes: GraphemeIndex, labels: Collection[str]
) -> tuple[ImportedAnnotation | None, list[FieldError]]:
    """One annotator block; span ids are local to it and used only by links."""
    if not isinstance(item, dict):
        return None, [FieldError(where, "must be an object")]
    name = item.get("annotator")
    errors = _unknown_keys(item, ANNOTATION_KEYS, where)
    errors += _annotator_errors(name, f"{where}.annotator")
    spans, span_ids, span_errors = _spans(item.get("spans"), f"{where}.spans")
    links, link_errors = _links(item.get("links"), span_ids, f"{where}.links")
    errors += span_errors + link_errors
    if spans is not None:
        value_errors = validate_spans(graphemes, spans, labels, links or ())
        errors += [_prefixed(error, where) for error in value_errors]
    if errors or spans is None:
        return None, errors
    return ImportedAnnotation(str(name), tuple(spans), tuple(links or ())), []


def _prefixed(error: FieldError, where: str) -> FieldError:
    return FieldError(f"{where}.{error.field}", error.message)


def _annotator_errors(name: object, where: str) -> list[FieldError]:
    if not isinstance(name, str):
        return [FieldError(where, "must be a string")]
    if not name or len(name) > MAX_ANNOTATOR_LENGTH:
        message = f"must be 1 to {MAX_ANNOTATOR_LENGTH} characters"
        return [FieldError(where, message)]
    if not ANNOTATOR_PATTERN.fullmatch(name):
        message = f"{name!r}: use only letters, digits and _ . @ -"
        return [FieldError(where, message)]
    return []


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
            errors += _unknown_keys(item, SPAN_KEYS, here)
            errors += _span_id_errors(item.get("id"), index, ids, here)
        if span is not None:
            spans.append(span)
    return (None if errors else spans), ids, errors


def _span_id_errors(
    value: object, index: int, ids: dict[str, int], where: str
) -> list[FieldError]:
    if value is None:
        return []
    errors = _id_errors(value, f"{where}.id")
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
    errors = _unknown_keys(item, LINK_KEYS, where)
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
    """A document or span id as a string (``_id_errors`` finds none), or None."""
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
            annotation, errors = _annotation(item, "", graphemes, labels)
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
        attributes, note = item.get("attributes") or {}, item.get("note") or ""
        if type(note) is not str or len(note) > MAX_NOTE_LENGTH:
            return None
        if type(attributes) is not dict or (
            attributes and not _well_formed_attributes(attributes)
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


def _well_formed_attributes(attributes: dict[str, object]) -> bool:
    """Decoded JSON: the keys are strings."""
    return len(attributes) <= MAX_ATTRIBUTES and all(
        type(value) is str
        and len(value) <= MAX_ATTRIBUTE_LENGTH
        and 0 < len(name) <= MAX_ATTRIBUTE_NAME_LENGTH
        for name, value in attributes.items()
    )


# --- CSV --------------------------------------------------------------------


def _csv_documents(
    text: str, context: _Context
) -> Iterator[tuple[int, ImportedDocument]]:
    """A header row naming a ``text`` column, then one document per record."""
    rows = _csv_records(text, context.problems)
    first = next(rows, None)
    if first is None:
        return
    header_line, header = first[0], [name.strip() for name in first[1]]
    if not _header_ok(header, header_line, context.problems):
        return
    for number, row in rows:
        document = _csv_document(header, row, number, context)
        if document is not None:
            yield number, document
        if context.problems.full:
            return


def _csv_records(text: str, problems: _Problems) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records, each with the line it starts on."""
    # Quoted fields may span lines; newline="" keeps CRLF inside them intact.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line_num = 0
    while True:
        start = line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.add(start, None, f"malformed CSV record: {error}")
            return
        line_num = reader.line_num
        if any(cell.strip() for cell in row):
            yield start, row


def _header_ok(header: list[str], line: int, problems: _Problems) -> bool:
    count = len(problems.items)
    if "text" not in header:
        problems.add(line, None, f'no "text" column (found: {", ".join(header)})')
    for position, name in enumerate(header, 1):
        if not name.strip():
            problems.add(line, None, f"column {position} has no name")
        elif header.index(name) != position - 1:
            problems.add(line, None, f"column {name!r} appears more than once")
    return len(problems.items) == count


def _csv_document(
    header: list[str], row: list[str], line: int, context: _Context
) -> ImportedDocument | None:
    if len(row) != len(header):
        message = f"has {len(row)} fields but the header has {len(header)}"
        context.problems.add(line, None, message)
        return None
    cells = dict(zip(header, row, strict=True))
    raw_id, title = cells.pop("id", ""), cells.pop("title", "")
    text = cells.pop("text")
    errors = (
        _text_errors(text)
        + _title_errors(title)
        + _string_errors({"id": raw_id, "title": title, "text": text, **cells})
    )
    if raw_id.strip():
        errors += _id_errors(raw_id, "id")
    context.problems.add_errors(line, errors)
    if errors:
        return None
    external_id = raw_id if raw_id.strip() else derived_id(text)
    source = f"{context.file} line {line}"
    return ImportedDocument(external_id, title, text, cells, (), source)
