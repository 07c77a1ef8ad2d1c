"""One import's files, in any source format, read into our documents.

``read_files`` checks each file's extension and content (``sniff``) against
the chosen ``--from`` format, parses it with that format's module, joins the
documents of one text found in several files (one file per annotator), and
settles offsets, labels and annotators (``foreign.settle``). Every problem of
every file is collected and raised together as ``ImportFileError``: an
import is all or nothing.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from annotator.core.importing import brat, conll, doccano, labelstudio, prodigy
from annotator.core.importing.common import (
    MAX_PROBLEMS,
    ImportedDocument,
    ImportFileError,
    ImportProblem,
    Problems,
    decode,
    printable,
)
from annotator.core.importing.foreign import (
    Conversion,
    ImportReport,
    RawDocument,
    merge,
    settle,
)
from annotator.core.importing.native import parse_import_file
from annotator.core.importing.offsets import OFFSET_MODES, OffsetMode
from annotator.core.importing.sniff import DETECT, Detection, detect, refusal

SOURCE_FORMATS = ("native", "doccano", "labelstudio", "prodigy", "brat", "conll")
DEFAULT_OFFSETS: Mapping[str, OffsetMode] = {
    "native": "codepoints",
    "doccano": "auto",
    "labelstudio": "auto",
    "prodigy": "codepoints",
    "brat": "codepoints",
    "conll": "codepoints",
}
EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "native": (".txt", ".jsonl", ".csv"),
    "doccano": (".jsonl", ".json", ".zip"),
    "labelstudio": (".json", ".csv", ".tsv"),
    "prodigy": (".jsonl",),
    "brat": (".ann", ".txt"),
    "conll": (".conll", ".txt", ".tsv", ".bio", ".iob"),
}

_Parser = Callable[[str, bytes, Problems, ImportReport], list[RawDocument]]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the user chose; ``offsets`` None is the format's default."""

    source_format: str = "native"
    offsets: OffsetMode | None = None
    annotator_map: Mapping[str, str] = field(default_factory=dict)
    label_map: Mapping[str, str] = field(default_factory=dict)
    split_paragraphs: bool = False

    @property
    def offset_mode(self) -> OffsetMode:
        return self.offsets or DEFAULT_OFFSETS.get(self.source_format, "codepoints")

    def errors(self) -> list[str]:
        """What is wrong with the options themselves."""
        errors: list[str] = []
        if self.source_format == DETECT:
            return errors  # checked once the files have said what they are
        if self.source_format not in SOURCE_FORMATS:
            known = "|".join((DETECT, *SOURCE_FORMATS))
            errors.append(f"--from {self.source_format!r}: one of {known}")
        if self.offsets is not None and self.offsets not in OFFSET_MODES:
            errors.append(
                f"--offsets {self.offsets!r}: one of {'|'.join(OFFSET_MODES)}"
            )
        if self.source_format == "native" and self.offset_mode != "codepoints":
            errors.append("--offsets: native files hold code points already")
        if self.source_format == "native" and self.label_map:
            errors.append("--label-map: native files name this project's labels")
        if self.split_paragraphs and self.source_format != "native":
            errors.append("--split paragraphs applies to native .txt files only")
        return errors


@dataclass(frozen=True, slots=True)
class ReadResult:
    documents: list[ImportedDocument]
    report: ImportReport
    #: The options read with: ``detect`` replaced by the format found.
    options: ImportOptions = ImportOptions()
    detection: Detection | None = None


def resolved(
    files: Sequence[tuple[str, bytes]], options: ImportOptions
) -> tuple[ImportOptions, Detection | None]:
    """``options`` with ``--from detect`` replaced by what the files look
    like (``sniff.detect``); ImportFileError when they disagree."""
    if options.source_format != DETECT:
        return options, None
    found = detect(files)
    if found.source_format is None:
        problem = found.problem or "no format found"
        raise ImportFileError([ImportProblem("--from detect", None, None, problem)])
    return replace(options, source_format=found.source_format), found


def read_files(
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions,
    *,
    labels: Collection[str],
    max_bytes: int,
) -> ReadResult:
    """Every document of ``files`` (name, bytes) read as ``options`` say;
    offsets in code points, end exclusive. Raises ImportFileError."""
    options, detection = resolved(files, options)
    read = _read_files(files, options, labels, max_bytes)
    return ReadResult(read.documents, read.report, options, detection)


def _read_files(
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions,
    labels: Collection[str],
    max_bytes: int,
) -> ReadResult:
    option_errors = options.errors()
    if option_errors:
        raise ImportFileError(
            ImportProblem("options", None, None, e) for e in option_errors
        )
    report = ImportReport()
    if options.source_format == "native":
        return ReadResult(_native(files, options, labels, max_bytes), report)
    problems: list[ImportProblem] = []
    raw: list[RawDocument] = []
    for name, data in _expanded(files, options.source_format, max_bytes, problems):
        raw += _foreign_file(
            name, data, options.source_format, max_bytes, problems, report
        )
    if options.source_format == "brat":
        raw += _brat(files, max_bytes, problems, report)
    joined, join_problems = merge(raw)
    problems += join_problems
    conversion = Conversion(
        labels, options.offset_mode, options.label_map, options.annotator_map
    )
    documents, settle_problems = settle(joined, conversion, report)
    problems += settle_problems
    if problems:
        raise ImportFileError(
            problems[:MAX_PROBLEMS], truncated=len(problems) > MAX_PROBLEMS
        )
    return ReadResult(documents, report)


