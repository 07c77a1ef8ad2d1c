"""What every export writer takes and returns, and the protocol it follows.

Offsets are Unicode code points into ``ExportDocument.text``, end exclusive.

A *record* is what one line (or one ``Doc``, or one block) of an export holds:
at the annotators layer one record per (document, annotator), named by
``ExportDocument.annotator``; at the gold and majority layers one per document
(``annotator`` is None). Records of one document arrive one after another.

How the service layer calls a writer (the only code that touches disk)::

    fmt = get_format(name)
    stats = fmt.write(documents, output, options)
    output.close()                  # fsync and move every file into place
    manifest = {"format": fmt.name, "schema_version": fmt.schema_version,
                "options": options.to_dict(), **stats.to_dict(), ...}

``documents`` may be a generator reading the database in batches: writers
consume it once, in order, and write each record before asking for the next.
Writers name their files and hand the bytes to ``output`` (see ``Output``):
``output.stream(name)`` for data files written as records arrive,
``output.file(name, data)`` for a whole extra file. Names are relative POSIX
paths (``annotator.core.exports.files``); the service refuses any other.

Splits: when ``ExportOptions.splits`` is not empty, every record carries one of
those split names and goes to that split's data file (``train.jsonl``,
``dev.jsonl``, ``test.jsonl``: the layout ``datasets.load_dataset`` and ``spacy
train`` take as it is); every split named there gets its file, even if empty.
Without splits there is one data file, ``data.<extension>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, NamedTuple, Protocol, TypeVar, get_args

import orjson

from annotator.core.exports.stats import REASONS, FormatStats, StatsCollector
from annotator.core.labels import DEFAULT_LABELS, LABEL_NAME_PATTERN
from annotator.core.spans import offset_errors

__all__ = ["REASONS", "FormatStats", "StatsCollector"]  # re-exported here

MisalignedPolicy = Literal["expand", "contract", "drop"]
BioOverlapRule = Literal["drop", "split"]
DoccanoOffsets = Literal["utf16", "code_points"]
DoccanoShape = Literal["label", "relations"]

SPLIT_NAMES = ("train", "dev", "test", None)
#: The data file's name without split: ``data.<extension>``.
DATA_STEM = "data"
T = TypeVar("T")
DEFAULT_LABEL_ORDER: tuple[str, ...] = tuple(spec.name for spec in DEFAULT_LABELS)
#: The annotation guideline's tie rule (false_flag_warning wins over denial,
#: denial over claim); hedges nest inside the others, so they come last.
DEFAULT_BIO_PRIORITY: tuple[str, ...] = (
    "false_flag_warning",
    "denial",
    "claim",
    "hedge",
)


class ExportInputError(ValueError):
    """The documents handed to a writer break an invariant (a caller's bug)."""


#: The attributes of a span that has none (shared, so that it cannot change).
NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})


class ExportSpan(NamedTuple):
    """One span to export: code points, end exclusive; ``span_id`` is unique
    within its document and is what links refer to.

    A named tuple rather than a dataclass: exports build millions of them, and
    the first four fields in order are the sort key of every format."""

    start: int
    end: int
    label: str
    span_id: str
    attributes: Mapping[str, str] = NO_ATTRIBUTES
    note: str = ""
    annotators: tuple[str, ...] = ()


class ExportLink(NamedTuple):
    """A directed link between two spans of one document, by ``span_id``."""

    source_id: str
    target_id: str
    kind: str = "denies"


@dataclass(frozen=True, slots=True)
class ExportDocument:
    """One document with the layer of spans chosen for export."""

    id: str
    text: str
    title: str = ""
    meta: Mapping[str, object] = field(default_factory=dict)
    spans: tuple[ExportSpan, ...] = ()
    links: tuple[ExportLink, ...] = ()
    split: str | None = None
    agreement: float | None = None
    #: The annotator whose record this is (annotators layer), else None.
    annotator: str | None = None


def _check_choice(name: str, value: object, allowed: object) -> None:
    choices = get_args(allowed)
    if value not in choices:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(choices)}")


