"""The native import: .txt, .jsonl and .csv files in this project's own shape.

Pure: the input is a file name and its bytes; nothing touches disk or the
database. Every problem found in a file is collected (up to ``MAX_PROBLEMS``)
and raised together as ``ImportFileError``, each naming the file, the line and
the field."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Collection, Iterator
from pathlib import PurePosixPath

from annotator.core.importing.common import (
    ACCEPTED_TYPES,
    MAX_ID_LENGTH,
    Context,
    ImportedDocument,
    Problems,
    collect,
    decode,
    derived_id,
    file_error,
    id_errors,
    printable,
    string_errors,
    text_errors,
    title_errors,
)
from annotator.core.importing.native_jsonl import jsonl_documents
from annotator.core.spans import (
    BAD_CHARACTER,
    bad_character_message,
)

_Parser = Callable[[str, Context], Iterator[tuple[int, ImportedDocument]]]


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
    filename = printable(filename)  # it is quoted in messages and ids
    path = PurePosixPath(filename.replace("\\", "/"))
    parser = _parser_for(path.suffix.lower())
    if parser is None:
        raise file_error(filename, None, _unsupported_message(path.suffix))
    text = decode(filename, data, max_bytes)
    problems = Problems(filename)
    utf8 = data.removeprefix(codecs.BOM_UTF8)
    context = Context(filename, path.stem, labels, split_paragraphs, problems, utf8)
    documents = collect(parser(text, context), problems)
    problems.raise_if_any()
    return documents


def _unsupported_message(suffix: str) -> str:
    kind = f"{suffix!r} files are" if suffix else "files without an extension are"
    return f"{kind} not supported (accepted: {', '.join(ACCEPTED_TYPES)})"


def _parser_for(suffix: str) -> _Parser | None:
    parsers: dict[str, _Parser] = {
        ".txt": txt_documents,
        ".jsonl": jsonl_documents,
        ".csv": csv_documents,
    }
    return parsers.get(suffix)


# --- plain text -------------------------------------------------------------


def txt_documents(
    text: str, context: Context
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
    text: str, context: Context
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


def _txt_ok(document: ImportedDocument, first_line: int, context: Context) -> bool:
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


# --- CSV --------------------------------------------------------------------


def csv_documents(
    text: str, context: Context
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


def _csv_records(text: str, problems: Problems) -> Iterator[tuple[int, list[str]]]:
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


def _header_ok(header: list[str], line: int, problems: Problems) -> bool:
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
    header: list[str], row: list[str], line: int, context: Context
) -> ImportedDocument | None:
    if len(row) != len(header):
        message = f"has {len(row)} fields but the header has {len(header)}"
        context.problems.add(line, None, message)
        return None
    cells = dict(zip(header, row, strict=True))
    raw_id, title = cells.pop("id", ""), cells.pop("title", "")
    text = cells.pop("text")
    errors = (
        text_errors(text)
        + title_errors(title)
        + string_errors({"id": raw_id, "title": title, "text": text, **cells})
    )
    if raw_id.strip():
        errors += id_errors(raw_id, "id")
    context.problems.add_errors(line, errors)
    if errors:
        return None
    external_id = raw_id if raw_id.strip() else derived_id(text)
    source = f"{context.file} line {line}"
    return ImportedDocument(external_id, title, text, cells, (), source)
