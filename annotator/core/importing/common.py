"""What every import parser shares: the documents it yields, the problems it
collects (file, line, field), decoding and the checks of ids, titles and
strings. Offsets are Unicode code points, end exclusive; texts are never
normalised (CRLF stays CRLF, only a UTF-8 byte order mark is removed)."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from annotator.core.spans import (
    BAD_CHARACTER,
    FieldError,
    Link,
    Span,
    bad_character_message,
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

JSON_BLANK = b" \t\r"


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


class Problems:
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
        field = printable(field) if field else field
        self.items.append(ImportProblem(self.file, line, field, printable(message)))

    def add_errors(self, line: int | None, errors: Iterable[FieldError]) -> None:
        for error in errors:
            self.add(line, error.field or None, error.message)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportFileError(self.items, truncated=self.full)


@dataclass(frozen=True, slots=True)
class Context:
    file: str
    stem: str
    labels: Collection[str]
    split_paragraphs: bool
    problems: Problems
    #: The file's bytes after its byte order mark, known to be UTF-8: orjson
    #: reads JSONL lines faster as bytes than as text it would encode again.
    utf8: bytes


def file_error(filename: str, line: int | None, message: str) -> ImportFileError:
    return ImportFileError([ImportProblem(filename, line, None, message)])


def decode(filename: str, data: bytes, max_bytes: int) -> str:
    """UTF-8 text of ``data`` without its byte order mark."""
    if len(data) > max_bytes:
        message = f"file is {len(data)} bytes; the limit is {max_bytes} bytes"
        raise file_error(filename, None, message)
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[skip:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = skip + error.start
        line = data.count(b"\n", 0, offset) + 1
        message = f"not valid UTF-8: byte 0x{data[offset]:02X} at byte offset {offset}"
        raise file_error(filename, line, message) from None
    if not text:
        raise file_error(filename, None, "file is empty")
    return text


def collect(
    found: Iterator[tuple[int, ImportedDocument]], problems: Problems
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


# --- checks shared by JSONL and CSV -------------------------------------------


def printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def text_errors(text: object) -> list[FieldError]:
    if text is None:
        return [FieldError("text", "is required")]
    if not isinstance(text, str):
        return [FieldError("text", "must be a string")]
    if not text.strip():
        return [FieldError("text", "must not be empty or only whitespace")]
    return []


def id_errors(value: object, where: str) -> list[FieldError]:
    """Ids are strings or integers (compared as strings), up to 200 characters."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return [FieldError(where, "must be a string or an integer")]
    value = str(value)
    if not value.strip():
        return [FieldError(where, "must not be empty")]
    if len(value) > MAX_ID_LENGTH:
        return [FieldError(where, f"longer than {MAX_ID_LENGTH} characters")]
    return []


def title_errors(title: object) -> list[FieldError]:
    if title is None:  # as if absent
        return []
    if not isinstance(title, str):
        return [FieldError("title", "must be a string")]
    if len(title) > MAX_TITLE_LENGTH:
        return [FieldError("title", f"longer than {MAX_TITLE_LENGTH} characters")]
    return []


def string_errors(value: object) -> list[FieldError]:
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


def unknown_keys(
    item: Mapping[str, object], allowed: frozenset[str], where: str
) -> list[FieldError]:
    prefix = f"{where}." if where else ""
    return [
        FieldError(f"{prefix}{key}", f"unknown field (expected: {names_list(allowed)})")
        for key in item
        if key not in allowed
    ]


def names_list(keys: Iterable[str]) -> str:
    return ", ".join(sorted(keys))


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def json_records(
    data: bytes, problems: Problems
) -> Iterator[tuple[int, dict[str, object]]]:
    """Each JSON object line of UTF-8 ``data`` with its 1-based line number;
    blank lines skipped, a problem for each line that is not an object, and
    nothing more once ``problems`` is full."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if problems.full:
            return
        if not line.strip(JSON_BLANK):
            continue
        record = load_json_line(line.decode("utf-8"), number, problems)
        if record is not None:
            yield number, record


def load_json_line(
    line: str, number: int, problems: Problems
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
        problems.add(number, None, f"must be a JSON object, not {json_type(record)}")
        return None
    return record


def json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def prefixed(error: FieldError, where: str) -> FieldError:
    return FieldError(f"{where}.{error.field}", error.message)


def annotator_errors(name: object, where: str) -> list[FieldError]:
    if not isinstance(name, str):
        return [FieldError(where, "must be a string")]
    if not name or len(name) > MAX_ANNOTATOR_LENGTH:
        message = f"must be 1 to {MAX_ANNOTATOR_LENGTH} characters"
        return [FieldError(where, message)]
    if not ANNOTATOR_PATTERN.fullmatch(name):
        message = f"{name!r}: use only letters, digits and _ . @ -"
        return [FieldError(where, message)]
    return []