def _check_names(name: str, values: tuple[str, ...], allow_empty: bool) -> None:
    if not values and not allow_empty:
        raise ValueError(f"{name}: at least one label")
    if len(set(values)) != len(values):
        raise ValueError(f"{name}: labels repeat in {values!r}")
    for value in values:
        if not isinstance(value, str) or not LABEL_NAME_PATTERN.fullmatch(value):
            raise ValueError(f"{name}: {value!r} is not a label name")


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """Choices that change the bytes of an export; they go into the manifest.

    ``labels``: the labels exported, in the order that numbers them (hf-bio
    ids); spans with any other label are dropped. ``misaligned``: what the
    token-based formats (spacy, hf-bio) do with a span whose edge falls inside a
    token. ``bio_overlap``/``bio_priority``: see ``hf_bio``. ``doccano_offsets``
    and ``doccano_shape``: see ``doccano``.
    """

    labels: tuple[str, ...] = DEFAULT_LABEL_ORDER
    misaligned: MisalignedPolicy = "expand"
    bio_overlap: BioOverlapRule = "drop"
    bio_priority: tuple[str, ...] = DEFAULT_BIO_PRIORITY
    doccano_offsets: DoccanoOffsets = "utf16"
    doccano_shape: DoccanoShape = "label"
    #: The splits of the export, in train/dev/test order; each gets its data
    #: file(s) even when empty. Empty: no split, one ``data.<extension>``.
    splits: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        order = [name for name in SPLIT_NAMES if name is not None]
        if any(name not in order for name in self.splits) or list(
            self.splits
        ) != sorted(self.splits, key=order.index):
            raise ValueError(f"splits: {self.splits!r} is not in order among {order}")
        _check_names("labels", self.labels, allow_empty=False)
        _check_names("bio_priority", self.bio_priority, allow_empty=True)
        _check_choice("misaligned", self.misaligned, MisalignedPolicy)
        _check_choice("bio_overlap", self.bio_overlap, BioOverlapRule)
        _check_choice("doccano_offsets", self.doccano_offsets, DoccanoOffsets)
        _check_choice("doccano_shape", self.doccano_shape, DoccanoShape)

    def to_dict(self) -> dict[str, object]:
        """The options as plain JSON values, for the manifest."""
        return {
            "labels": list(self.labels),
            "misaligned": self.misaligned,
            "bio_overlap": self.bio_overlap,
            "bio_priority": list(self.bio_priority),
            "doccano_offsets": self.doccano_offsets,
            "doccano_shape": self.doccano_shape,
            "splits": list(self.splits),
        }


DEFAULT_OPTIONS = ExportOptions()


class ByteSink(Protocol):
    """A data file being written: opened in binary, bytes are final."""

    def write(self, data: bytes, /) -> object: ...


class Output(Protocol):
    """Where a writer puts its files, by relative POSIX path."""

    def stream(self, name: str, /) -> ByteSink:
        """The data file ``name``, created on the first call; later calls
        with the same name return the same file."""
        ...

    def file(self, name: str, data: bytes, /) -> None:
        """A whole extra file, written once."""
        ...


class ExportFormat(Protocol):
    """A pure, streaming writer of one export format."""

    name: str
    extension: str
    media_type: str
    description: str
    schema_version: int
    #: The records' Hugging Face ``datasets`` features (``features``), for the
    #: dataset card; None when the format is not JSON Lines of fixed shape.
    hf_features: list[dict[str, object]] | None

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """Write every record to ``output`` (UTF-8, ``\\n`` line ends) as it
        arrives; return the counts for the manifest."""
        ...


# ---------------------------------------------------------------- helpers

#: JSON leaves these raw inside strings, but str.splitlines() and some JSONL
#: readers split on them: escape them so one line stays one line. (Their
#: UTF-8 bytes begin with a lead byte, so they never occur inside another
#: character's encoding.)
_LINE_BREAK_ESCAPES = tuple(
    (chr(code_point).encode("utf-8"), f"\\u{code_point:04x}".encode("ascii"))
    for code_point in (0x85, 0x2028, 0x2029)
)
#: The last byte of each: a line holding none of them (a memchr each) needs no
#: replacing, which spares three substring scans of every line; those are slow
#: on news text, whose curly quotes and dashes begin with the same two bytes.
_LINE_BREAK_LAST_BYTES = tuple(raw[-1:] for raw, _ in _LINE_BREAK_ESCAPES)
_APPEND_NEWLINE = orjson.OPT_APPEND_NEWLINE
#: The integers orjson writes itself (signed and unsigned 64 bits).
_ORJSON_INTEGERS = range(-(2**63), 2**64)


def json_line(value: object) -> bytes:
    """One compact JSON value, UTF-8, ending in ``\\n``; keys keep the order the
    writer built them in (use ``canonical`` for data from elsewhere).

    orjson writes it (several times faster than the json module, and exports
    write millions of records), every line of every export alike: floats in
    its shortest form (``1e-6``), and integers beyond 64 bits, which it
    refuses, as verbatim fragments. orjson would write NaN and infinities as
    null: ``canonical`` and ``finite_or_none`` keep them out of every record."""
    try:
        data = orjson.dumps(value, option=_APPEND_NEWLINE)
    except TypeError:
        data = orjson.dumps(_big_ints_as_fragments(value), option=_APPEND_NEWLINE)
    if any(last in data for last in _LINE_BREAK_LAST_BYTES):
        for raw, escape in _LINE_BREAK_ESCAPES:
            data = data.replace(raw, escape)
    return data


