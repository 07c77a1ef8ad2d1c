"""spaCy/Prodigy-style JSON Lines (the shape of Prodigy's ``db-out``).

One line per record (per document and annotator at the annotators layer):
``text``, ``meta`` (``id``, ``title``, ``annotator``, ``split``,
``agreement``), ``tokens`` and ``spans``.

Tokens: ``text``, ``start``, ``end`` (code points, end exclusive), ``id`` and
``ws`` (followed by exactly one U+0020 space, as spaCy's ``Token.whitespace_``).
Whitespace that is not a single space after a token (CRLF, tabs, runs of
spaces, leading whitespace) becomes a token of its own with ``ws`` false, as
spaCy's tokenizer does, so ``Doc(vocab, words=..., spaces=...)`` rebuilds the
exact text and character offsets agree with the stored ones.

Spans: ``start``, ``end`` (code points, end exclusive), ``text``,
``token_start``, ``token_end`` and ``label``. ``token_end`` is INCLUSIVE, as in
Prodigy (a one-token span has ``token_start == token_end``); spaCy's own
``doc[token_start : token_end + 1]`` is the span. Edges inside a token follow
``ExportOptions.misaligned`` (see ``alignment``); every moved or dropped span is
counted. Two spans that end up on the same (start, end, label) are written
once (``duplicate_span``). Links are not written (Prodigy's relation format
is token-based and separate); each is counted as ``link_not_supported``.
"""

from __future__ import annotations

from collections.abc import Iterable

from annotator.core.exports.alignment import TokenGrid
from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ExportDocument,
    ExportOptions,
    FormatStats,
    Output,
    StatsCollector,
    drop_links,
    exported_spans,
    finite_or_none,
    json_line,
    unique_spans,
    write_records,
)
from annotator.core.exports.features import SPACY_FEATURES
from annotator.core.tokens import Token, tokenize


def spacy_tokens(text: str, tokens: list[Token]) -> tuple[list[Token], list[bool]]:
    """All tokens including whitespace ones, with their ``ws`` flags, so that
    joining ``text[start:end] + " " * ws`` gives back ``text``."""
    out: list[Token] = []
    spaces: list[bool] = []
    position = 0
    for start, end in [*tokens, (len(text), len(text))]:
        if start > position:
            if out and text[position] == " ":
                spaces[-1] = True
                position += 1
            if start > position:
                out.append((position, start))
                spaces.append(False)
        if end > start:
            out.append((start, end))
            spaces.append(False)
        position = end
    return out, spaces


def document_record(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> dict[str, object]:
    """The Prodigy-style task for one document."""
    text = document.text
    words = tokenize(text)
    all_tokens, spaces = spacy_tokens(text, words)
    position = {token: i for i, token in enumerate(all_tokens)}
    grid = TokenGrid(text, words)
    spans: list[tuple[tuple[int, int, str], dict[str, object]]] = []
    for span in exported_spans(document, options, stats):
        aligned = grid.align(span.start, span.end, options.misaligned, stats)
        if aligned is None:
            continue
        record: dict[str, object] = {
            "start": aligned.start,
            "end": aligned.end,
            "text": text[aligned.start : aligned.end],
            "token_start": position[words[aligned.token_start]],
            "token_end": position[words[aligned.token_end - 1]],
            "label": span.label,
        }
        spans.append(((aligned.start, aligned.end, span.label), record))
    drop_links(document, stats)
    spans.sort(key=lambda item: item[0])
    return {
        "text": text,
        "meta": {
            "id": document.id,
            "title": document.title,
            "annotator": document.annotator,
            "split": document.split,
            "agreement": finite_or_none(document.agreement),
        },
        "tokens": [
            {"text": text[start:end], "start": start, "end": end, "id": i, "ws": ws}
            for i, ((start, end), ws) in enumerate(zip(all_tokens, spaces, strict=True))
        ],
        "spans": unique_spans(spans, stats),
    }


def encode(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> bytes:
    """One line of the export."""
    return json_line(document_record(document, options, stats))


class SpacySpansFormat:
    name = "spacy"
    extension = "jsonl"
    media_type = "application/x-ndjson"
    description = (
        "spaCy/Prodigy JSON Lines: tokens with ws flags and spans with "
        "token_start/token_end (inclusive); loads into a spaCy Doc."
    )
    schema_version = 2
    hf_features: list[dict[str, object]] | None = SPACY_FEATURES

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """One task per line, written as each record arrives."""
        return write_records(documents, output, options, self.extension, encode)


SPACY = SpacySpansFormat()