def _native(
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions,
    labels: Collection[str],
    max_bytes: int,
) -> list[ImportedDocument]:
    documents: list[ImportedDocument] = []
    problems: list[ImportProblem] = []
    for name, data in files:
        message = refusal(name, data, "native")
        if message is not None:
            problems.append(ImportProblem(printable(name), None, None, message))
            continue
        try:
            documents += parse_import_file(
                name,
                data,
                split_paragraphs=options.split_paragraphs,
                labels=labels,
                max_bytes=max_bytes,
            )
        except ImportFileError as error:
            problems += error.problems
    if problems:
        raise ImportFileError(problems)
    if not options.annotator_map:
        return documents
    return [_renamed(document, options.annotator_map) for document in documents]


def _renamed(document: ImportedDocument, names: Mapping[str, str]) -> ImportedDocument:
    annotations = tuple(
        replace(block, annotator=names.get(block.annotator, block.annotator))
        for block in document.annotations
    )
    return replace(document, annotations=annotations)


def _expanded(
    files: Sequence[tuple[str, bytes]],
    source_format: str,
    max_bytes: int,
    problems: list[ImportProblem],
) -> list[tuple[str, bytes]]:
    """The files to parse one by one: zip members instead of the zip (doccano),
    and no brat files (read in pairs by ``_brat``)."""
    if source_format == "brat":
        return []
    found = []
    for name, data in files:
        if source_format == "doccano" and name.lower().endswith(".zip"):
            found += _zip_members(name, data, max_bytes, problems)
        else:
            found.append((name, data))
    return found


def _zip_members(
    name: str, data: bytes, max_bytes: int, problems: list[ImportProblem]
) -> list[tuple[str, bytes]]:
    """The JSONL members of a doccano export zip, each read within the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and info.filename.lower().endswith((".jsonl", ".json"))
            and not info.filename.startswith("__MACOSX/")
        ]
        total = sum(info.file_size for info in members)
        if total > max_bytes:
            message = f"unpacks to {total} bytes; the limit is {max_bytes} bytes"
            problems.append(ImportProblem(printable(name), None, None, message))
            return []
        return [(f"{name}/{info.filename}", archive.read(info)) for info in members]
    # NotImplementedError: a compression zipfile cannot read; RuntimeError:
    # an encrypted member. Both are problems with the file, not crashes.
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as error:
        problems.append(
            ImportProblem(printable(name), None, None, f"not a zip: {error}")
        )
        return []


def _parser(source_format: str) -> _Parser:
    parsers: dict[str, _Parser] = {
        "doccano": doccano.parse,
        "labelstudio": labelstudio.parse,
        "prodigy": prodigy.parse,
        "conll": _conll,
    }
    return parsers[source_format]


def _conll(
    file: str, data: bytes, problems: Problems, report: ImportReport
) -> list[RawDocument]:
    return conll.parse(file, data.decode("utf-8"), problems, report)


def _foreign_file(
    name: str,
    data: bytes,
    source_format: str,
    max_bytes: int,
    problems: list[ImportProblem],
    report: ImportReport,
) -> list[RawDocument]:
    name = printable(name)
    suffix = PurePosixPath(name).suffix.lower()
    accepted = EXTENSIONS[source_format]
    found = Problems(name)
    if suffix not in accepted:
        kind = f"{suffix!r} files are" if suffix else "files without an extension are"
        found.add(
            None,
            None,
            f"{kind} not read as {source_format} (accepted: {', '.join(accepted)})",
        )
    elif source_format == "doccano" and not data.strip():
        report.skipped["empty doccano file"] += 1  # an annotator who did nothing
    elif (message := refusal(name, data, source_format)) is not None:
        found.add(None, None, message)
    else:
        try:
            text = decode(name, data, max_bytes)
        except ImportFileError as error:
            problems += error.problems
            return []
        del text  # decoding checks size and UTF-8; parsers read the bytes
        documents = _parser(source_format)(
            name, data.removeprefix(b"\xef\xbb\xbf"), found, report
        )
        if not documents and not found.items:
            report.warn(f"{name}: no documents found")
        problems += found.items
        return [] if found.items else documents
    problems += found.items
    return []


def _brat(
    files: Sequence[tuple[str, bytes]],
    max_bytes: int,
    problems: list[ImportProblem],
    report: ImportReport,
) -> list[RawDocument]:
    """Documents of brat's .txt/.ann pairs, matched by path without suffix."""
    texts: dict[str, bytes] = {}
    annotations: dict[str, tuple[str, bytes]] = {}
    for name, data in files:
        path = PurePosixPath(printable(name).replace("\\", "/"))
        key = str(path.with_suffix(""))
        if path.suffix.lower() == ".txt":
            texts[key] = data
        elif path.suffix.lower() == ".ann":
            annotations[key] = (str(path), data)
        else:
            message = (
                f"{path.suffix!r} files are not brat standoff (accepted: .ann, .txt)"
            )
            problems.append(ImportProblem(str(path), None, None, message))
    documents = []
    for key, (ann_name, ann_data) in sorted(annotations.items()):
        text = texts.get(key)
        if text is None:
            problems.append(
                ImportProblem(ann_name, None, None, f"no {key}.txt beside it")
            )
            continue
        found = Problems(ann_name)
        try:
            document = brat.parse_pair(
                ann_name, ann_data, text, found, report, max_bytes
            )
        except ImportFileError as error:
            problems += error.problems
            continue
        problems += found.items
        if document is not None:
            documents.append(document)
    return documents