def _big_ints_as_fragments(value: object) -> object:
    """``value`` with every integer orjson cannot write as a JSON fragment."""
    if isinstance(value, Mapping):
        return {key: _big_ints_as_fragments(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_big_ints_as_fragments(item) for item in value]
    if type(value) is int and value not in _ORJSON_INTEGERS:
        return orjson.Fragment(str(value).encode("ascii"))
    return value


def canonical(value: object, where: str = "meta") -> object:
    """A JSON-ready copy of ``value`` with every mapping's keys sorted."""
    if isinstance(value, Mapping):
        if not value:
            return {}
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise ExportInputError(f"{where}: key {key!r} is not a string")
            items.append((key, canonical(item, f"{where}.{key}")))
        return dict(sorted(items))
    if isinstance(value, list | tuple):
        return [canonical(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        raise ExportInputError(f"{where}: {value} is not a JSON number")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ExportInputError(f"{where}: {type(value).__name__} is not a JSON value")


def finite_or_none(value: float | None) -> float | None:
    """Agreement is null when undefined (NaN or infinite upstream)."""
    return value if value is not None and math.isfinite(value) else None


def checked_spans(document: ExportDocument) -> list[ExportSpan]:
    """The document's spans sorted by (start, end, label, id), after checking
    offsets and id uniqueness; raises ExportInputError naming the span."""
    spans = document.spans
    length = len(document.text)
    seen = {span.span_id for span in spans}
    # Exports check millions of spans that have no error: one quick pass, and
    # the message is looked for only when it finds one.
    if len(seen) != len(spans) or not all(
        0 <= span.start < span.end <= length for span in spans
    ):
        _raise_span_error(document)
    for index, link in enumerate(document.links):
        for end_id in (link.source_id, link.target_id):
            if end_id not in seen:
                raise ExportInputError(
                    f"document {document.id!r}: links[{index}] refers to "
                    f"unknown span id {end_id!r}"
                )
    # Tuple order is (start, end, label, span_id, ...) and ids are unique.
    return sorted(spans)


def _raise_span_error(document: ExportDocument) -> None:
    """Raise for the first span with bad offsets or a repeated id."""
    seen: set[str] = set()
    for index, span in enumerate(document.spans):
        where = f"document {document.id!r}: spans[{index}]"
        errors = offset_errors(span.start, span.end, len(document.text), where)
        if errors:
            raise ExportInputError("; ".join(map(str, errors)))
        if span.span_id in seen:
            raise ExportInputError(f"{where}: duplicate span id {span.span_id!r}")
        seen.add(span.span_id)
    raise AssertionError("no span error found")


def exported_spans(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> list[ExportSpan]:
    """Checked, sorted spans whose label is exported; counts the others."""
    spans = checked_spans(document)
    labels = options.labels
    kept = [span for span in spans if span.label in labels]
    if len(kept) < len(spans):
        stats.dropped["label_not_exported"] += len(spans) - len(kept)
    return kept


def unique_spans(
    keyed: Iterable[tuple[tuple[int, int, str], T]], stats: StatsCollector
) -> list[T]:
    """The items in order, keeping the first of each (start, end, label) key
    and counting the others as ``duplicate_span``; counts each kept label."""
    seen: set[tuple[int, int, str]] = set()
    kept: list[T] = []
    for key, item in keyed:
        if key in seen:
            stats.dropped["duplicate_span"] += 1
            continue
        seen.add(key)
        stats.keep(key[2])
        kept.append(item)
    return kept


def drop_links(document: ExportDocument, stats: StatsCollector) -> None:
    """For formats without links: count each one as dropped."""
    if document.links:
        stats.links_dropped["link_not_supported"] += len(document.links)


def begin_record(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> None:
    """Check the record's split against the export's and count the record."""
    split = document.split
    if split not in options.splits if options.splits else split is not None:
        wanted = ", ".join(options.splits) or "None (the export has no split)"
        raise ExportInputError(
            f"document {document.id!r}: split {split!r} is not one of {wanted}"
        )
    stats.begin(split, document.id)


def data_file_name(split: str | None, extension: str) -> str:
    """``train.jsonl``, ``dev.jsonl``, ... or ``data.jsonl`` without split."""
    return f"{split or DATA_STEM}.{extension}"


Encoder = Callable[[ExportDocument, ExportOptions, StatsCollector], bytes]
"""Encodes one record as its line (or lines) of a data file."""


def write_records(
    documents: Iterable[ExportDocument],
    output: Output,
    options: ExportOptions,
    extension: str,
    encode: Encoder,
    stats: StatsCollector | None = None,
) -> FormatStats:
    """The loop of the one-record-per-line formats: every split's file is
    created (even if it stays empty), then each record is encoded and written
    to its split's file as it arrives."""
    if stats is None:
        stats = StatsCollector(options.splits)
    for split in options.splits or (None,):
        name = data_file_name(split, extension)
        stats.data_file(split, name)
        output.stream(name)
    for document in documents:
        begin_record(document, options, stats)
        stream = output.stream(data_file_name(document.split, extension))
        stream.write(encode(document, options, stats))
    return stats.freeze()
