"""CoNLL / BIO token files: one token a line, its tag in the last column.

Columns are separated by tabs (or, in a line without tabs, by spaces); the
first is the token, the last its tag: ``O``, ``B-label``, ``I-label``
(IOB2; an ``I-`` that continues nothing starts a span), and ``E-``/``S-`` of
BIOES. ``-DOCSTART-`` lines begin a document; in a file with them, a blank
line ends a sentence; in a file without them, a blank line ends a document.

The text is rebuilt by one rule: the tokens of a sentence joined by one
space, sentences joined by one line feed (``\\n``). Offsets are code points
into that text. One annotator per file, named by the file (``alice.conll``);
a document's id is derived from its text, so the files of several annotators
over the same tokens become one document with several annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from annotator.core.importing.common import Problems, derived_id
from annotator.core.importing.fields import Where
from annotator.core.importing.foreign import (
    ImportReport,
    RawAnnotation,
    RawDocument,
    RawSpan,
)

DOCSTART = "-DOCSTART-"


@dataclass
class _Builder:
    """The document being rebuilt: its text, and the span being read."""

    first_line: int
    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[RawSpan] = field(default_factory=list)
    open_span: tuple[int, str, int] | None = None  # start, label, line
    sentence_open: bool = False

    def add_token(self, token: str) -> tuple[int, int]:
        if self.sentence_open:
            self.parts.append(" ")
            self.length += 1
        start = self.length
        self.parts.append(token)
        self.length += len(token)
        self.sentence_open = True
        return start, self.length

    def end_sentence(self) -> None:
        self.close(self.length)
        if self.sentence_open:
            self.parts.append("\n")
            self.length += 1
        self.sentence_open = False

    def close(self, end: int) -> None:
        if self.open_span is not None:
            start, label, line = self.open_span
            self.spans.append(RawSpan(start, end, label, f"line {line}"))
            self.open_span = None

    @property
    def text(self) -> str:
        return "".join(self.parts).rstrip("\n")


def parse(
    file: str, text: str, problems: Problems, report: ImportReport
) -> list[RawDocument]:
    """The documents of one CoNLL file (decoded text)."""
    lines = text.split("\n")
    has_docstart = any(line.startswith(DOCSTART) for line in lines)
    annotator = PurePosixPath(file).stem
    documents: list[RawDocument] = []
    builder = _Builder(1)
    for number, line in enumerate(lines, 1):
        line = line.removesuffix("\r")
        if line.startswith(DOCSTART) or (not line.strip() and not has_docstart):
            _finish(builder, file, annotator, documents)
            builder = _Builder(number + 1)
            continue
        if not line.strip():
            builder.end_sentence()
            continue
        _token_line(line, number, builder, Where(problems, number), report)
    _finish(builder, file, annotator, documents)
    return documents


def _token_line(
    line: str, number: int, builder: _Builder, where: Where, report: ImportReport
) -> None:
    columns = line.split("\t") if "\t" in line else line.split()
    if len(columns) < 2:
        where.add("", "expected a token and a tag (at least two columns)")
        return
    token, tag = columns[0], columns[-1].strip()
    if not token.strip():
        where.add("", "the token is empty")
        return
    prefix, _, label = tag.partition("-")
    if tag != "O" and (prefix not in ("B", "I", "E", "S") or not label):
        where.add("tag", f"{tag!r} is not O, B-label, I-label, E-label or S-label")
        return
    previous_end = builder.length
    start, end = builder.add_token(token)
    continues = builder.open_span is not None and builder.open_span[1] == label
    if tag == "O" or prefix in ("B", "S") or not continues:
        builder.close(previous_end)
    if prefix == "I" and not continues:
        report.skipped["I- tag without B- (span started there)"] += 1
    if tag != "O" and builder.open_span is None:
        builder.open_span = (start, label, number)
    if prefix in ("E", "S"):
        builder.close(end)


def _finish(
    builder: _Builder, file: str, annotator: str, documents: list[RawDocument]
) -> None:
    builder.close(builder.length)
    text = builder.text
    if not text.strip():
        return
    spans = tuple(builder.spans)
    block = RawAnnotation(annotator, spans, (), "")
    title = f"{PurePosixPath(file).stem} document {len(documents) + 1}"
    documents.append(
        RawDocument(
            file, builder.first_line, derived_id(text), text, (block,), title=title
        )
    )
