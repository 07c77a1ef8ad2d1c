"""brat standoff: a ``.txt`` file and its ``.ann`` file, paired by name.

``.ann`` lines, tab-separated: ``T1<TAB>Label START END<TAB>text`` (a span;
``START END;START END`` is a discontinuous span, refused naming its line),
``R1<TAB>Type Arg1:T1 Arg2:T2`` (a link from Arg1 to Arg2), ``A1<TAB>Name T1
[Value]`` or ``M1 ...`` (an attribute: ``source`` is kept as the span's
source attribute, others are skipped and counted), ``#1<TAB>AnnotatorNotes
T1<TAB>note`` (the span's note). Events (``E``), normalisations (``N``) and
equivalences (``*``) are skipped and counted.

brat counts code points. brat has no annotators: the ``.ann`` file's folder
names the annotator (``alice/doc1.ann``), or ``brat`` when it has none. The
document's id is the file name without extension.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from annotator.core.importing.common import Problems, decode
from annotator.core.importing.fields import Where, document_text
from annotator.core.importing.foreign import (
    ImportReport,
    RawAnnotation,
    RawDocument,
    RawLink,
    RawSpan,
)

DEFAULT_ANNOTATOR = "brat"
SKIPPED_KINDS = {"E": "brat event", "N": "brat normalisation", "*": "brat equivalence"}


def parse_pair(
    ann_name: str,
    ann_data: bytes,
    txt_data: bytes,
    problems: Problems,
    report: ImportReport,
    max_bytes: int,
) -> RawDocument | None:
    """The document of one ``.txt``/``.ann`` pair; problems name the .ann line."""
    path = PurePosixPath(ann_name)
    where = Where(problems, None)
    text = document_text(
        decode(str(path.with_suffix(".txt")), txt_data, max_bytes), "text", where
    )
    lines = decode(ann_name, ann_data, max_bytes) if ann_data.strip() else ""
    if text is None:
        return None
    spans, links = _read_lines(lines.split("\n"), problems, report)
    if problems.items:
        return None
    annotator = path.parent.name or DEFAULT_ANNOTATOR
    block = RawAnnotation(annotator, tuple(spans.values()), tuple(links), "")
    return RawDocument(ann_name, None, path.stem, text, (block,))


def _read_lines(
    lines: Sequence[str], problems: Problems, report: ImportReport
) -> tuple[dict[str, RawSpan], list[RawLink]]:
    spans: dict[str, RawSpan] = {}
    links: list[RawLink] = []
    extras: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        kind = fields[0][:1]
        where = Where(problems, number)
        if kind == "T":
            span = _span(fields, number, where)
            if span is not None:
                spans[fields[0]] = span
        elif kind == "R":
            link = _link(fields, number, where)
            if link is not None:
                links.append(link)
        elif kind in "AM#":
            extras.append((number, fields))
        elif kind in SKIPPED_KINDS:
            report.skipped[SKIPPED_KINDS[kind]] += 1
        else:
            where.add("", f"unknown annotation kind {fields[0]!r}")
    for number, fields in extras:
        _extra(fields, spans, Where(problems, number), report)
    return spans, links


def _span(fields: list[str], number: int, where: Where) -> RawSpan | None:
    if len(fields) < 2:
        where.add(fields[0], "expected ID<TAB>Label START END<TAB>text")
        return None
    label, _, offsets = fields[1].partition(" ")
    if ";" in offsets:
        where.add(
            fields[0],
            f"discontinuous span {offsets!r}: only continuous spans can be imported",
        )
        return None
    parts = offsets.split(" ")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        where.add(fields[0], f"offsets {offsets!r}: expected START END")
        return None
    expected = fields[2] if len(fields) > 2 else None
    return RawSpan(
        int(parts[0]),
        int(parts[1]),
        label,
        f"line {number} {fields[0]}",
        fields[0],
        expected,
    )


def _link(fields: list[str], number: int, where: Where) -> RawLink | None:
    parts = fields[1].split(" ") if len(fields) > 1 else []
    ends = dict(part.split(":", 1) for part in parts[1:] if ":" in part)
    if len(parts) < 3 or len(ends) != 2:
        where.add(fields[0], "expected ID<TAB>Type Arg1:T1 Arg2:T2")
        return None
    source, target = (ends[name] for name in sorted(ends))
    return RawLink(source, target, parts[0], f"line {number} {fields[0]}")


def _extra(
    fields: list[str], spans: dict[str, RawSpan], where: Where, report: ImportReport
) -> None:
    parts = fields[1].split(" ") if len(fields) > 1 else []
    if len(parts) < 2 or parts[1] not in spans:
        where.add(fields[0], "refers to no span of this file")
        return
    span = spans[parts[1]]
    if fields[0].startswith("#"):
        note = fields[2] if len(fields) > 2 else ""
        spans[parts[1]] = span._replace(note=note)
    elif parts[0].lower() == "source" and len(parts) > 2:
        value = " ".join(parts[2:])
        spans[parts[1]] = span._replace(attributes={**span.attributes, "source": value})
    else:
        report.skipped["brat attribute other than source"] += 1
