"""Offsets: code points on the server, UTF-16 in the browser.

The cases in ``tests/data/offsets_cases.json`` are shared with
``tests/js/offsets.test.mjs``; ``test_javascript_twin_agrees`` also runs the
JavaScript module on random strings and compares every answer with Python's.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.offsets import (
    OffsetIndex,
    from_utf16,
    snap_to_words,
    to_utf16,
    trim_whitespace,
    utf16_length,
)
from annotator.core.tokens import tokenize, tokens_covering

ROOT = Path(__file__).resolve().parents[2]
CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "data" / "offsets_cases.json").read_text(encoding="utf-8")
)["cases"]
OFFSETS_JS = ROOT / "static" / "js" / "lib" / "offsets.js"


def units(text: str) -> int:
    """UTF-16 length, computed without the module under test."""
    return len(text.encode("utf-16-le")) // 2


def js_slice(text: str, start: int, end: int) -> str:
    """``text.slice(start, end)`` as JavaScript does it, in UTF-16 units."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def all_cases() -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in CASES]


def range_cases(kind: str) -> list[Any]:
    return [
        pytest.param(case["text"], item, id=f"{case['name']}-{item['range']}")
        for case in CASES
        for item in case[kind]
    ]


def as_range(value: list[int] | None) -> tuple[int, int] | None:
    return None if value is None else (value[0], value[1])


# --- the fixture file itself ----------------------------------------------


@pytest.mark.parametrize("case", all_cases())
def test_fixture_is_consistent(case: dict[str, Any]) -> None:
    text = case["text"]
    assert case["code_points"] == len(text)
    assert case["utf16_units"] == units(text)
    assert case["pairs"] == [[i, units(text[:i])] for i in range(len(text) + 1)]
    assert case["tokens"] == [list(token) for token in tokenize(text)]
    for item in case["trim"] + case["snap"]:
        start, end = item["range"]
        assert item["selected"] == text[start:end]
        if item["expected"] is None:
            assert item["result"] is None
        else:
            assert item["result"] == text[slice(*item["expected"])]


def test_fixture_covers_the_hard_characters() -> None:
    texts = "".join(case["text"] for case in CASES)
    for needle in ("👍🏽", "👨\u200d👩\u200d👧", "e\u0301", "中文", "\r\n", "\u00a0"):
        assert needle in texts
    names = {case["name"]: case["text"] for case in CASES}
    assert names["empty"] == ""
    assert ord(names["emoji_edges"][0]) > 0xFFFF
    assert ord(names["emoji_edges"][-1]) > 0xFFFF


# --- conversion on the shared cases ---------------------------------------


@pytest.mark.parametrize("case", all_cases())
def test_pairs_convert_both_ways(case: dict[str, Any]) -> None:
    text = case["text"]
    index = OffsetIndex(text)
    assert index.length == case["code_points"]
    assert index.utf16_length == utf16_length(text) == case["utf16_units"]
    for code_point, unit in case["pairs"]:
        assert index.to_utf16(code_point) == unit
        assert index.from_utf16(unit) == code_point
        assert to_utf16(text, code_point) == unit
        assert from_utf16(text, unit) == code_point
        assert from_utf16(text, unit, "down") == from_utf16(text, unit, "up")


@pytest.mark.parametrize("case", all_cases())
def test_offsets_inside_a_surrogate_pair(case: dict[str, Any]) -> None:
    text = case["text"]
    index = OffsetIndex(text)
    for item in case["inside_pair"]:
        with pytest.raises(ValueError, match="surrogate pair"):
            index.from_utf16(item["utf16"])
        with pytest.raises(ValueError, match="surrogate pair"):
            from_utf16(text, item["utf16"])
        assert index.from_utf16(item["utf16"], "down") == item["down"]
        assert index.from_utf16(item["utf16"], rounding="up") == item["up"]
    valid = {unit for _, unit in case["pairs"]}
    inside = {item["utf16"] for item in case["inside_pair"]}
    assert valid | inside == set(range(case["utf16_units"] + 1))
    assert not valid & inside


def test_doccano_regression() -> None:
    """doccano stored UTF-16 positions: 'blast' at 58-63 where Python has 53-58."""
    (case,) = (case for case in CASES if case["name"] == "doccano_regression")
    text = case["text"]
    start, end = text.index("blast"), text.index("blast") + len("blast")
    assert (start, end) == (53, 58)
    index = OffsetIndex(text)
    assert (index.to_utf16(start), index.to_utf16(end)) == (58, 63)
    assert js_slice(text, 58, 63) == "blast"
    assert (index.from_utf16(58), index.from_utf16(63)) == (53, 58)
    assert text[58:63] != "blast"
    # Folding CRLF to LF, as the HTML parser would, moves every later offset.
    assert text.replace("\r\n", "\n").index("blast") == 52


