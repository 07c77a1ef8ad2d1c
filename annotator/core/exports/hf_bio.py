"""Hugging Face token classification (BIO), as JSON Lines.

One line per record (per document and annotator at the annotators layer):
``id``, ``annotator`` (null but at the annotators layer), ``split`` (null
without split), ``tokens`` (strings from ``annotator.core.tokens``; no
whitespace tokens), ``ner_tags`` (``O``, ``B-<label>``, ``I-<label>``) and
``ner_tag_ids`` (indices into ``label_names(options)``: ``O`` is 0, then ``B-``
and ``I-`` of each exported label in ``ExportOptions.labels`` order). The label
list goes into the manifest as ``label_names``; ``datasets`` users build a
``ClassLabel(names=label_names)`` from it.

Spans are fitted to tokens and overlaps resolved by the rule in ``bio``: by
label priority (default false_flag_warning > denial > claim > hedge), then the
longer span, then the earlier start; a span that meets a token already taken
is dropped (``bio_overlap``). To keep every hedge, export hedges alone:
``ExportOptions(labels=("hedge",))``.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ExportDocument,
    ExportOptions,
    FormatStats,
    Output,
    StatsCollector,
    json_line,
    write_records,
)
from annotator.core.exports.bio import bio_tags, label_names
from annotator.core.exports.features import HF_BIO_FEATURES


def document_record(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> dict[str, object]:
    """The token classification example for one record."""
    tokens, tags = bio_tags(document, options, stats)
    ids = {name: i for i, name in enumerate(label_names(options))}
    text = document.text
    return {
        "id": document.id,
        "annotator": document.annotator,
        "split": document.split,
        "tokens": [text[start:end] for start, end in tokens],
        "ner_tags": tags,
        "ner_tag_ids": [ids[tag] for tag in tags],
    }


def encode(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> bytes:
    """One line of the export."""
    return json_line(document_record(document, options, stats))


class HfBioFormat:
    name = "hf-bio"
    extension = "jsonl"
    media_type = "application/x-ndjson"
    description = (
        "Hugging Face token classification JSON Lines: tokens, BIO ner_tags and "
        "ner_tag_ids; overlaps within a record resolved by label priority."
    )
    schema_version = 2
    hf_features: list[dict[str, object]] | None = HF_BIO_FEATURES

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """One example per line, written as each record arrives; the stats
        carry ``label_names`` for the manifest."""
        stats = StatsCollector(options.splits)
        stats.extra["label_names"] = label_names(options)
        return write_records(documents, output, options, self.extension, encode, stats)


HF_BIO = HfBioFormat()
