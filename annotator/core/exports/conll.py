"""CoNLL-2003-style NER: one token per line with its BIO tag, plus a sidecar.

Data files: ``train.conll``, ``dev.conll``, ``test.conll`` (``data.conll``
without split), UTF-8, ``\\n`` line ends. Each record (per document and
annotator at the annotators layer) is a block::

    -DOCSTART- -X- O O
    <blank line>
    token tag          one line per token, a single space between
    ...
    <blank line>       after every sentence, so also after the block

Tokens come from ``annotator.core.tokens`` (they never contain whitespace, so
``line.split()`` gives the two columns back); tags are ``O``, ``B-<label>``
and ``I-<label>`` from ``bio.bio_tags``: spans fitted to tokens and overlaps
resolved within the record by the rule in ``bio`` (label priority, then the
longer span, then the earlier start; ``bio_overlap``). Records never mix
annotators, so only one annotator's own overlaps meet that rule. A record
without tokens is the ``-DOCSTART-`` line and its blank line alone.

The ``-DOCSTART-`` line is the one spaCy's ``spacy convert -c ner`` takes as a
document delimiter, so that each block becomes one ``Doc`` (with CoNLL-2003's
English ``-DOCSTART- -X- -X- O`` spaCy would make ``-DOCSTART-`` a token of
the training data); readers that skip lines starting with ``-DOCSTART-``, as
Hugging Face's ``conll2003`` loader does, take either.

Sentence rule (a simple rule, not a sentence segmenter): a new sentence
begins at the first token after a line break in the text (``\\n``, ``\\r``
and the other breaks of ``str.splitlines``), and after a run of
sentence-final punctuation (``SENTENCE_FINAL``: ``. ! ? …`` and their CJK,
Arabic and Devanagari forms), where the run takes in punctuation and closing
quotes or brackets written directly after it (``."`` or ``?)``); the break
falls only where whitespace follows the run (so ``3.5`` and ``U.S`` stay
whole), except after the ideographic full stop ``。`` and the fullwidth
question and exclamation marks (``UNSPACED_FINAL``), which end a sentence
even when the next character follows directly. Abbreviations such
as ``Dr.`` followed by a space do end a sentence. There is never a break
inside a span: where the next token's tag is ``I-``, the sentence goes on.

Sidecar: CoNLL has no place for the document id or the annotator, so each
data file has a ``<split>.docs.tsv`` beside it (``data.docs.tsv`` without
split): a header line ``id<TAB>annotator``, then one line per block, in the
same order, with the record's document id and annotator (empty at the gold
and majority layers). A field holding a tab, a double quote, ``\\r`` or
``\\n`` is quoted as in CSV (``"..."``, quotes doubled), so read it with
``csv.reader(f, delimiter="\\t")`` (file opened with ``newline=""``) or
``pandas.read_csv(path, sep="\\t", dtype=str, keep_default_na=False)``. The
split is the file's name. Both files are listed among the split's data files
in the manifest.

Links are not representable and are counted as ``link_not_supported``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    ExportDocument,
    ExportOptions,
    FormatStats,
    Output,
    StatsCollector,
    begin_record,
    data_file_name,
)
from annotator.core.exports.bio import bio_tags, label_names
from annotator.core.tokens import Token

EXTENSION = "conll"
SIDECAR_EXTENSION = "docs.tsv"
SIDECAR_HEADER = ("id", "annotator")
#: spaCy's ``conll_ner_to_docs`` splits documents on exactly this line.
DOCSTART = "-DOCSTART- -X- O O"

#: Those that end a sentence even when the next token follows without a space
#: (scripts written without spaces): the ideographic full stop, its halfwidth
#: form, and the fullwidth exclamation and question marks.
UNSPACED_FINAL = frozenset("\u3002\uff61\uff01\uff1f")
#: Tokens that end a sentence (each is one token of ``core.tokens``): those,
#: ``. ! ? …``, the double marks ``‼ ⁇ ⁈ ⁉``, the fullwidth full stop, the
#: Arabic question mark and full stop, and the Devanagari dandas.
SENTENCE_FINAL = UNSPACED_FINAL | frozenset(
    ".!?\u2026\u203c\u2047\u2048\u2049\uff0e\u061f\u06d4\u0964\u0965"
)
#: The line breaks of ``str.splitlines``; all are whitespace, never in a token.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
#: Quotes that close as often as they open; after a final stop they close.
_AMBIGUOUS_QUOTES = frozenset("\"'")
_NEEDS_QUOTES = re.compile('[\t"\r\n]')


def _closes(word: str) -> bool:
    """A closing bracket or quote (Unicode Pe, Pf) or a straight quote."""
    return len(word) == 1 and (
        word in _AMBIGUOUS_QUOTES or unicodedata.category(word) in ("Pe", "Pf")
    )


def sentence_starts(text: str, tokens: list[Token], tags: list[str]) -> list[int]:
    """Indices of the tokens that begin a sentence, by the rule in this
    module's docstring; never a token tagged ``I-``."""
    if not tokens:
        return []
    starts = [0]
    final = unspaced = False  # the tokens before i end in a final run
    for i in range(1, len(tokens)):
        previous_start, previous_end = tokens[i - 1]
        start, end = tokens[i]
        previous = text[previous_start:previous_end]
        if previous in SENTENCE_FINAL:
            final = True
            unspaced = unspaced or previous in UNSPACED_FINAL
        gap = text[previous_end:start]
        word = text[start:end]
        if final and not gap and (word in SENTENCE_FINAL or _closes(word)):
            continue  # the run goes on: `?!`, `..."`, `.)`
        brk = (final and (bool(gap) or unspaced)) or (
            len(gap) > 0 and not LINE_BREAKS.isdisjoint(gap)
        )
        final = unspaced = False
        if brk and not tags[i].startswith("I-"):
            starts.append(i)
    return starts


