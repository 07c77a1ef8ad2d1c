"""doccano sequence-labelling JSON Lines, as doccano 1.8 exports them.

Two line shapes: ``{"id", "text", "label": [[start, end, label], ...]}`` and
the relation shape ``{"id", "text", "entities": [{"id", "label",
"start_offset", "end_offset"}], "relations": [{"id", "from_id", "to_id",
"type"}]}``; other keys are kept as the document's metadata.

Who annotated: doccano's export zip holds one file per annotator, named after
them (``alice.jsonl``): the file's name is the annotator, unless a line has an
``annotator`` key (this project's doccano export writes one). With "share
annotations across all users" on, doccano writes one ``all.jsonl`` (or
``unknown.jsonl``) without attribution: imported under the one identity
``doccano``, with a warning. A line whose label list is empty is a document
that annotator left alone: the document is kept, the empty annotation is not
(counted as skipped). Files of the same document are joined by id.

Offsets are whatever doccano's page counted (UTF-16 code units unless the
project counts grapheme clusters): the default is ``auto``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from annotator.core.importing.common import Problems, json_records
from annotator.core.importing.fields import (
    Where,
    document_id,
    document_text,
    integer,
    objects,
    plain_meta,
    span_id,
    string,
)
from annotator.core.importing.foreign import (
    ImportReport,
    RawAnnotation,
    RawDocument,
    RawLink,
    RawSpan,
)

COLLABORATIVE_STEMS = frozenset({"all", "unknown"})
COLLABORATIVE_ANNOTATOR = "doccano"
KNOWN_KEYS = frozenset(
    {"id", "text", "label", "entities", "relations", "annotator", "split", "comments"}
)


def parse(
    file: str, data: bytes, problems: Problems, report: ImportReport
) -> list[RawDocument]:
    """Every document of one doccano JSONL file (UTF-8 ``data``)."""
    stem = PurePosixPath(file).stem
    collaborative = stem.lower() in COLLABORATIVE_STEMS
    documents = []
    for number, record in json_records(data, problems):
        document = _document(record, file, number, stem, collaborative, problems)
        if document is not None:
            documents.append(document)
    if collaborative and documents:
        report.warn(
            f"{file}: doccano's shared-annotation file has no attribution, so its "
            f"annotators cannot be told apart; imported as {COLLABORATIVE_ANNOTATOR!r}"
            f" (--annotator-map {COLLABORATIVE_ANNOTATOR}=USER to choose another)"
        )
    empty = sum(1 for document in documents if not document.annotations)
    if empty:
        report.skipped["empty doccano annotation"] += empty
    return documents


def _document(
    record: dict[str, object],
    file: str,
    line: int,
    stem: str,
    collaborative: bool,
    problems: Problems,
) -> RawDocument | None:
    where = Where(problems, line)
    count = len(problems.items)
    text = document_text(record.get("text"), "text", where)
    if text is None:
        return None
    external_id = document_id(record.get("id"), text, "id", where)
    annotator = _annotator(record.get("annotator"), stem, collaborative, where)
    links: tuple[RawLink, ...] = ()
    if "label" in record:
        spans = _plain_spans(record.get("label"), where)
    else:
        spans = _entities(record.get("entities"), where)
        links = _relations(record.get("relations"), where)
    if len(problems.items) > count or external_id is None or annotator is None:
        return None
    annotations = (RawAnnotation(annotator, spans, links),) if spans else ()
    meta = plain_meta(record, KNOWN_KEYS)
    return RawDocument(file, line, external_id, text, annotations, meta=meta)


def _annotator(
    value: object, stem: str, collaborative: bool, where: Where
) -> str | None:
    if isinstance(value, str) and value:
        return value
    if value is not None:
        where.add("annotator", "must be a string")
        return None
    return COLLABORATIVE_ANNOTATOR if collaborative else stem


def _plain_spans(value: object, where: Where) -> tuple[RawSpan, ...]:
    if not isinstance(value, list):
        where.add("label", "must be a list of [start, end, label]")
        return ()
    spans = []
    for index, item in enumerate(value):
        field = f"label[{index}]"
        if not isinstance(item, list) or len(item) != 3:
            where.add(field, "must be [start, end, label]")
            continue
        start = integer(item[0], f"{field}[0]", where)
        end = integer(item[1], f"{field}[1]", where)
        label = string(item[2], f"{field}[2]", where)
        if start is not None and end is not None and label is not None:
            spans.append(RawSpan(start, end, label, field))
    return tuple(spans)


def _entities(value: object, where: Where) -> tuple[RawSpan, ...]:
    spans = []
    for field, item in objects(value, "entities", where):
        start = integer(item.get("start_offset"), f"{field}.start_offset", where)
        end = integer(item.get("end_offset"), f"{field}.end_offset", where)
        label = string(item.get("label"), f"{field}.label", where)
        if start is not None and end is not None and label is not None:
            spans.append(RawSpan(start, end, label, field, span_id(item.get("id"))))
    return tuple(spans)


def _relations(value: object, where: Where) -> tuple[RawLink, ...]:
    links = []
    for field, item in objects(value, "relations", where):
        source, target = span_id(item.get("from_id")), span_id(item.get("to_id"))
        kind = string(item.get("type"), f"{field}.type", where)
        if source is None:
            where.add(f"{field}.from_id", "must be an entity id")
        if target is None:
            where.add(f"{field}.to_id", "must be an entity id")
        if source is not None and target is not None and kind is not None:
            links.append(RawLink(source, target, kind, field))
    return tuple(links)
