"""Documents as another tool wrote them, and how they become ours.

Each source format's parser yields ``RawDocument`` objects: the text, and per
annotator the spans with offsets in the tool's own units, labels and relation
types in the tool's own names, and relations by the tool's span ids. ``settle``
then, per document: reads the offsets (``offsets.decide`` for ``auto``),
checks the tool's copy of each span's text, maps labels, relation types and
annotators (``--label-map``, ``--annotator-map``), and validates the result
exactly as the native import does. What it decided goes into an
``ImportReport``; what it refuses comes back as problems naming the file, the
line (or task) and the field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from types import MappingProxyType
from typing import NamedTuple

from annotator.core.importing.common import (
    ANNOTATOR_PATTERN,
    MAX_ANNOTATOR_LENGTH,
    ImportedAnnotation,
    ImportedDocument,
    ImportProblem,
    printable,
)
from annotator.core.importing.offsets import (
    UNIT_NAMES,
    Decision,
    Edges,
    OffsetMode,
    Units,
    decide,
    to_code_point,
)
from annotator.core.labels import LINK_RULES
from annotator.core.offsets import GraphemeIndex, OffsetIndex
from annotator.core.spans import MAX_SPANS_PER_DOCUMENT, Link, Span, validate_spans

NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})


class RawSpan(NamedTuple):
    """A span in the tool's units and names; ``field`` says where it was.
    (A named tuple: imports build one per span, and tuples build fast.)"""

    start: int
    end: int
    label: str
    field: str
    id: str | None = None
    #: The tool's own copy of the span's text, checked after conversion.
    text: str | None = None
    attributes: Mapping[str, str] = NO_ATTRIBUTES
    note: str = ""


@dataclass(frozen=True, slots=True)
class RawLink:
    """A relation between two spans of one annotation, by the tool's ids."""

    source: str
    target: str
    kind: str
    field: str


@dataclass(frozen=True, slots=True)
class RawAnnotation:
    annotator: str
    spans: tuple[RawSpan, ...]
    links: tuple[RawLink, ...] = ()
    field: str = ""


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One document of a file; ``line`` is 1-based or None (a JSON array)."""

    file: str
    line: int | None
    external_id: str
    text: str
    annotations: tuple[RawAnnotation, ...] = ()
    title: str = ""
    meta: Mapping[str, object] = _field(default_factory=dict)
    where: str = ""

    @property
    def source(self) -> str:
        place = f" line {self.line}" if self.line is not None else ""
        return f"{self.file}{place}{self.where}"


@dataclass(frozen=True, slots=True)
class Conversion:
    """The options that turn raw documents into ours."""

    labels: Collection[str]
    offsets: OffsetMode = "codepoints"
    label_map: Mapping[str, str] = _field(default_factory=dict)
    annotator_map: Mapping[str, str] = _field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OffsetNote:
    """How one document's offsets were read, and why."""

    file: str
    document: str
    units: str
    evidence: str
    weak: bool = False


@dataclass
class ImportReport:
    """What an import decided and left out, for the dry run and the log."""

    #: One line per document whose offsets were read or converted.
    conversions: list[str] = _field(default_factory=list)
    warnings: list[str] = _field(default_factory=list)
    #: Things skipped on purpose (cancelled annotations, predictions, ...).
    skipped: Counter[str] = _field(default_factory=Counter)
    #: Documents by how their offsets were read.
    offsets: Counter[str] = _field(default_factory=Counter)
    #: Each document's offset decision under ``--offsets auto`` or ``utf16``.
    decisions: list[OffsetNote] = _field(default_factory=list)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(printable(message))


def merge(
    documents: Iterable[RawDocument],
) -> tuple[list[RawDocument], list[ImportProblem]]:
    """Documents with the same id joined (one file per annotator); a problem
    for each whose text differs from the first one's."""
    merged: dict[str, RawDocument] = {}
    problems: list[ImportProblem] = []
    for document in documents:
        earlier = merged.get(document.external_id)
        if earlier is None:
            merged[document.external_id] = document
            continue
        if earlier.text != document.text:
            message = (
                f"document {document.external_id!r} has another text at "
                f"{earlier.source}"
            )
            problems.append(_problem(document, "text", message))
            continue
        merged[document.external_id] = RawDocument(
            earlier.file,
            earlier.line,
            earlier.external_id,
            earlier.text,
            earlier.annotations + document.annotations,
            earlier.title or document.title,
            {**document.meta, **earlier.meta},
            earlier.where,
        )
    return list(merged.values()), problems