# --- trim and snap on the shared cases ------------------------------------


@pytest.mark.parametrize(("text", "item"), range_cases("trim"))
def test_trim_whitespace_cases(text: str, item: dict[str, Any]) -> None:
    expected = as_range(item["expected"])
    assert trim_whitespace(text, *item["range"]) == expected
    assert OffsetIndex(text).trim_whitespace(*item["range"]) == expected


@pytest.mark.parametrize(("text", "item"), range_cases("snap"))
def test_snap_to_words_cases(text: str, item: dict[str, Any]) -> None:
    expected = as_range(item["expected"])
    assert snap_to_words(text, *item["range"]) == expected
    assert OffsetIndex(text).snap_to_words(*item["range"]) == expected


@pytest.mark.parametrize("case", all_cases())
def test_one_character_snaps_to_its_token(case: dict[str, Any]) -> None:
    text = case["text"]
    owner: dict[int, tuple[int, int]] = {}
    for start, end in case["tokens"]:
        owner.update(dict.fromkeys(range(start, end), (start, end)))
    for i in range(len(text)):
        assert snap_to_words(text, i, i + 1) == owner.get(i), i


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("👍🏽", 0, 1),
        ("👍🏽", 1, 2),
        ("👨\u200d👩\u200d👧", 2, 3),
        ("👨\u200d👩\u200d👧", 1, 4),
        ("e\u0301", 0, 1),
        ("e\u0301", 1, 2),
        ("🇫🇷", 0, 1),
    ],
)
def test_snap_never_splits_a_grapheme(text: str, start: int, end: int) -> None:
    assert snap_to_words(text, start, end) == (0, len(text))


# --- errors ---------------------------------------------------------------


@pytest.mark.parametrize("offset", [-1, 6])
def test_to_utf16_rejects_offsets_out_of_range(offset: int) -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.5"):
        to_utf16("a👍🏽bc", offset)


@pytest.mark.parametrize("offset", [-1, 8])
def test_from_utf16_rejects_offsets_out_of_range(offset: int) -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.7"):
        from_utf16("a👍🏽bc", offset)


def test_from_utf16_rejects_unknown_rounding() -> None:
    with pytest.raises(ValueError, match="rounding"):
        from_utf16("abc", 1, "nearest")  # type: ignore[arg-type]


def test_non_integer_offsets_are_a_type_error() -> None:
    with pytest.raises(TypeError):
        to_utf16("abc", 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        trim_whitespace("abc", 0, "2")  # type: ignore[arg-type]


@pytest.mark.parametrize("function", [trim_whitespace, snap_to_words])
@pytest.mark.parametrize(("start", "end"), [(-1, 2), (0, 4), (2, 1)])
def test_ranges_out_of_order_or_range(function: Any, start: int, end: int) -> None:
    with pytest.raises(ValueError, match=r"outside|after"):
        function("abc", start, end)


def test_surrogate_code_points_are_rejected() -> None:
    # Python can hold the two halves of 👍 as two code points; the browser
    # would see one character, so every later offset would disagree.
    with pytest.raises(ValueError, match="surrogate"):
        OffsetIndex("a\ud83d\udc4db")


# --- a long, mixed text ---------------------------------------------------
# (Speed is measured in bench/, not asserted here.)


def test_thousands_of_offsets_round_trip_on_a_long_mixed_text() -> None:
    rng = random.Random(7)
    pieces = ["word ", "👍🏽 ", "中文", "e\u0301 ", "\r\n", "👨\u200d👩\u200d👧 "]
    text = "".join(rng.choice(pieces) for _ in range(25_000))[:100_000]
    offsets = sorted(rng.randrange(len(text) + 1) for _ in range(4_000))
    index = OffsetIndex(text)
    converted = [index.to_utf16(offset) for offset in offsets]
    assert converted == [
        len(text[:offset].encode("utf-16-le")) // 2 for offset in offsets
    ]
    assert [index.from_utf16(unit) for unit in converted] == offsets


def test_bmp_text_converts_as_identity() -> None:
    text = "Ünïcödé 中文 text\r\n" * 1000
    index = OffsetIndex(text)
    assert index.utf16_length == index.length == len(text)
    assert [index.to_utf16(i) for i in range(0, len(text), 97)] == list(
        range(0, len(text), 97)
    )


# --- properties -----------------------------------------------------------

TRICKY = [
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "e\u0301",
    "中文",
    "\r\n",
    "\u00a0",
    " ",
    "🇫🇷",
    "\U0001d400",  # MATHEMATICAL BOLD CAPITAL A, an astral letter
    "\u200d",
    "\ufe0f",
    "a",
    ".",
    "\u0085",
    "\u001f",
    "\ufeff",
]
texts = st.lists(
    st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from(TRICKY),
    ),
    max_size=40,
).map("".join)