def block(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> bytes:
    """The record's block: the ``-DOCSTART-`` line, then its sentences."""
    tokens, tags = bio_tags(document, options, stats)
    text = document.text
    lines = [DOCSTART, ""]
    starts = sentence_starts(text, tokens, tags)
    ends = [*starts[1:], len(tokens)] if starts else []
    for first, last in zip(starts, ends, strict=True):
        lines += [
            f"{text[start:end]} {tag}"
            for (start, end), tag in zip(
                tokens[first:last], tags[first:last], strict=True
            )
        ]
        lines.append("")
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _tsv_field(value: str) -> str:
    """``value``, or quoted as CSV does (``"`` doubled) if it holds a tab, a
    quote or a line end. (The csv module leaves a lone ``\r`` unquoted when
    lines end in ``\n``, and its reader would then split the line there.)"""
    if _NEEDS_QUOTES.search(value) is None:
        return value
    return '"' + value.replace('"', '""') + '"'


def sidecar_line(document: ExportDocument) -> bytes:
    """The record's line of the sidecar TSV: id and annotator (empty when
    None), quoted where needed."""
    fields = (document.id, document.annotator or "")
    return ("\t".join(map(_tsv_field, fields)) + "\n").encode("utf-8")


def sidecar_name(split: str | None) -> str:
    """``train.docs.tsv``, ... or ``data.docs.tsv`` without split."""
    return data_file_name(split, SIDECAR_EXTENSION)


class ConllFormat:
    name = "conll"
    extension = EXTENSION
    media_type = "text/plain"
    description = (
        "CoNLL-2003-style token-per-line BIO (-DOCSTART- block per record, "
        "blank line between sentences) with a <split>.docs.tsv of ids and "
        "annotators."
    )
    schema_version = 1
    hf_features: list[dict[str, object]] | None = None

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """A block per record and its sidecar line, written as each record
        arrives; every split's two files are created first."""
        stats = StatsCollector(options.splits)
        stats.extra["label_names"] = label_names(options)
        header = "\t".join(SIDECAR_HEADER).encode("ascii") + b"\n"
        for split in options.splits or (None,):
            for name in (data_file_name(split, EXTENSION), sidecar_name(split)):
                stats.data_file(split, name)
            output.stream(data_file_name(split, EXTENSION))
            output.stream(sidecar_name(split)).write(header)
        for document in documents:
            begin_record(document, options, stats)
            data = block(document, options, stats)
            output.stream(data_file_name(document.split, EXTENSION)).write(data)
            output.stream(sidecar_name(document.split)).write(sidecar_line(document))
        return stats.freeze()


CONLL = ConllFormat()
