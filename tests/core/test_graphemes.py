"""Grapheme clusters: characters as a reader sees them, and span edges.

The cases in ``tests/data/grapheme_cases.json`` are split into clusters by hand
and shared with ``tests/js/graphemes.test.mjs`` (Intl.Segmenter) and the
browser test in ``tests/browser/test_annotate_graphemes.py`` (Chromium's).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.offsets import (
    GraphemeIndex,
    grapheme_boundaries,
    snap_to_graphemes,
)
from annotator.core.spans import FieldError, Span, span_errors, validate_spans

ROOT = Path(__file__).resolve().parents[2]
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "data" / "grapheme_cases.json").read_text(encoding="utf-8")
)["cases"]
OFFSETS_JS = ROOT / "static" / "js" / "lib" / "offsets.js"
LABELS = {"claim"}


def all_cases() -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in CASES]


def inside_offsets(boundaries: list[int]) -> list[tuple[int, int, int]]:
    """(offset, cluster start, cluster end) for every offset inside a cluster."""
    return [
        (offset, first, last)
        for first, last in pairwise(boundaries)
        for offset in range(first + 1, last)
    ]


# --- the fixture file -------------------------------------------------------


@pytest.mark.parametrize("case", all_cases())
def test_fixture_clusters_make_its_text_and_boundaries(case: dict[str, Any]) -> None:
    assert "".join(case["clusters"]) == case["text"]
    lengths = [len(cluster) for cluster in case["clusters"]]
    assert case["boundaries"] == [sum(lengths[:n]) for n in range(len(lengths) + 1)]


def test_fixture_covers_every_kind_of_character() -> None:
    text = "".join(case["text"] for case in CASES)
    for needed in [
        "\U0001f3fd",  # a skin tone
        "\u200d",  # ZERO WIDTH JOINER
        "\U0001f1eb\U0001f1f7",  # a flag
        "\u20e3",  # a keycap
        "e\u0301",  # a combining accent
        "\u1100\u1161\u11a8",  # Hangul jamo L V T
        "\r\n",
        "中",
    ]:
        assert needed in text, ascii(needed)
    multi = [cluster for case in CASES for cluster in case["clusters"]]
    assert any(len(cluster) >= 7 for cluster in multi)  # a family of four


@pytest.mark.parametrize("case", all_cases())
def test_regex_x_agrees_with_the_fixture(case: dict[str, Any]) -> None:
    assert regex.findall(r"\X", case["text"]) == case["clusters"]


@pytest.mark.parametrize("case", all_cases())
def test_grapheme_index_agrees_with_the_fixture(case: dict[str, Any]) -> None:
    text, boundaries = case["text"], case["boundaries"]
    index = GraphemeIndex(text)
    assert grapheme_boundaries(text) == index.boundaries() == boundaries
    for offset in boundaries:
        assert index.is_boundary(offset)
        assert index.cluster_at(offset) == (offset, offset)
    for offset, first, last in inside_offsets(boundaries):
        assert not index.is_boundary(offset), offset
        assert index.cluster_at(offset) == (first, last)
        assert index.snap(offset, offset) == (first, last)
        assert snap_to_graphemes(text, first, offset) == (first, last)
        assert snap_to_graphemes(text, offset, last) == (first, last)


# --- properties -------------------------------------------------------------

PIECES = [
    *"ab \r\n.\t中é",
    "\u0301",
    "\u0308",
    "\U0001f44d",
    "\U0001f3fd",
    "\u200d",
    "\ufe0f",
    "\u20e3",
    "\U0001f1eb",
    "\U0001f1f7",
    "\u1100",
    "\u1161",
    "\u11a8",
    "\uac00",
    "\u0915\u094d\u0937",  # a conjunct: consonant, virama, consonant (GB9c)
    "\u093f",
    "\u0600",
    "\U000e0067",
]
texts = st.lists(
    st.sampled_from(PIECES) | st.characters(exclude_categories=["Cs"]), max_size=30
).map("".join)


@settings(deadline=None)
@given(texts)
def test_boundaries_are_those_of_every_x_match(text: str) -> None:
    """The shortcut for texts without joining characters changes nothing."""
    ends = [match.end() for match in regex.finditer(r"\X", text)]
    assert GraphemeIndex(text).boundaries() == [0, *ends] if text else [0]


@settings(deadline=None)
@given(texts, st.data())
def test_snapping_gives_the_smallest_range_on_boundaries(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    boundaries = GraphemeIndex(text).boundaries()
    snapped = snap_to_graphemes(text, start, end)
    expected = (
        max(b for b in boundaries if b <= start),
        min(b for b in boundaries if b >= end),
    )
    assert snapped == expected


def test_snapping_refuses_bad_ranges() -> None:
    with pytest.raises(ValueError, match="outside"):
        snap_to_graphemes("abc", 0, 4)
    with pytest.raises(ValueError, match="after end"):
        snap_to_graphemes("abc", 2, 1)
    with pytest.raises(ValueError, match="outside"):
        GraphemeIndex("abc").is_boundary(-1)


# --- span rules -------------------------------------------------------------

FAMILY = "👨\u200d👩\u200d👧 said it"  # code points 0 to 5 are one character


@pytest.mark.parametrize(
    ("text", "start", "end", "errors"),
    [
        (
            FAMILY,
            2,
            10,
            [
                FieldError(
                    "span.start",
                    "2 is inside a character: code points 0 to 5 are one "
                    "character as a reader sees it; use 0 or 5",
                )
            ],
        ),
        (
            "cafe\u0301 noir",
            0,
            4,
            [
                FieldError(
                    "span.end",
                    "4 is inside a character: code points 3 to 5 are one "
                    "character as a reader sees it; use 3 or 5",
                )
            ],
        ),
        (
            "one\r\ntwo",
            4,
            8,
            [
                FieldError(
                    "span.start",
                    "4 is inside a character: code points 3 to 5 are one "
                    "character as a reader sees it; use 3 or 5",
                )
            ],
        ),
        ("one\r\ntwo", 0, 3, []),
        ("one\r\ntwo", 0, 5, []),
        (FAMILY, 0, 5, []),
    ],
)
def test_span_edges_inside_a_character_are_refused(
    text: str, start: int, end: int, errors: list[FieldError]
) -> None:
    assert span_errors(Span(start, end, "claim"), text, LABELS, "span") == errors


def test_both_edges_are_named_and_out_of_range_is_said_once() -> None:
    text = "🇫🇷🇩🇪 and é\u0301"
    errors = validate_spans(
        GraphemeIndex(text),
        [Span(1, 3, "claim"), Span(9, 99, "claim"), Span(0, 10, "claim")],
        LABELS,
    )
    assert [error.field for error in errors] == [
        "spans[0].start",
        "spans[0].end",
        "spans[1].end",
        "spans[2].end",
    ]
    assert "past the end" in errors[2].message
    assert errors[3].message.startswith("10 is inside a character: code points 9 to 11")


# --- the JavaScript twin ----------------------------------------------------

NODE_SCRIPT = """
import { pathToFileURL } from "node:url";
const m = await import(pathToFileURL(process.argv[1]).href);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((text) => m.graphemeBoundaries(text));
process.stdout.write(JSON.stringify(out));
"""


def test_intl_segmenter_in_node_agrees_on_random_texts() -> None:
    """Texts of the pieces above in any order: marks and joiners out of place,
    lone regional indicators, jamo in every order. (Not a virama after a
    non-consonant before a consonant: regex joins the three, Intl.Segmenter
    rightly does not; see core/offsets.py.)"""
    assert shutil.which("node"), "Node.js is needed: the JavaScript twin must agree"
    rng = random.Random(20250611)
    inputs = [
        "".join(rng.choice(PIECES) for _ in range(rng.randrange(30)))
        for _ in range(500)
    ]
    result = subprocess.run(
        [
            shutil.which("node") or "node",
            "--input-type=module",
            "-e",
            NODE_SCRIPT,
            str(OFFSETS_JS),
        ],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=60,
    )
    for text, boundaries in zip(inputs, json.loads(result.stdout), strict=True):
        assert boundaries == grapheme_boundaries(text), ascii(text)