@settings(deadline=None)
@given(texts)
def test_round_trip_and_javascript_slices(text: str) -> None:
    index = OffsetIndex(text)
    assert index.utf16_length == units(text)
    for start in range(len(text) + 1):
        unit = index.to_utf16(start)
        assert unit == units(text[:start])
        assert index.from_utf16(unit) == start
    boundaries = {index.to_utf16(i) for i in range(len(text) + 1)}
    for unit in range(index.utf16_length + 1):
        if unit in boundaries:
            continue
        with pytest.raises(ValueError, match="surrogate pair"):
            index.from_utf16(unit)
        down, up = index.from_utf16(unit, "down"), index.from_utf16(unit, "up")
        assert (up - down, ord(text[down]) > 0xFFFF) == (1, True)


@settings(deadline=None)
@given(texts, st.data())
def test_ranges_slice_alike_in_both_units(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    index = OffsetIndex(text)
    assert js_slice(text, index.to_utf16(start), index.to_utf16(end)) == text[start:end]


@settings(deadline=None)
@given(texts, st.data())
def test_trim_and_snap_match_simple_oracles(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    kept = text[start:end].strip()
    trimmed = trim_whitespace(text, start, end)
    if kept:
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        assert trimmed == (start + lead, start + lead + len(kept))
    else:
        assert trimmed is None
    # Snapping is the hull of the tokens of the whole text that it touches.
    tokens = tokenize(text)
    first, last = tokens_covering(tokens, start, end)
    hull = (tokens[first][0], tokens[last - 1][1]) if first < last else None
    snapped = snap_to_words(text, start, end)
    assert snapped == (None if start == end else hull)
    if snapped is not None:
        assert snap_to_words(text, *snapped) == snapped


# --- the JavaScript twin --------------------------------------------------

NODE_SCRIPT = """
import { pathToFileURL } from "node:url";
const m = await import(pathToFileURL(process.argv[1]).href);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(([text, start, end, unit]) => {
  const index = new m.OffsetIndex(text);
  let back;
  try { back = index.fromUtf16(unit); } catch (error) { back = error.name; }
  return [
    index.length, index.utf16Length, index.toUtf16(start), back,
    index.fromUtf16(unit, "down"), index.fromUtf16(unit, "up"),
    m.trimWhitespace(text, start, end), m.snapToWords(text, start, end),
  ];
});
process.stdout.write(JSON.stringify(out));
"""


def assigned_character(rng: random.Random) -> str:
    while True:
        char = chr(rng.choice([rng.randrange(0x3000), rng.randrange(0x30000)]))
        if unicodedata.category(char) not in ("Cn", "Cs"):
            return char


def python_answers(text: str, start: int, end: int, unit: int) -> list[Any]:
    index = OffsetIndex(text)
    try:
        back: int | str = index.from_utf16(unit)
    except ValueError:
        back = "RangeError"
    trimmed, snapped = (
        trim_whitespace(text, start, end),
        snap_to_words(text, start, end),
    )
    return [
        index.length,
        index.utf16_length,
        index.to_utf16(start),
        back,
        index.from_utf16(unit, "down"),
        index.from_utf16(unit, "up"),
        None if trimmed is None else list(trimmed),
        None if snapped is None else list(snapped),
    ]


def test_javascript_twin_agrees() -> None:
    assert shutil.which("node"), "Node.js is needed: the JavaScript twin must agree"
    rng = random.Random(20240601)
    inputs = []
    for _ in range(400):
        parts = [
            rng.choice(TRICKY) if rng.random() < 0.6 else assigned_character(rng)
            for _ in range(rng.randrange(25))
        ]
        text = "".join(parts)
        start = rng.randrange(len(text) + 1)
        end = rng.randrange(start, len(text) + 1)
        inputs.append((text, start, end, rng.randrange(units(text) + 1)))
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
    answers = json.loads(result.stdout)
    for (text, start, end, unit), answer in zip(inputs, answers, strict=True):
        assert answer == python_answers(text, start, end, unit), (
            text,
            start,
            end,
            unit,
        )