def settle(
    documents: Sequence[RawDocument], conversion: Conversion, report: ImportReport
) -> tuple[list[ImportedDocument], list[ImportProblem]]:
    """Our documents from the raw ones; problems name file, line and field."""
    settled: list[ImportedDocument] = []
    problems: list[ImportProblem] = []
    for document in documents:
        found, errors = _settle_document(document, conversion, report)
        problems += errors
        if found is not None:
            settled.append(found)
    _warn_contradictions(report)
    _warn_weak(report)
    return settled, problems


def _warn_weak(report: ImportReport) -> None:
    weak = [note.document for note in report.decisions if note.weak]
    if weak:
        report.warn(
            f"{len(weak)} document(s) had their offsets decided on weak evidence "
            f"(word edges only, or nothing): {_named(weak)}; check their spans "
            "or choose the offsets yourself"
        )


def _warn_contradictions(report: ImportReport) -> None:
    """A warning per file whose documents' offsets were decided both ways."""
    by_file: dict[str, dict[str, list[str]]] = {}
    for note in report.decisions:
        if note.units != "same":
            units = by_file.setdefault(note.file, {})
            units.setdefault(note.units, []).append(note.document)
    for file, units in by_file.items():
        if len(units) > 1:
            parts = "; ".join(
                f"read as {UNIT_NAMES[name]}: {_named(documents)}"
                for name, documents in sorted(units.items())
            )
            report.warn(
                f"{file}: its documents' offsets were decided differently "
                f"({parts}); one tool counts one way, check these documents"
            )


def _named(documents: list[str], shown: int = 5) -> str:
    more = len(documents) - shown
    return ", ".join(documents[:shown]) + (f" and {more} more" if more > 0 else "")


def _decision(document: RawDocument, mode: OffsetMode, index: OffsetIndex) -> Decision:
    if mode != "auto":
        same = index.utf16_length == index.length
        return Decision(mode, f"--offsets {mode}", same=same)
    edges = [
        Edges(span.start, span.end, span.text)
        for annotation in document.annotations
        for span in annotation.spans
    ]
    return decide(document.text, edges, index)


def _settle_document(
    document: RawDocument, conversion: Conversion, report: ImportReport
) -> tuple[ImportedDocument | None, list[ImportProblem]]:
    index = OffsetIndex(document.text)
    decision = _decision(document, conversion.offsets, index)
    _record_decision(document, decision, conversion.offsets, report)
    graphemes = GraphemeIndex(document.text)
    problems: list[ImportProblem] = []
    annotations: list[ImportedAnnotation] = []
    seen: dict[str, str] = {}
    for block in document.annotations:
        name = conversion.annotator_map.get(block.annotator, block.annotator)
        here = block.field or "annotator"
        errors = _annotator_problems(name, block.annotator, here)
        if name in seen:
            errors.append((here, f"annotator {name!r} appears twice ({seen[name]})"))
        seen.setdefault(name, here)
        annotation = _settle_block(
            block, name, index, graphemes, decision.units, conversion, errors
        )
        problems += [_problem(document, where, message) for where, message in errors]
        if annotation is not None and not errors:
            annotations.append(annotation)
    if problems:
        return None, problems
    return (
        ImportedDocument(
            document.external_id,
            document.title,
            document.text,
            dict(document.meta),
            tuple(annotations),
            document.source,
        ),
        [],
    )


def _record_decision(
    document: RawDocument, decision: Decision, mode: OffsetMode, report: ImportReport
) -> None:
    if decision.same:
        report.offsets["same in both units"] += 1
        if mode == "auto":
            report.decisions.append(
                OffsetNote(
                    document.file, document.external_id, "same", decision.evidence
                )
            )
        return
    report.offsets[UNIT_NAMES[decision.units]] += 1
    if mode == "auto" or decision.units == "utf16":
        report.conversions.append(
            f"{document.source}: offsets read as {UNIT_NAMES[decision.units]} "
            f"({decision.evidence})"
        )
        report.decisions.append(
            OffsetNote(
                document.file,
                document.external_id,
                decision.units,
                decision.evidence,
                decision.weak,
            )
        )


def _problem(document: RawDocument, where: str, message: str) -> ImportProblem:
    location = document.where.strip(" ,") if document.where else ""
    field_path = f"{location}: {where}" if location and where else where or location
    return ImportProblem(
        document.file, document.line, printable(field_path), printable(message)
    )


def _annotator_problems(name: str, original: str, where: str) -> list[tuple[str, str]]:
    if not name or len(name) > MAX_ANNOTATOR_LENGTH:
        return [(where, f"annotator {name!r}: 1 to {MAX_ANNOTATOR_LENGTH} characters")]
    if not ANNOTATOR_PATTERN.fullmatch(name):
        return [
            (
                where,
                f"annotator {name!r}: use only letters, digits and _ . @ - "
                f"(or map it: --annotator-map '{original}=USER')",
            )
        ]
    return []


