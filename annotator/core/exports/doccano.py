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

Links are not written (doccano's relation import has another shape) and are
counted as ``link_not_supported``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ExportDocument,
    ExportOptions,
    FormatStats,
    Output,
    StatsCollector,
    drop_links,
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
    labels: list[list[object]] = [
        [convert(span.start), convert(span.end), span.label]
        for span in unique_spans(keyed, stats)
    ]
    drop_links(document, stats)
    return {
        "id": document.id,
        "text": document.text,
        "label": labels,
        "annotator": document.annotator,
        "split": document.split,
    }


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
        "doccano sequence-labelling JSON Lines (text, label: [[start, end, "
        "label]], annotator, split); UTF-16 offsets by default, as doccano "
        "reads them."
    )
    schema_version = 2
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
