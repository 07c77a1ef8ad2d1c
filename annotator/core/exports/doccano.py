"""doccano sequence-labelling JSON Lines: ``{"id", "text", "label": [[start,
end, label], ...]}``.

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
    ByteSink,
    ExportDocument,
    ExportOptions,
    FileSink,
    FormatStats,
    StatsCollector,
    drop_links,
    exported_spans,
    json_line,
)
from annotator.core.offsets import OffsetIndex


def document_record(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> dict[str, object]:
    """The doccano line for one document."""
    convert: Callable[[int], int] = int
    if options.doccano_offsets == "utf16":
        convert = OffsetIndex(document.text).to_utf16
    labels: list[list[object]] = []
    for span in exported_spans(document, options, stats):
        stats.spans[span.label] += 1
        labels.append([convert(span.start), convert(span.end), span.label])
    drop_links(document, stats)
    return {"id": document.id, "text": document.text, "label": labels}


class DoccanoFormat:
    name = "doccano"
    extension = "jsonl"
    media_type = "application/x-ndjson"
    description = (
        "doccano sequence-labelling JSON Lines (text, label: [[start, end, "
        "label]]); UTF-16 offsets by default, as doccano reads them."
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
        stats.extra["offsets"] = options.doccano_offsets
        for document in documents:
            stream.write(json_line(document_record(document, options, stats)))
            stats.documents += 1
        return stats.freeze()


DOCCANO = DoccanoFormat()
