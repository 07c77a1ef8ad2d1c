"""A small fixed fixture for the export writers, and helpers to run them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from annotator.core.exports import (
    ExportDocument,
    ExportFormat,
    ExportLink,
    ExportOptions,
    ExportSpan,
    FormatStats,
)
from annotator.core.exports.files import is_safe_relative_path

GOLDEN_DIR = Path(__file__).resolve().parents[2] / "data" / "exports"

TEXT_1 = (
    "The ministry said 👍🏽 troops left Crimea.\r\n"
    "The 👨\u200d👩\u200d👧 family denied that the cafe\u0301 was shelled.\r\n"
    "東京の報道は誤りだと述べた。  It may be a false flag."
)
TEXT_2 = "Nothing to see here \U0001f1fa\U0001f1e6,\u2028said \u00abnobody\u00bb."
TEXT_3 = "No spans at all.\n"


def _span(
    text: str,
    needle: str,
    label: str,
    span_id: str,
    *,
    attributes: dict[str, str] | None = None,
    note: str = "",
    annotators: tuple[str, ...] = (),
) -> ExportSpan:
    start = text.index(needle)
    return ExportSpan(
        start=start,
        end=start + len(needle),
        label=label,
        span_id=span_id,
        attributes=attributes or {},
        note=note,
        annotators=annotators,
    )


def fixture_documents() -> list[ExportDocument]:
    """Emoji with skin tone, a ZWJ family, e + U+0301, CJK, CRLF, U+2028;
    nested, crossing and off-token spans, whitespace edges, a link, an
    unexported label, and unsafe document ids."""
    t = TEXT_1
    ws_start = t.index("。") + 1
    spans = (
        _span(t, "troops left Crimea", "claim", "s1", annotators=("ann-a", "ann-b")),
        _span(
            t,
            "denied that the cafe\u0301 was shelled",
            "denial",
            "s2",
            attributes={"source": "the 👨\u200d👩\u200d👧 family"},
            annotators=("ann-a",),
        ),
        _span(
            t,
            "the cafe\u0301 was shelled",
            "claim",
            "s3",
            note="nested in s2",
            annotators=("ann-a",),
        ),
        _span(t, "👍🏽 troops left", "hedge", "s4", annotators=("ann-b",)),
        _span(t, "may be a false flag", "false_flag_warning", "s5"),
        _span(t, "may", "hedge", "s6"),
        _span(t, "東京の報道", "claim", "s7", note="edge inside a CJK token"),
        _span(t, "istry said", "hedge", "s8", note="edge inside a word"),
        ExportSpan(ws_start, ws_start + 2, "hedge", "s9", note="whitespace only"),
        _span(t, "shelled.\r\n", "claim", "s10", note="trailing CRLF"),
        _span(t, "👨\u200d👩\u200d👧 family", "claim", "s11"),
        _span(t, "Crimea", "rumour", "s12", note="label not exported"),
    )
    links = (
        ExportLink("s2", "s3", "denies"),
        ExportLink("s12", "s1", "denies"),
    )
    return [
        ExportDocument(
            id="doc-1",
            title="Troops, emoji & 東京",
            text=t,
            meta={"source": "fixture", "language": "en", "extra": {"b": 2, "a": [1]}},
            spans=spans,
            links=links,
            split="train",
            agreement=0.75,
        ),
        ExportDocument(
            id="../etc/Passwd",
            title="",
            text=TEXT_2,
            spans=(_span(TEXT_2, "\u00abnobody\u00bb", "claim", "7"),),
            split="test",
            agreement=float("nan"),
        ),
        ExportDocument(id="Doc 3/Ünïcode", text=TEXT_3, title="Empty", split="dev"),
    ]


def fixture_records() -> list[ExportDocument]:
    """The fixture as the annotators layer writes it: doc-1 by three
    annotators who overlap (annotator-2 drew two of annotator-1's spans
    exactly, and one span twice; annotator-3 nothing), the others by one."""
    first, second, third = fixture_documents()
    by_id = {span.span_id: span for span in first.spans}

    def mine(name: str, ids: list[str]) -> tuple[ExportSpan, ...]:
        return tuple(
            by_id[old]._replace(span_id=f"{name}:{n}", annotators=(name,))
            for n, old in enumerate(ids, 1)
        )

    one = mine("annotator-1", ["s1", "s2", "s3", "s5", "s6", "s8", "s9", "s12"])
    two = mine("annotator-2", ["s1", "s1", "s3", "s4", "s7", "s10", "s11"])
    return [
        replace(
            first,
            spans=one,
            links=(ExportLink("annotator-1:2", "annotator-1:3", "denies"),),
            annotator="annotator-1",
        ),
        replace(first, spans=two, links=(), annotator="annotator-2"),
        replace(first, spans=(), links=(), annotator="annotator-3"),
        replace(
            second,
            spans=(second.spans[0]._replace(annotators=("annotator-1",)),),
            annotator="annotator-1",
        ),
        replace(third, annotator="annotator-2"),
    ]


class MemoryOutput:
    """The writers' Output in memory: each file by name, in the order first
    written, and every stream write in order."""

    def __init__(self) -> None:
        self.streams: dict[str, bytearray] = {}
        self.whole: dict[str, bytes] = {}
        self.writes: list[bytes] = []

    def stream(self, name: str) -> MemoryStream:
        assert is_safe_relative_path(name), name
        assert name not in self.whole, f"{name} written twice"
        return MemoryStream(self, self.streams.setdefault(name, bytearray()))

    def file(self, name: str, data: bytes) -> None:
        assert is_safe_relative_path(name), name
        assert name not in self.whole, name
        assert name not in self.streams, name
        self.whole[name] = data


class MemoryStream:
    def __init__(self, output: MemoryOutput, buffer: bytearray) -> None:
        self.output = output
        self.buffer = buffer

    def write(self, data: bytes) -> int:
        self.buffer += data
        self.output.writes.append(data)
        return len(data)


@dataclass
class Output:
    """What a writer wrote: ``main`` every data file's bytes in the order the
    records came, ``data`` each data file, ``files`` the whole extra files."""

    main: bytes
    files: dict[str, bytes] = field(default_factory=dict)
    stats: FormatStats | None = None
    data: dict[str, bytes] = field(default_factory=dict)


def splits_of(documents: Iterable[ExportDocument]) -> tuple[str, ...]:
    """The splits the documents use, in train/dev/test order."""
    used = {document.split for document in documents}
    return tuple(name for name in ("train", "dev", "test") if name in used)


def run_format(
    fmt: ExportFormat,
    documents: Iterable[ExportDocument],
    options: ExportOptions | None = None,
) -> Output:
    """Write to memory, as the service would to disk; without options, the
    defaults with the splits the documents use."""
    documents = list(documents)
    if options is None:
        options = ExportOptions(splits=splits_of(documents))
    output = MemoryOutput()
    stats = fmt.write(iter(documents), output, options)
    data = {name: bytes(buffer) for name, buffer in output.streams.items()}
    return Output(b"".join(output.writes), dict(output.whole), stats, data)


@pytest.fixture
def documents() -> list[ExportDocument]:
    return fixture_documents()


@pytest.fixture
def records() -> list[ExportDocument]:
    return fixture_records()


@pytest.fixture
def run() -> Callable[..., Output]:
    return run_format


@pytest.fixture
def golden_dir() -> Path:
    return GOLDEN_DIR
