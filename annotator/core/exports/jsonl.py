"""The native format: one JSON record per line, nothing lost.

One line per record: per (document, annotator) at the annotators layer, per
document at the gold and majority layers. Each line: ``id``, ``title``,
``text``, ``annotator`` (null but at the annotators layer), ``spans``,
``links``, ``meta``, ``split``, ``agreement``. A span: ``id`` (what links refer
to), ``start`` and ``end`` (code points, end exclusive), ``label``, ``text`` (=
text[start:end]), ``attributes``, ``note``, ``annotators``. A link: ``source``,
``target`` (span ids) and ``kind``. Spans are sorted by (start, end, label,
id), links by (source, target, kind). ``jsonl.schema.json`` beside this module
is the JSON Schema of one line.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    Encoder,
    ExportDocument,
    ExportOptions,
    ExportSpan,
    FormatStats,
    Output,
    StatsCollector,
    canonical,
    exported_spans,
    finite_or_none,
    json_line,
    write_records,
)
from annotator.core.exports.features import JSONL_FEATURES

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
            stats.links_dropped["link_endpoint_not_exported"] += 1
    records.sort(key=lambda r: (r["source"], r["target"], r["kind"]))
    stats.keep_links(len(records))
    return records


class MetaMemo:
    """``canonical(meta)`` once for the records of one document: they share
    its meta object, and a document has a record per annotator."""

    def __init__(self) -> None:
        self._meta: object = None
        self._canonical: object = None

    def __call__(self, meta: object) -> object:
        if meta is not self._meta:
            self._canonical = canonical(meta)
            self._meta = meta
        return self._canonical


def document_record(
    document: ExportDocument,
    options: ExportOptions,
    stats: StatsCollector,
    memo: MetaMemo | None = None,
) -> dict[str, object]:
    """The JSON object for one record (one line of the export)."""
    spans = exported_spans(document, options, stats)
    stats.keep_labels([span.label for span in spans])
    links: list[dict[str, str]] = []
    if document.links:
        links = _link_records(document, {span.span_id for span in spans}, stats)
    return {
        "id": document.id,
        "title": document.title,
        "text": document.text,
        "annotator": document.annotator,
        "spans": [_span_record(document.text, span) for span in spans],
        "links": links,
        "meta": (memo or canonical)(document.meta),
        "split": document.split,
        "agreement": finite_or_none(document.agreement),
    }


def encoder(memo: MetaMemo) -> Encoder:
    """One line of the export per record, sharing ``memo`` across records."""

    def encode(
        document: ExportDocument, options: ExportOptions, stats: StatsCollector
    ) -> bytes:
        return json_line(document_record(document, options, stats, memo))

    return encode


class JsonlFormat:
    name = "jsonl"
    extension = "jsonl"
    media_type = "application/x-ndjson"
    description = (
        "Native JSON Lines: text, annotator, spans with ids and attributes, "
        "links, meta, split and agreement; code-point offsets."
    )
    schema_version = 2
    hf_features: list[dict[str, object]] | None = JSONL_FEATURES

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """One line per record, written as each record arrives."""
        encode = encoder(MetaMemo())
        return write_records(documents, output, options, self.extension, encode)


JSONL = JsonlFormat()
