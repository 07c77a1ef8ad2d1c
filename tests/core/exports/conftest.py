"""A small fixed fixture for the export writers, and helpers to run them."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from annotator.core.exports import (
    DEFAULT_OPTIONS,
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


@dataclass
class Output:
    main: bytes
    files: dict[str, bytes] = field(default_factory=dict)
    stats: FormatStats | None = None


def run_format(
    fmt: ExportFormat,
    documents: Iterable[ExportDocument],
    options: ExportOptions = DEFAULT_OPTIONS,
) -> Output:
    """Write to memory, collecting extra files as the service would."""
    stream = io.BytesIO()
    files: dict[str, bytes] = {}

    def sink(relative_path: str, data: bytes) -> None:
        assert is_safe_relative_path(relative_path), relative_path
        assert relative_path not in files, f"{relative_path} written twice"
        files[relative_path] = data

    stats = fmt.write(documents, stream, options, files=sink)
    return Output(stream.getvalue(), files, stats)


@pytest.fixture
def documents() -> list[ExportDocument]:
    return fixture_documents()


@pytest.fixture
def run() -> Callable[..., Output]:
    return run_format


@pytest.fixture
def golden_dir() -> Path:
    return GOLDEN_DIR
