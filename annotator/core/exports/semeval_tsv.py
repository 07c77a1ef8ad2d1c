"""SemEval-2020 Task 11 style: span labels as TSV plus one text file per article.

Label files: one line per span, ``<article id>\t<label>\t<start>\t<end>``
(code points, end exclusive), spans sorted by (start, end, label), documents
in the order given; no header, as in the task's ``.labels`` files, so the
task's scorers read them as they are. ``data.tsv`` without split, else
``train.tsv``, ``dev.tsv`` and ``test.tsv``. At the annotators layer each
annotator gets a folder of their own label files under ``annotators/``, named
by the annotator (``annotators/annotator-1/train.tsv``; a name that is not
plain ``[a-z0-9_-]`` becomes a slug plus a hash): the task's four columns
have no place for an annotator.
The same (start, end, label) is listed once per record (``duplicate_span``).

Articles: ``articles/article<article id>.txt``
holds each document's text, UTF-8, byte for byte (CRLF kept, no final newline
added). ``<article id>`` is ``files.safe_file_stem(document.id)``: the id itself
when it is plain (``[a-z0-9_-]``, as the task's numeric ids are), otherwise a
slug with a hash, so an id such as ``../etc/passwd`` cannot leave the folder.
The same stem is the first TSV column, so the TSV and the file names agree.

Readers must open the articles with ``newline=""`` (or in binary): Python's
default newline translation turns CRLF into LF and shifts every later offset.

Links are not written; each is counted as ``link_not_supported``.
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
    begin_record,
    data_file_name,
    drop_links,
    exported_spans,
    unique_spans,
)
from annotator.core.exports.files import safe_file_stem

ARTICLES_FOLDER = "articles"
ANNOTATORS_FOLDER = "annotators"
EXTENSION = "tsv"


def article_path(document_id: str) -> str:
    """Relative POSIX path of a document's article file."""
    return f"{ARTICLES_FOLDER}/article{safe_file_stem(document_id)}.txt"


def labels_path(annotator: str | None, split: str | None) -> str:
    """Relative POSIX path of the label file of a record."""
    name = data_file_name(split, EXTENSION)
    if annotator is None:
        return name
    return f"{ANNOTATORS_FOLDER}/{safe_file_stem(annotator)}/{name}"


def document_lines(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> bytes:
    """The TSV lines of one record's spans."""
    stem = safe_file_stem(document.id)
    spans = exported_spans(document, options, stats)
    keyed = [((span.start, span.end, span.label), span) for span in spans]
    lines = [
        f"{stem}\t{span.label}\t{span.start}\t{span.end}\n"
        for span in unique_spans(keyed, stats)
    ]
    drop_links(document, stats)
    return "".join(lines).encode("utf-8")


class SemevalTsvFormat:
    name = "semeval-tsv"
    extension = EXTENSION
    media_type = "text/tab-separated-values"
    description = (
        "SemEval-2020 Task 11 style: id/label/start/end TSV (a folder per "
        "annotator at the annotators layer) plus articles/article<id>.txt; "
        "code-point offsets."
    )
    schema_version = 2
    hf_features: list[dict[str, object]] | None = None

    def write(
        self,
        documents: Iterable[ExportDocument],
        output: Output,
        options: ExportOptions = DEFAULT_OPTIONS,
    ) -> FormatStats:
        """Label lines to each record's file and each article once, record by
        record; a folder's split files are all created with its first record."""
        stats = StatsCollector(options.splits)
        stats.extra["articles_folder"] = ARTICLES_FOLDER
        folders: set[str | None] = set()
        last_document: str | None = None
        for document in documents:
            begin_record(document, options, stats)
            if document.annotator not in folders:
                folders.add(document.annotator)
                for split in options.splits or (None,):
                    name = labels_path(document.annotator, split)
                    stats.data_file(split, name)
                    output.stream(name)
            path = labels_path(document.annotator, document.split)
            output.stream(path).write(document_lines(document, options, stats))
            if document.id != last_document:
                last_document = document.id
                output.file(article_path(document.id), document.text.encode("utf-8"))
        return stats.freeze()


SEMEVAL_TSV = SemevalTsvFormat()
