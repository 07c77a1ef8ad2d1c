"""spaCy's binary training format: one ``DocBin`` (``.spacy`` file) per split.

Files: ``train.spacy``, ``dev.spacy``, ``test.spacy`` (``data.spacy`` without
split), the layout ``spacy train`` takes as ``--paths.train train.spacy
--paths.dev dev.spacy``; load one with ``DocBin().from_disk(path).get_docs(
nlp.vocab)``. Each holds one ``Doc`` per record (per document and annotator
at the annotators layer), in the order the records came.

Each ``Doc`` is ``Doc(Vocab(), words, spaces)`` from the tokens of the
``spacy`` format (``spacy_spans``: whitespace that is not a single space after
a token is a token of its own), so ``doc.text`` is the record's text exactly,
CRLF and all, and character offsets agree with the stored ones. Spans are
fitted to tokens as in the ``spacy`` format (``ExportOptions.misaligned``),
written once per (start, end, label) (``duplicate_span``), and put in a
``SpanGroup`` under ``doc.spans["sc"]`` (``SPANS_KEY``, the default
``spans_key`` of spaCy's spancat), sorted by (start, end, label): overlapping
and nested spans are all kept, unlike ``doc.ents``. ``doc.user_data`` holds
``id``, ``title``, ``annotator`` (None but at the annotators layer),
``split`` and ``agreement`` (None when undefined); the files are written with
``store_user_data=True``. Only ``ORTH`` (and spaCy's own spaces) is stored per
token: there are no tags, lemmas or entities to store.

A ``.spacy`` file is one compressed message that cannot be appended to: each
split's ``DocBin`` is built in memory as the records arrive (about 8 bytes per
token plus the strings and spans) and written whole at the end.

spaCy is optional: it is imported when this format writes, and without it the
write is an ``ExportUnavailableError`` naming the extra
(``pip install 'framing-annotator[spacy]'``). Links are not written; each is
counted as ``link_not_supported``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from annotator.core.exports import spacy_spans
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
from annotator.core.exports.extras import require

if TYPE_CHECKING:
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

EXTENSION = "spacy"
#: The ``doc.spans`` key of the exported spans: spancat's default ``spans_key``.
SPANS_KEY = "sc"
#: The ``pip install 'framing-annotator[<extra>]'`` that provides spaCy.
EXTRA = "spacy"
#: The token attributes stored (spaCy always adds ORTH and the spaces).
STORED_ATTRS = ("ORTH",)


def make_doc(
    document: ExportDocument,
    options: ExportOptions,
    stats: StatsCollector,
    vocab: Vocab,
) -> Doc:
    """The record as a ``Doc``: the ``spacy`` format's tokens, spans and meta."""
    from spacy.tokens import Doc, Span

    record = spacy_spans.document_record(document, options, stats)
    tokens = cast(Sequence[dict[str, Any]], record["tokens"])
    doc = Doc(
        vocab,
        words=[token["text"] for token in tokens],
        spaces=[token["ws"] for token in tokens],
    )
    spans = cast(Sequence[dict[str, Any]], record["spans"])
    doc.spans[SPANS_KEY] = [
        Span(doc, span["token_start"], span["token_end"] + 1, label=span["label"])
        for span in spans
    ]
    doc.user_data.update(cast(dict[str, Any], record["meta"]))
    return doc


class SpacyDocBinFormat:
    name = "spacy-docbin"
    extension = EXTENSION
    media_type = "application/octet-stream"
    description = (
        "spaCy DocBin (.spacy) per split for spacy train: spans in "
        f'doc.spans["{SPANS_KEY}"] (overlaps kept), meta in doc.user_data; '
        "needs the spacy extra."
    )
    schema_version = 1
    hf_features: list[dict[str, object]] | None = None

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """Add each record's ``Doc`` to its split's ``DocBin`` as it arrives;
        write every split's file (even an empty one) at the end."""
        require("spacy", EXTRA, self.name)
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        stats = StatsCollector(options.splits)
        vocab = Vocab()
        bins: dict[str | None, DocBin] = {}
        for split in options.splits or (None,):
            stats.data_file(split, data_file_name(split, EXTENSION))
            bins[split] = DocBin(attrs=STORED_ATTRS, store_user_data=True)
        for document in documents:
            begin_record(document, options, stats)
            bins[document.split].add(make_doc(document, options, stats, vocab))
        for split, docbin in bins.items():
            output.file(data_file_name(split, EXTENSION), docbin.to_bytes())
        return stats.freeze()


SPACY_DOCBIN = SpacyDocBinFormat()
