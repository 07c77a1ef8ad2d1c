"""Hugging Face token classification (BIO), as JSON Lines.

Each line: ``id``, ``tokens`` (strings from ``annotator.core.tokens``; no
whitespace tokens), ``ner_tags`` (``O``, ``B-<label>``, ``I-<label>``) and
``ner_tag_ids`` (indices into ``label_names(options)``: ``O`` is 0, then ``B-``
and ``I-`` of each exported label in ``ExportOptions.labels`` order). The label
list goes into the manifest as ``label_names``; ``datasets`` users build a
``ClassLabel(names=label_names)`` from it.

Spans are first fitted to tokens (``alignment``: whitespace trimmed, edges
inside a token handled by ``ExportOptions.misaligned``).

Overlap rule. BIO gives each token one tag, so overlapping spans cannot all be
kept. Spans are placed one by one in this order:

1. label priority, ``ExportOptions.bio_priority`` (default
   false_flag_warning > denial > claim > hedge: the guideline's tie rule, with
   hedges, which nest inside the others, last; labels missing from the list
   come after it, in ``labels`` order);
2. then the longer span (in tokens) first;
3. then the earlier start, then span id.

A span whose tokens are all free is written whole. One that meets tokens
already taken is, with ``bio_overlap="drop"`` (default), dropped whole and
counted as ``bio_overlap``; with ``bio_overlap="split"`` its free tokens are
kept, each run of them written as its own ``B-``/``I-`` piece, and it is counted
in ``split`` as ``bio_overlap`` (or in ``dropped`` if no token was free). To
keep every hedge, export hedges alone: ``ExportOptions(labels=("hedge",))``.
Links are not representable and are counted as ``link_not_supported``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotator.core.exports.alignment import TokenGrid
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
from annotator.core.tokens import tokenize


def label_names(options: ExportOptions = DEFAULT_OPTIONS) -> list[str]:
    """``["O", "B-x", "I-x", ...]`` for the exported labels, in id order."""
    names = ["O"]
    for label in options.labels:
        names += [f"B-{label}", f"I-{label}"]
    return names


def priority_order(options: ExportOptions) -> dict[str, int]:
    """Rank of each exported label for the overlap rule (0 is placed first)."""
    ranked = [label for label in options.bio_priority if label in options.labels]
    ranked += [label for label in options.labels if label not in ranked]
    return {label: rank for rank, label in enumerate(ranked)}


@dataclass(frozen=True, slots=True)
class _Candidate:
    label: str
    span_id: str
    token_start: int
    token_end: int  # exclusive


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive integers as [start, end) pairs."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


def place_spans(
    token_count: int,
    candidates: list[_Candidate],
    options: ExportOptions,
    stats: StatsCollector,
) -> list[str]:
    """BIO tags for ``token_count`` tokens under the overlap rule."""
    rank = priority_order(options)
    tags = ["O"] * token_count
    order = sorted(
        candidates,
        key=lambda c: (
            rank[c.label],
            c.token_start - c.token_end,
            c.token_start,
            c.span_id,
        ),
    )
    for candidate in order:
        wanted = range(candidate.token_start, candidate.token_end)
        free = [i for i in wanted if tags[i] == "O"]
        if len(free) < len(wanted) and (options.bio_overlap == "drop" or not free):
            stats.dropped["bio_overlap"] += 1
            continue
        if len(free) < len(wanted):
            stats.split["bio_overlap"] += 1
        stats.spans[candidate.label] += 1
        for start, end in _runs(free):
            tags[start] = f"B-{candidate.label}"
            for i in range(start + 1, end):
                tags[i] = f"I-{candidate.label}"
    return tags


def document_record(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> dict[str, object]:
    """The token classification example for one document."""
    text = document.text
    tokens = tokenize(text)
    grid = TokenGrid(text, tokens)
    candidates = []
    for span in exported_spans(document, options, stats):
        aligned = grid.align(span.start, span.end, options.misaligned, stats)
        if aligned is not None:
            candidates.append(
                _Candidate(
                    span.label, span.span_id, aligned.token_start, aligned.token_end
                )
            )
    drop_links(document, stats)
    tags = place_spans(len(tokens), candidates, options, stats)
    ids = {name: i for i, name in enumerate(label_names(options))}
    return {
        "id": document.id,
        "tokens": [text[start:end] for start, end in tokens],
        "ner_tags": tags,
        "ner_tag_ids": [ids[tag] for tag in tags],
    }


class HfBioFormat:
    name = "hf-bio"
    extension = "jsonl"
    media_type = "application/x-ndjson"
    description = (
        "Hugging Face token classification JSON Lines: tokens, BIO ner_tags and "
        "ner_tag_ids; overlaps resolved by label priority (see manifest)."
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
        """One example per line, written as each document arrives; the stats
        carry ``label_names`` for the manifest."""
        stats = StatsCollector()
        stats.extra["label_names"] = label_names(options)
        for document in documents:
            stream.write(json_line(document_record(document, options, stats)))
            stats.documents += 1
        return stats.freeze()


HF_BIO = HfBioFormat()
