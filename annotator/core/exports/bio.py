"""BIO tagging of one record's spans, shared by ``hf-bio`` and ``conll``.

Tokens come from ``annotator.core.tokens.tokenize`` (no whitespace tokens).
Spans are first fitted to tokens (``alignment``: whitespace trimmed, edges
inside a token handled by ``ExportOptions.misaligned``); spans that land on the
same tokens with the same label are one span (``duplicate_span``).

Overlap rule. BIO gives each token one tag, so overlapping spans of one record
cannot all be kept (records never mix annotators, so only one annotator's own
overlaps, or the gold layer's, meet this rule). Spans are placed one by one in
this order:

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
in ``cut`` as ``bio_overlap`` (or in ``dropped`` if no token was free).
Links are not representable and are counted as ``link_not_supported``.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.exports.alignment import TokenGrid
from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ExportDocument,
    ExportOptions,
    StatsCollector,
    drop_links,
    exported_spans,
)
from annotator.core.tokens import Token, tokenize


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
class Candidate:
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
    candidates: list[Candidate],
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
            stats.cut["bio_overlap"] += 1
        stats.keep(candidate.label)
        for start, end in _runs(free):
            tags[start] = f"B-{candidate.label}"
            for i in range(start + 1, end):
                tags[i] = f"I-{candidate.label}"
    return tags


def bio_tags(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> tuple[list[Token], list[str]]:
    """The record's tokens and their BIO tags under the overlap rule."""
    text = document.text
    tokens = tokenize(text)
    grid = TokenGrid(text, tokens)
    candidates: dict[tuple[int, int, str], Candidate] = {}
    for span in exported_spans(document, options, stats):
        aligned = grid.align(span.start, span.end, options.misaligned, stats)
        if aligned is None:
            continue
        key = (aligned.token_start, aligned.token_end, span.label)
        if key in candidates:
            stats.dropped["duplicate_span"] += 1
            continue
        candidates[key] = Candidate(
            span.label, span.span_id, aligned.token_start, aligned.token_end
        )
    drop_links(document, stats)
    return tokens, place_spans(len(tokens), list(candidates.values()), options, stats)
