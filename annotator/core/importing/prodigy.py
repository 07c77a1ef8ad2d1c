"""Prodigy span annotations: JSON Lines as ``prodigy db-out`` writes them.

``{"text", "tokens": [{"start", "end", "id"}], "spans": [{"start", "end",
"label", "token_start", "token_end"}], "relations": [{"head_span",
"child_span", "label"}], "answer", "_annotator_id", "_session_id", "meta"}``.

Prodigy counts code points, as we do. A span's ``token_end`` is *inclusive*
(the index of its last token): when a span has token indices but no
character offsets, ``start`` is ``tokens[token_start].start`` and ``end`` is
``tokens[token_end].end``; when it has both they must agree. Lines answered
``reject`` or ``ignore`` are skipped and counted. The annotator is
``_annotator_id`` (``dataset-session``), else ``_session_id``, else the file's
name; lines of one text from several annotators become one document (its id
is ``meta.id`` or ``id`` if given, else derived from the text).
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
    string,
)
from annotator.core.importing.foreign import (
    ImportReport,
    RawAnnotation,
    RawDocument,
    RawLink,
    RawSpan,
)

SKIPPED_ANSWERS = frozenset({"reject", "ignore"})


def parse(
    file: str, data: bytes, problems: Problems, report: ImportReport
) -> list[RawDocument]:
    """Every accepted line of one Prodigy JSONL file."""
    stem = PurePosixPath(file).stem
    documents = []
    for number, record in json_records(data, problems):
        if record.get("answer") in SKIPPED_ANSWERS:
            report.skipped[f"{record['answer']} answer"] += 1
            continue
        document = _document(record, file, number, stem, problems)
        if document is not None:
            documents.append(document)
    return documents


def _document(
    record: dict[str, object], file: str, line: int, stem: str, problems: Problems
) -> RawDocument | None:
    where = Where(problems, line)
    count = len(problems.items)
    text = document_text(record.get("text"), "text", where)
    if text is None:
        return None
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    assert isinstance(meta, dict)  # noqa: S101 (for mypy)
    raw_id = record.get("id", meta.get("id"))
    external_id = document_id(raw_id, text, "id", where)
    annotator = record.get("_annotator_id") or record.get("_session_id") or stem
    tokens = record.get("tokens") if isinstance(record.get("tokens"), list) else []
    assert isinstance(tokens, list)  # noqa: S101 (for mypy)
    spans = _spans(record.get("spans"), tokens, where)
    links = _relations(record.get("relations"), where)
    if len(problems.items) > count or external_id is None:
        return None
    block = RawAnnotation(str(annotator), spans, links, "_annotator_id")
    return RawDocument(file, line, external_id, text, (block,), meta=meta)


def _spans(value: object, tokens: list[object], where: Where) -> tuple[RawSpan, ...]:
    spans = []
    for field, item in objects(value, "spans", where):
        edges = _edges(item, tokens, field, where)
        label = string(item.get("label"), f"{field}.label", where)
        if edges is not None and label is not None:
            key = f"{edges[0]}:{edges[1]}"
            spans.append(RawSpan(edges[0], edges[1], label, field, key))
    return tuple(spans)


def _edges(
    item: dict[str, object], tokens: list[object], field: str, where: Where
) -> tuple[int, int] | None:
    """Character offsets of a span, from ``start``/``end`` or from its tokens
    (``token_end`` inclusive), checked against each other when both are given."""
    from_tokens = _token_edges(item, tokens, field, where)
    if "start" not in item and "end" not in item:
        if from_tokens is None:
            where.add(field, "has neither start/end nor token_start/token_end")
        return from_tokens
    start = integer(item.get("start"), f"{field}.start", where)
    end = integer(item.get("end"), f"{field}.end", where)
    if start is None or end is None:
        return None
    if from_tokens is not None and from_tokens != (start, end):
        where.add(
            f"{field}.token_end",
            f"tokens {item.get('token_start')}..{item.get('token_end')} (token_end "
            f"inclusive) cover {from_tokens[0]}-{from_tokens[1]}, but start-end is "
            f"{start}-{end}",
        )
        return None
    return start, end


def _token_edges(
    item: dict[str, object], tokens: list[object], field: str, where: Where
) -> tuple[int, int] | None:
    first, last = item.get("token_start"), item.get("token_end")
    if first is None or last is None:
        return None
    edges = []
    for name, position, key in (
        ("token_start", first, "start"),
        ("token_end", last, "end"),
    ):
        token = (
            tokens[position]
            if isinstance(position, int) and 0 <= position < len(tokens)
            else None
        )
        offset = token.get(key) if isinstance(token, dict) else None
        if not isinstance(offset, int):
            where.add(f"{field}.{name}", f"no token {position!r} with a {key} offset")
            return None
        edges.append(offset)
    return edges[0], edges[1]


def _relations(value: object, where: Where) -> tuple[RawLink, ...]:
    links = []
    for field, item in objects(value, "relations", where):
        ends = [_span_key(item.get(name)) for name in ("head_span", "child_span")]
        label = string(item.get("label"), f"{field}.label", where)
        if ends[0] is None or ends[1] is None:
            where.add(field, "head_span and child_span need start and end")
        elif label is not None:
            links.append(RawLink(ends[0], ends[1], label, field))
    return tuple(links)


def _span_key(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    return f"{start}:{end}"
