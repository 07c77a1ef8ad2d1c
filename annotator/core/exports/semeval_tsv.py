"""SemEval-2020 Task 11 style: span labels as TSV plus one text file per article.

Main stream: one line per span, ``<article id>\\t<label>\\t<start>\\t<end>``
(code points, end exclusive), spans sorted by (start, end, label), documents
in the order given; no header, as in the task's ``.labels`` files.

Extra files (``writes_files = True``): ``articles/article<article id>.txt``
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
    ByteSink,
    ExportDocument,
    ExportOptions,
    FileSink,
    FormatStats,
    StatsCollector,
    drop_links,
    exported_spans,
)
from annotator.core.exports.files import safe_file_stem

ARTICLES_FOLDER = "articles"


def article_path(document_id: str) -> str:
    """Relative POSIX path of a document's article file."""
    return f"{ARTICLES_FOLDER}/article{safe_file_stem(document_id)}.txt"


def document_lines(
    document: ExportDocument, options: ExportOptions, stats: StatsCollector
) -> bytes:
    """The TSV lines of one document's spans."""
    stem = safe_file_stem(document.id)
    lines = []
    for span in exported_spans(document, options, stats):
        stats.spans[span.label] += 1
        lines.append(f"{stem}\t{span.label}\t{span.start}\t{span.end}\n")
    drop_links(document, stats)
    return "".join(lines).encode("utf-8")


class SemevalTsvFormat:
    name = "semeval-tsv"
    extension = "tsv"
    media_type = "text/tab-separated-values"
    description = (
        "SemEval-2020 Task 11 style: id/label/start/end TSV plus "
        "articles/article<id>.txt; code-point offsets."
    )
    schema_version = 1
    writes_files = True

    def write(
        self,
        documents: Iterable[ExportDocument],
        stream: ByteSink,
        options: ExportOptions = DEFAULT_OPTIONS,
        files: FileSink | None = None,
    ) -> FormatStats:
        """TSV lines to ``stream`` and each article to ``files``, document by
        document."""
        if files is None:
            raise ValueError(
                "semeval-tsv writes one article file per document: pass files="
            )
        stats = StatsCollector()
        stats.extra["articles_folder"] = ARTICLES_FOLDER
        for document in documents:
            stream.write(document_lines(document, options, stats))
            files(article_path(document.id), document.text.encode("utf-8"))
            stats.documents += 1
        return stats.freeze()


SEMEVAL_TSV = SemevalTsvFormat()
