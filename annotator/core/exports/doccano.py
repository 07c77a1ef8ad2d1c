"""doccano sequence-labelling JSON Lines: ``{"id", "text", "label": [[start,
end, label], ...], "annotator", "split"}``.

One line per record: per document and annotator at the annotators layer, as
doccano's own per-user export files hold them (doccano's import keeps the extra
``annotator`` and ``split`` keys as the example's metadata); ``annotator`` is
null at the gold and majority layers, ``split`` without split. The same
(start, end, label) is listed once per line (``duplicate_span``).

Offsets. doccano stores the numbers it imports unchanged (its
``data_import`` ``SpanLabel`` only checks 0 <= start < end) and its annotation
view (``v-annotator``) reads them as JavaScript string indices, that is UTF-16
code units, or as grapheme-cluster indices when the project has "Count
grapheme clusters as one character" (``grapheme_mode``) on; its exports give
back the same units (doccano issue #2290: "firetrucks" after 👨🏻‍🚒 is 22-32
in doccano, 19-29 in Python). So Python code points are not doccano's unit.
With ``ExportOptions.doccano_offsets="utf16"`` (default) the offsets are UTF-16
code units, right for a doccano project with grapheme mode off; with
``"code_points"`` they are this project's own offsets, for other tools reading
doccano-shaped files. Grapheme mode is not supported. The conversion is
``core.offsets.OffsetIndex``, the project's one place for it.

Shape. doccano has two JSONL shapes and a project reads one of them: a
sequence-labelling project reads ``label`` and a relation-extraction project
reads ``entities`` and ``relations``; a line in the other shape imports with
no spans at all. So every line of one export has the same shape,
``ExportOptions.doccano_shape``:

- ``"label"``: ``{"id", "text", "label": [[start, end, label], ...],
  "annotator", "split"}``; links have no place and are counted as dropped
  (``doccano_label_shape``).
- ``"relations"``: ``{"id", "text", "entities": [{"id", "label",
  "start_offset", "end_offset"}], "relations": [{"id", "from_id", "to_id",
  "type"}], "annotator", "split"}``, entity ids numbered from 1 within the
  line, relation ``type`` the link kind; lines without links have an empty
  ``relations`` list. Our doccano import reads it back identically, links
  included.

The service picks ``relations`` when the project holds any link, unless the
user asks for a shape (``annotator export --doccano-shape``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ExportDocument,
    ExportOptions,
    ExportSpan,
    FormatStats,
    Output,
    StatsCollector,
    exported_spans,
    json_line,
    unique_spans,
    write_records,
)
from annotator.core.offsets import OffsetIndex


def document_record(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> dict[str, object]:
    """The doccano line for one record."""
    convert: Callable[[int], int] = int
    if options.doccano_offsets == "utf16":
        convert = OffsetIndex(document.text).to_utf16
    spans = exported_spans(document, options, stats)
    keyed = [((span.start, span.end, span.label), span) for span in spans]
    kept = unique_spans(keyed, stats)
    record: dict[str, object] = {"id": document.id, "text": document.text}
    if options.doccano_shape == "relations":
        record.update(_relation_shape(document, spans, kept, convert, stats))
    else:
        record["label"] = [
            [convert(span.start), convert(span.end), span.label] for span in kept
        ]
        if document.links:
            stats.links_dropped["doccano_label_shape"] += len(document.links)
    record["annotator"] = document.annotator
    record["split"] = document.split
    return record


def _relation_shape(
    document: ExportDocument,
    spans: list[ExportSpan],
    kept: list[ExportSpan],
    convert: Callable[[int], int],
    stats: StatsCollector,
) -> dict[str, object]:
    """``entities`` numbered from 1 and ``relations`` between them; a link
    to a span not exported (label left out) is counted as dropped."""
    numbers = {(span.start, span.end, span.label): n for n, span in enumerate(kept, 1)}
    by_id = {span.span_id: (span.start, span.end, span.label) for span in spans}
    entities = [
        {
            "id": number,
            "label": span.label,
            "start_offset": convert(span.start),
            "end_offset": convert(span.end),
        }
        for number, span in enumerate(kept, 1)
    ]
    relations: list[dict[str, object]] = []
    for link in document.links:
        source = numbers.get(by_id.get(link.source_id, (-1, -1, "")))
        target = numbers.get(by_id.get(link.target_id, (-1, -1, "")))
        if source is None or target is None:
            stats.links_dropped["link_endpoint_not_exported"] += 1
            continue
        relations.append(
            {
                "id": len(relations) + 1,
                "from_id": source,
                "to_id": target,
                "type": link.kind,
            }
        )
    stats.keep_links(len(relations))
    return {"entities": entities, "relations": relations}


def encode(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> bytes:
    """One line of the export."""
    return json_line(document_record(document, options, stats))


class DoccanoFormat:
    name = "doccano"
    extension = "jsonl"
    media_type = "application/x-ndjson"
    description = (
        "doccano JSON Lines: sequence labelling (text, label: [[start, end, "
        "label]], annotator, split), or entities and relations when the "
        "project has links; UTF-16 offsets by default, as doccano reads them."
    )
    schema_version = 4
    hf_features: list[dict[str, object]] | None = None

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """One line per record, written as each record arrives."""
        stats = StatsCollector(options.splits)
        stats.extra["offsets"] = options.doccano_offsets
        return write_records(documents, output, options, self.extension, encode, stats)


DOCCANO = DoccanoFormat()
