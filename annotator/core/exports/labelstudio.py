"""Label Studio's JSON import shape: a JSON array of tasks.

``{"data": {"text", "external_id", "title", "meta"}, "annotations":
[{"completed_by", "was_cancelled", "ground_truth", "result": [...]}]}``, one
task per document and, at the annotators layer, one annotation per annotator
(``completed_by`` is the name the export uses: the pseudonym unless real
names were asked for); at the gold and majority layers one annotation
``completed_by: "consensus"`` marked ``ground_truth``. Each span is a ``labels``
result (``from_name: "label"``, ``to_name: "text"``, ``value: {start, end,
text, labels: [label]}``, ``id`` the span id); each link a ``relation`` result
(``from_id``, ``to_id``, ``direction: "right"``, ``labels: [kind]``). A
span's note is the region's ``meta.text`` (Label Studio's region note) and
its attributes ``meta.attributes`` (kept for the way back in). A
Label Studio project opens it with a labelling config of ``<Labels
name="label" toName="text">`` and ``<Relations>``.

Offsets are code points, as Label Studio counts them since 2022 and as
``value.text`` shows. The same (start, end, label) is written once per
annotation (``duplicate_span``). Records of one document arrive one after
another; each is written as it arrives.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ExportDocument,
    ExportOptions,
    ExportSpan,
    FormatStats,
    Output,
    StatsCollector,
    begin_record,
    canonical,
    data_file_name,
    exported_spans,
    unique_spans,
)

FROM_NAME = "label"
TO_NAME = "text"


def annotation(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> dict[str, object]:
    """One annotator's (or the layer's) annotation of a task."""
    spans = exported_spans(document, options, stats)
    keyed = [((span.start, span.end, span.label), span) for span in spans]
    kept = unique_spans(keyed, stats)
    written = {span.span_id for span in kept}
    result = [_region(document.text, span) for span in kept]
    links = 0
    for link in document.links:
        if link.source_id in written and link.target_id in written:
            result.append(
                {
                    "from_id": link.source_id,
                    "to_id": link.target_id,
                    "type": "relation",
                    "direction": "right",
                    "labels": [link.kind],
                }
            )
            links += 1
        else:
            stats.links_dropped["link_endpoint_not_exported"] += 1
    stats.keep_links(links)
    gold = document.annotator is None
    return {
        "completed_by": document.annotator or "consensus",
        "was_cancelled": False,
        "ground_truth": gold,
        "result": result,
    }


def _region(text: str, span: ExportSpan) -> dict[str, object]:
    region: dict[str, object] = {
        "id": span.span_id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "value": {
            "start": span.start,
            "end": span.end,
            "text": text[span.start : span.end],
            "labels": [span.label],
        },
    }
    meta: dict[str, object] = {}
    if span.note:
        meta["text"] = [span.note]
    if span.attributes:
        meta["attributes"] = canonical(span.attributes, "attributes")
    if meta:
        region["meta"] = meta
    return region


def task_data(document: ExportDocument) -> dict[str, object]:
    """The ``data`` of a document's task."""
    return {
        "text": document.text,
        "external_id": document.id,
        "title": document.title,
        "meta": canonical(document.meta),
    }


class LabelStudioFormat:
    name = "labelstudio"
    extension = "json"
    media_type = "application/json"
    description = (
        "Label Studio JSON import: one task per document, one annotation per "
        "annotator (completed_by), labels and relation results; code points."
    )
    schema_version = 1
    hf_features: list[dict[str, object]] | None = None

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """One JSON array per data file, each record written as it arrives:
        a task opens with its document's first record and closes when the
        next document begins."""
        stats = StatsCollector(options.splits)
        stats.extra["offsets"] = "code_points"
        tasks: dict[str, int] = {}
        for split in options.splits or (None,):
            name = data_file_name(split, self.extension)
            stats.data_file(split, name)
            output.stream(name).write(b"[")
            tasks[name] = 0
        open_task: tuple[str, str] | None = None  # (document id, file name)
        for document in documents:
            begin_record(document, options, stats)
            name = data_file_name(document.split, self.extension)
            stream = output.stream(name)
            record = orjson.dumps(annotation(document, options, stats))
            if open_task is not None and open_task[0] == document.id:
                stream.write(b"," + record)
                continue
            if open_task is not None:
                output.stream(open_task[1]).write(b"]}")
            separator = b",\n" if tasks[name] else b"\n"
            tasks[name] += 1
            data = orjson.dumps(task_data(document))
            stream.write(separator + b'{"data":' + data + b',"annotations":[' + record)
            open_task = (document.id, name)
        if open_task is not None:
            output.stream(open_task[1]).write(b"]}")
        for name in tasks:
            output.stream(name).write(b"\n]\n")
        return stats.freeze()


LABEL_STUDIO = LabelStudioFormat()
