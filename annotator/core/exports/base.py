"""What every export writer takes and returns, and the protocol it follows.

Offsets are Unicode code points into ``ExportDocument.text``, end exclusive.

How the service layer calls a writer (the only code that touches disk)::

    fmt = get_format(name)
    with open(tmp_path, "wb") as stream:             # binary: bytes are final
        stats = fmt.write(documents, stream, options, files=sink)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(tmp_path, final_path)
    manifest = {"format": fmt.name, "schema_version": fmt.schema_version,
                "options": options.to_dict(), **stats.to_dict(), "sha256": ...}

``documents`` may be a generator reading the database in batches: writers
consume it once, in order, and write each document before asking for the next.
``files`` is only used when ``fmt.writes_files`` is true (``semeval-tsv``): the
writer calls ``files(relative_path, data)`` once per extra file, with a path made
by ``annotator.core.exports.files`` (POSIX separators, never absolute, never
``..``). The sink writes each file under the export's temporary folder; it should
still refuse any path for which ``is_safe_relative_path`` is false.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, NamedTuple, Protocol, get_args

import orjson

from annotator.core.labels import DEFAULT_LABELS, LABEL_NAME_PATTERN
from annotator.core.spans import offset_errors

MisalignedPolicy = Literal["expand", "contract", "drop"]
BioOverlapRule = Literal["drop", "split"]
DoccanoOffsets = Literal["utf16", "code_points"]

SPLIT_NAMES = ("train", "dev", "test", None)
DEFAULT_LABEL_ORDER: tuple[str, ...] = tuple(spec.name for spec in DEFAULT_LABELS)
#: The annotation guideline's tie rule (false_flag_warning wins over denial,
#: denial over claim); hedges nest inside the others, so they come last.
DEFAULT_BIO_PRIORITY: tuple[str, ...] = (
    "false_flag_warning",
    "denial",
    "claim",
    "hedge",
)

#: Every reason a writer may give for dropping, splitting or moving something.
REASONS: dict[str, str] = {
    "label_not_exported": "the span's label is not in the export's label list",
    "whitespace_only": "the span covers only whitespace, so no token",
    "off_token_boundary": "an edge falls inside a token and the policy is 'drop' "
    "(or 'contract' left no whole token)",
    "whitespace_trimmed": "leading or trailing whitespace removed from the span",
    "expanded_to_tokens": "edges moved outwards to the enclosing token boundaries",
    "contracted_to_tokens": "edges moved inwards to the tokens wholly inside",
    "bio_overlap": "overlaps a span placed first by the hf-bio priority rule",
    "link_not_supported": "the format has no way to write links",
    "link_endpoint_not_exported": "one end of the link was not written",
}


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
    token. ``bio_overlap``/``bio_priority``: see ``hf_bio``. ``doccano_offsets``:
    see ``doccano``.
    """

    labels: tuple[str, ...] = DEFAULT_LABEL_ORDER
    misaligned: MisalignedPolicy = "expand"
    bio_overlap: BioOverlapRule = "drop"
    bio_priority: tuple[str, ...] = DEFAULT_BIO_PRIORITY
    doccano_offsets: DoccanoOffsets = "utf16"

    def __post_init__(self) -> None:
        _check_names("labels", self.labels, allow_empty=False)
        _check_names("bio_priority", self.bio_priority, allow_empty=True)
        _check_choice("misaligned", self.misaligned, MisalignedPolicy)
        _check_choice("bio_overlap", self.bio_overlap, BioOverlapRule)
        _check_choice("doccano_offsets", self.doccano_offsets, DoccanoOffsets)

    def to_dict(self) -> dict[str, object]:
        """The options as plain JSON values, for the manifest."""
        return {
            "labels": list(self.labels),
            "misaligned": self.misaligned,
            "bio_overlap": self.bio_overlap,
            "bio_priority": list(self.bio_priority),
            "doccano_offsets": self.doccano_offsets,
        }


DEFAULT_OPTIONS = ExportOptions()


@dataclass(frozen=True, slots=True)
class FormatStats:
    """What one write produced: counts per label and per reason code."""

    documents: int
    spans: Mapping[str, int]
    links: int
    dropped: Mapping[str, int]
    split: Mapping[str, int]
    adjusted: Mapping[str, int]
    extra: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Sorted plain values for the manifest, with each used reason explained."""
        used = {*self.dropped, *self.split, *self.adjusted}
        return {
            "documents": self.documents,
            "spans": dict(sorted(self.spans.items())),
            "links": self.links,
            "dropped": dict(sorted(self.dropped.items())),
            "split": dict(sorted(self.split.items())),
            "adjusted": dict(sorted(self.adjusted.items())),
            "reasons": {code: REASONS[code] for code in sorted(used)},
            **dict(sorted(self.extra.items())),
        }


class StatsCollector:
    """Mutable counters a writer fills while it streams."""

    def __init__(self) -> None:
        self.documents = 0
        self.spans: Counter[str] = Counter()
        self.links = 0
        self.dropped: Counter[str] = Counter()
        self.split: Counter[str] = Counter()
        self.adjusted: Counter[str] = Counter()
        self.extra: dict[str, object] = {}

    def freeze(self) -> FormatStats:
        return FormatStats(
            documents=self.documents,
            spans=dict(sorted(self.spans.items())),
            links=self.links,
            dropped=dict(sorted(self.dropped.items())),
            split=dict(sorted(self.split.items())),
            adjusted=dict(sorted(self.adjusted.items())),
            extra=dict(self.extra),
        )


class ByteSink(Protocol):
    """Where a writer puts its main output: a file opened with ``"wb"``."""

    def write(self, data: bytes, /) -> object: ...


class FileSink(Protocol):
    """Receives the extra files of a multi-file format, one call per file."""

    def __call__(self, relative_path: str, data: bytes, /) -> None: ...


class ExportFormat(Protocol):
    """A pure, streaming writer of one export format."""

    name: str
    extension: str
    media_type: str
    description: str
    schema_version: int
    writes_files: bool

    def write(
        self,
        documents: Iterable[ExportDocument],
        stream: ByteSink,
        options: ExportOptions = DEFAULT_OPTIONS,
        files: FileSink | None = None,
    ) -> FormatStats:
        """Write every document to ``stream`` (UTF-8, ``\\n`` line ends) as it
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
    if document.split not in SPLIT_NAMES:
        raise ExportInputError(
            f"document {document.id!r}: split {document.split!r} is not one of "
            "train, dev, test or None"
        )
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


def drop_links(document: ExportDocument, stats: StatsCollector) -> None:
    """For formats without links: count each one as dropped."""
    if document.links:
        stats.dropped["link_not_supported"] += len(document.links)