def _settle_block(
    block: RawAnnotation,
    name: str,
    index: OffsetIndex,
    graphemes: GraphemeIndex,
    units: Units,
    conversion: Conversion,
    errors: list[tuple[str, str]],
) -> ImportedAnnotation | None:
    spans: list[Span] = []
    ids: dict[str, int] = {}
    for raw in block.spans:
        span = _settle_span(raw, index, units, conversion, errors)
        if span is not None:
            if raw.id is not None:
                ids[raw.id] = len(spans)
            spans.append(span)
    links = [
        link
        for raw in block.links
        if (link := _settle_link(raw, ids, conversion, errors)) is not None
    ]
    if errors:
        return None
    if links or not _plainly_valid(spans, graphemes, conversion.labels):
        for error in validate_spans(graphemes, spans, conversion.labels, links):
            errors.append((_span_field(block, error.field), error.message))
    return ImportedAnnotation(name, tuple(spans), tuple(links))


def _plainly_valid(
    spans: list[Span], graphemes: GraphemeIndex, labels: Collection[str]
) -> bool:
    """Whether ``validate_spans`` can only agree (no links, attributes or
    notes; offsets in range and on character boundaries; known labels): the
    common case, checked without building messages. False: ask it."""
    if len(spans) > MAX_SPANS_PER_DOCUMENT:
        return False
    length, on_boundaries = graphemes.length, graphemes.on_boundaries
    return all(
        0 <= span.start < span.end <= length
        and span.label in labels
        and not span.attributes
        and not span.note
        and on_boundaries(span.start, span.end)
        for span in spans
    )


def _span_field(block: RawAnnotation, field_path: str) -> str:
    """``spans[3].end`` as the tool's field of that span, ``label[3]``."""
    if field_path.startswith("spans["):
        position, _, rest = field_path[6:].partition("]")
        if position.isdigit() and int(position) < len(block.spans):
            return block.spans[int(position)].field + rest
    if field_path.startswith("links["):
        position, _, rest = field_path[6:].partition("]")
        if position.isdigit() and int(position) < len(block.links):
            return block.links[int(position)].field + rest
    return field_path


def _settle_span(
    raw: RawSpan,
    index: OffsetIndex,
    units: Units,
    conversion: Conversion,
    errors: list[tuple[str, str]],
) -> Span | None:
    label = conversion.label_map.get(raw.label, raw.label)
    if label not in conversion.labels:
        known = ", ".join(sorted(conversion.labels))
        errors.append(
            (
                f"{raw.field}.label",
                f"unknown label {raw.label!r} (this project has: {known}; "
                f"map it with --label-map '{raw.label}=LABEL')",
            )
        )
        return None
    try:
        if units == "codepoints" and 0 <= raw.start <= raw.end <= index.length:
            start, end = raw.start, raw.end
        else:
            start = to_code_point(index, raw.start, units)
            end = to_code_point(index, raw.end, units)
    except ValueError as error:
        errors.append((raw.field, f"{error} (offsets read as {UNIT_NAMES[units]})"))
        return None
    if raw.text is not None and index.text[start:end] != raw.text:
        errors.append(
            (
                f"{raw.field}.text",
                f"{raw.text!r} is not the text at {raw.start}-{raw.end} read as "
                f"{UNIT_NAMES[units]} ({index.text[start:end]!r})",
            )
        )
        return None
    attributes = dict(raw.attributes) if raw.attributes else {}
    return Span(start, end, label, attributes, raw.note)


def _settle_link(
    raw: RawLink,
    ids: Mapping[str, int],
    conversion: Conversion,
    errors: list[tuple[str, str]],
) -> Link | None:
    kind = conversion.label_map.get(raw.kind, raw.kind)
    if kind not in LINK_RULES:
        known = ", ".join(sorted(LINK_RULES))
        errors.append(
            (
                f"{raw.field}.type",
                f"relation type {raw.kind!r} fits no link kind (this project has: "
                f"{known}; map it with --label-map '{raw.kind}=KIND')",
            )
        )
        return None
    ends = []
    for name, span_id in (("source", raw.source), ("target", raw.target)):
        if span_id not in ids:
            errors.append((f"{raw.field}.{name}", f"no span with id {span_id!r}"))
        ends.append(ids.get(span_id))
    if ends[0] is None or ends[1] is None:
        return None
    return Link(ends[0], ends[1], kind)
