"""The native format: one JSON document per line, nothing lost.

Each line: ``id``, ``title``, ``text``, ``spans``, ``links``, ``meta``,
``split``, ``agreement``. A span: ``id`` (what links refer to), ``start`` and
``end`` (code points, end exclusive), ``label``, ``text`` (= text[start:end]),
``attributes``, ``note``, ``annotators``. A link: ``source``, ``target`` (span
ids) and ``kind``. Spans are sorted by (start, end, label, id), links by
(source, target, kind). ``jsonl.schema.json`` beside this module is the JSON
Schema of one line.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ByteSink,
    ExportDocument,
    ExportOptions,
    ExportSpan,
    FileSink,
    FormatStats,
    StatsCollector,
    canonical,
    exported_spans,
    finite_or_none,
    json_line,
)

SCHEMA_FILE = "jsonl.schema.json"


def _span_record(text: str, span: ExportSpan) -> dict[str, object]:
    start, end, label, span_id, attributes, note, annotators = span
    return {
        "id": span_id,
        "start": start,
        "end": end,
        "label": label,
        "text": text[start:end],
        "attributes": canonical(attributes, "attributes") if attributes else {},
        "note": note,
        "annotators": list(annotators),
    }


def _link_records(
    document: ExportDocument, written: set[str], stats: StatsCollector
) -> list[dict[str, str]]:
    records = []
    for link in document.links:
        if link.source_id in written and link.target_id in written:
            records.append(
                {"source": link.source_id, "target": link.target_id, "kind": link.kind}
            )
        else:
            stats.dropped["link_endpoint_not_exported"] += 1
    records.sort(key=lambda r: (r["source"], r["target"], r["kind"]))
    stats.links += len(records)
    return records


def document_record(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> dict[str, object]:
    """The JSON object for one document (one line of the export)."""
    spans = exported_spans(document, options, stats)
    stats.spans.update(span.label for span in spans)
    links: list[dict[str, str]] = []
    if document.links:
        links = _link_records(document, {span.span_id for span in spans}, stats)
    return {
        "id": document.id,
        "title": document.title,
        "text": document.text,
        "spans": [_span_record(document.text, span) for span in spans],
        "links": links,
        "meta": canonical(document.meta),
        "split": document.split,
        "agreement": finite_or_none(document.agreement),
    }


class JsonlFormat:
    name = "jsonl"
    extension = "jsonl"
    media_type = "application/x-ndjson"
    description = (
        "Native JSON Lines: text, spans with ids, annotators and attributes, "
        "links, meta, split and agreement; code-point offsets."
    )
    schema_version = 1
    writes_files = False

    def write(
        self,
        documents: Iterable[ExportDocument],
        stream: ByteSink,
        options: ExportOptions = DEFAULT_OPTIONS,
        files: FileSink | None = None,
    ) -> FormatStats:
        """One line per document, written as each document arrives."""
        stats = StatsCollector()
        for document in documents:
            stream.write(json_line(document_record(document, options, stats)))
            stats.documents += 1
        return stats.freeze()


JSONL = JsonlFormat()
