"""The JSONL fast path accepts exactly what the full checks accept, and builds
the same documents; whatever it declines, the full checks word as before."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotator.core.importing import (
    ImportFileError,
    native_jsonl,
    parse_import_file,
    well_formed_document,
)
from annotator.core.labels import DEFAULT_LABELS, SpanSchema

#: The default labels, and attribute names up to the limits (name length,
#: count) so that the fast path is tried on them.
LABELS = SpanSchema(
    frozenset(spec.name for spec in DEFAULT_LABELS),
    ("source", "n" * 40, *(f"k{index}" for index in range(20))),
)
SOURCE = "a.jsonl line 1"

# Characters that matter to the checks: blanks, CR, a combining mark, a skin
# tone, ZERO WIDTH JOINER and regional indicators (which join others into one
# grapheme cluster), astral code points, quotes and backslashes for JSON;
# rarely NUL or a lone surrogate.
CHARACTERS = st.sampled_from(
    [*'ab \r\n\té\u0301"\\👍🏽\u200d🇫🇷'] * 100 + ["\x00", "\ud800"]
)


def texts(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    # st.text would drop the weights of repeated characters.
    return st.lists(CHARACTERS, min_size=min_size, max_size=max_size).map("".join)


SHORT_TEXT = texts()
WIDE_INTEGERS = st.sampled_from([2**63, 2**64, -(2**63) - 1, 10**30])
JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 70)
    | WIDE_INTEGERS
    | st.floats(allow_nan=False, allow_infinity=False)
    | SHORT_TEXT,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(SHORT_TEXT, children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def _usually(
    draw: st.DrawFn, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]
) -> Any:
    return draw(bad) if draw(st.integers(0, 24)) == 24 else draw(good)


def usually(
    good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any] = JSON_VALUE
) -> st.SearchStrategy[Any]:
    """Mostly ``good`` values, one in 25 ``bad`` ones (often just past a
    limit): a record has many fields, and a good share of whole records should
    be valid while the others break in one place or a few."""
    return _usually(good, bad | JSON_VALUE)


def maybe(
    draw: st.DrawFn, item: dict[str, Any], key: str, value: st.SearchStrategy[Any]
) -> None:
    if draw(st.booleans()):
        item[key] = draw(value)


def unknown_field(draw: st.DrawFn, item: dict[str, Any]) -> dict[str, Any]:
    if draw(st.integers(0, 29)) == 29:
        item["colour"] = draw(JSON_VALUE)
    return item


IDS = usually(
    st.integers(0, 3) | st.sampled_from(["a", "b", "x" * 200]),
    st.sampled_from([" ", "", "x" * 201, True, 1.5]) | WIDE_INTEGERS,
)
ATTRIBUTES = usually(
    st.dictionaries(
        _usually(
            st.sampled_from(["source", "n" * 40]),
            st.sampled_from(["", "n" * 41, "speaker"]),
        ),
        usually(st.sampled_from(["Moscow", "", "x" * 500]), st.just("x" * 501)),
        max_size=2,
    ),
    st.just({f"key{index}": "v" for index in range(21)}) | st.sampled_from([[], 0]),
)
NOTE = usually(SHORT_TEXT | st.just("x" * 2000), st.just("x" * 2001))
LABEL = usually(st.sampled_from(sorted(LABELS)), st.sampled_from(["rumour", "Claim"]))


@st.composite
def spans(draw: st.DrawFn, length: int) -> dict[str, Any]:
    """A span on a text of ``length`` code points, sometimes just outside it."""
    start = draw(st.integers(0, max(length - 1, 0)))
    end = draw(st.integers(start + 1, max(length, start + 1)))
    span = {
        "start": draw(usually(st.just(start), st.sampled_from([-1, length]))),
        "end": draw(usually(st.just(end), st.sampled_from([start, length + 1]))),
        "label": draw(LABEL),
    }
    maybe(draw, span, "id", IDS)
    maybe(draw, span, "attributes", ATTRIBUTES)
    maybe(draw, span, "note", NOTE)
    return unknown_field(draw, span)


LINK = st.fixed_dictionaries(
    {"source": IDS, "target": IDS},
    optional={"kind": usually(st.just("denies"), st.just("supports"))},
)
ANNOTATOR = usually(
    st.sampled_from(["alice", "bob", "carol", "a.b@c-d_e", "x" * 64]),
    st.sampled_from(["a b", "", "x" * 65]),
)


@st.composite
def blocks(draw: st.DrawFn, length: int) -> dict[str, Any]:
    block = {
        "annotator": draw(ANNOTATOR),
        "spans": draw(usually(st.lists(spans(length), max_size=4))),
    }
    if draw(st.integers(0, 3)) == 0:
        block["links"] = draw(usually(st.lists(LINK, max_size=2)))
    return unknown_field(draw, block)


@st.composite
def records(draw: st.DrawFn) -> Any:
    """A JSON value for one line: mostly a document, at times a broken one."""
    text = draw(usually(texts(20, 40), SHORT_TEXT | st.just(" \r\n")))
    length = len(text) if isinstance(text, str) else 30
    record: dict[str, Any] = {"text": text}
    maybe(draw, record, "id", IDS)
    maybe(draw, record, "title", usually(SHORT_TEXT, st.just("t" * 501)))
    maybe(draw, record, "meta", usually(st.dictionaries(SHORT_TEXT, JSON_VALUE)))
    if draw(st.integers(0, 5)):
        record["annotations"] = draw(usually(st.lists(blocks(length), max_size=3)))
    return draw(usually(st.just(unknown_field(draw, record))))


JUNK = st.sampled_from(["", "}", ",", "NaN", "\\u0000", '"\\ud800"', "[" * 1100])


@st.composite
def lines(draw: st.DrawFn) -> str:
    """A JSON line as producers write it, sometimes damaged."""
    record = draw(records())
    line = json.dumps(record, ensure_ascii=draw(st.booleans()))
    junk = draw(st.just("") | st.just("") | st.just("") | JUNK)
    cut = draw(st.integers(0, len(line)))
    return line[:cut] + junk + line[cut:]


def outcome(data: bytes) -> tuple[str, object]:
    """What an import of ``data`` gives: the documents, or every problem."""
    try:
        documents = parse_import_file(
            "a.jsonl", data, labels=LABELS, max_bytes=10_000_000
        )
    except ImportFileError as error:
        return "refused", [str(problem) for problem in error.problems]
    # repr tells 1 from 1.0 and True, and shows the order of keys.
    return "imported", repr(documents)


def full_checks_only(data: bytes) -> tuple[str, object]:
    with mock.patch.object(native_jsonl, "well_formed_document", return_value=None):
        return outcome(data)


@pytest.mark.parametrize(
    "span_extra",
    [
        '"attributes": []',
        '"attributes": 0',
        '"attributes": ""',
        '"note": 0',
        '"note": []',
        '"note": false',
    ],
)
def test_empty_values_of_the_wrong_type_are_refused_on_both_paths(span_extra):
    """Found by the property below: the fast path read an empty list as no
    attributes, where the full checks refuse it naming the field."""
    data = (
        '{"text": "aaaaaaaaaaaaaaaaaaaa", "annotations": [{"annotator": "alice", '
        '"spans": [{"start": 0, "end": 1, "label": "claim", ' + span_extra + "}]}]}"
    ).encode()
    assert full_checks_only(data)[0] == "refused"
    assert outcome(data) == full_checks_only(data)


@settings(max_examples=600, deadline=None)
@given(st.lists(lines(), min_size=1, max_size=4))
def test_files_import_the_same_with_and_without_the_fast_path(
    found: list[str],
) -> None:
    data = "\n".join(found).encode("utf-8", "surrogatepass")
    assert outcome(data) == full_checks_only(data)


@settings(max_examples=600, deadline=None)
@given(lines())
def test_fast_path_accepts_only_what_the_full_checks_accept(line: str) -> None:
    data = line.encode("utf-8", "surrogatepass")
    fast = well_formed_document(data, SOURCE, LABELS)
    if fast is not None:
        assert full_checks_only(data) == ("imported", repr([fast]))


# Whole characters as a reader sees them (grapheme clusters), so that offsets
# between them are valid span edges: known here by construction.
CLUSTERS = [
    "a",
    "b",
    " ",
    "é",
    "e\u0301",
    "👍",
    "👍🏽",
    "\r\n",
    "\n",
    "👨\u200d👩\u200d👧",
]
NOTES = SHORT_TEXT.filter(lambda note: "\x00" not in note and "\ud800" not in note)


@st.composite
def valid_records(draw: st.DrawFn) -> dict[str, Any]:
    clusters = draw(st.lists(st.sampled_from(CLUSTERS), min_size=20, max_size=40))
    text = "".join(clusters)
    assume(text.strip())
    edges = [len("".join(clusters[:n])) for n in range(len(clusters) + 1)]
    blocks = []
    for annotator in draw(
        st.lists(st.sampled_from(["alice", "bob", "carol"]), max_size=3, unique=True)
    ):
        spans = []
        for _ in range(draw(st.integers(0, 5))):
            start, end = sorted(
                draw(
                    st.lists(
                        st.sampled_from(edges), min_size=2, max_size=2, unique=True
                    )
                )
            )
            label = draw(st.sampled_from(sorted(LABELS)))
            spans.append(
                {"start": start, "end": end, "label": label, "note": draw(NOTES)}
            )
        blocks.append({"annotator": annotator, "spans": spans})
    meta = st.dictionaries(
        st.text("ab", max_size=3), st.integers(-(2**63), 2**63 - 1) | st.none()
    )
    return {
        "id": draw(st.integers(0, 10**6) | st.text("abc-", min_size=1, max_size=10)),
        "text": text,
        "meta": draw(meta),
        "annotations": blocks,
    }


@given(valid_records(), st.booleans())
def test_fast_path_takes_valid_lines(record: dict[str, Any], ascii_only: bool) -> None:
    """Valid lines without floats or wide integers never need the full checks
    (so the comparisons above are not between two slow paths)."""
    data = json.dumps(record, ensure_ascii=ascii_only).encode("utf-8")
    assert well_formed_document(data, SOURCE, LABELS) is not None


def test_integers_beyond_64_bits_stay_exact_integers() -> None:
    """orjson reads them as floats; the full checks read them as the json
    module does."""
    line = {"id": 10**20, "text": "a", "meta": {"n": 2**64, "m": -(2**63) - 1}}
    [document] = parse_import_file(
        "a.jsonl", json.dumps(line).encode(), labels=LABELS, max_bytes=1000
    )
    assert document.external_id == str(10**20)
    assert document.meta == {"n": 2**64, "m": -(2**63) - 1}
    assert all(type(value) is int for value in document.meta.values())


def test_an_escaped_nul_is_refused_with_its_field() -> None:
    data = b'{"text": "ok", "title": "a\\u0000b"}'
    assert full_checks_only(data) == outcome(data)
    assert outcome(data) == (
        "refused",
        [
            'a.jsonl line 1, field "title": contains a NUL character (U+0000) '
            "at position 1"
        ],
    )


BASE_TEXT = "Vaccines 💉 work.\r\nThey don't hide chips."
# Code points 0 to 5 are one character (a ZWJ family); the span is 0 to 8.
FAMILY_TEXT = "👨\u200d👩\u200d👧 say so."


def base_record() -> dict[str, Any]:
    span = {"id": "s1", "start": 0, "end": 8, "label": "claim", "note": "n"}
    block = {"annotator": "alice", "spans": [span]}
    return {"id": "d1", "title": "T", "text": BASE_TEXT, "annotations": [block]}


def span_of(record: dict[str, Any]) -> dict[str, Any]:
    span: dict[str, Any] = record["annotations"][0]["spans"][0]
    return span


AT_THE_LIMITS = {
    "note of 2,000": lambda r: span_of(r).update(note="x" * 2000),
    "title of 500": lambda r: r.update(title="t" * 500),
    "id of 200": lambda r: r.update(id="i" * 200),
    "span id of 200": lambda r: span_of(r).update(id="i" * 200),
    "annotator of 64": lambda r: r["annotations"][0].update(annotator="a" * 64),
    "attribute name of 40": lambda r: span_of(r).update(attributes={"n" * 40: "v"}),
    "attribute of 500": lambda r: span_of(r).update(attributes={"source": "v" * 500}),
    "20 attributes": lambda r: span_of(r).update(
        attributes={f"k{index}": "v" for index in range(20)}
    ),
    "span to the end": lambda r: span_of(r).update(end=len(BASE_TEXT)),
    "span up to a CRLF": lambda r: span_of(r).update(end=16),
    "span from after a CRLF": lambda r: span_of(r).update(start=18, end=22),
    "span around a ZWJ family": lambda r: r.update(text=FAMILY_TEXT),
    "null title, meta, note, attributes": lambda r: (
        r.update(title=None, meta=None),
        span_of(r).update(note=None, attributes=None),
    ),
    "empty links": lambda r: r["annotations"][0].update(links=[]),
    "a link": lambda r: (
        span_of(r).update(label="denial"),
        r["annotations"][0]["spans"].append(
            {"id": "s2", "start": 1, "end": 2, "label": "claim"}
        ),
        r["annotations"][0].update(links=[{"source": "s1", "target": "s2"}]),
    ),
}
PAST_THE_LIMITS = {
    "note of 2,001": lambda r: span_of(r).update(note="x" * 2001),
    "title of 501": lambda r: r.update(title="t" * 501),
    "id of 201": lambda r: r.update(id="i" * 201),
    "blank id": lambda r: r.update(id=" "),
    "boolean id": lambda r: r.update(id=True),
    "span id of 201": lambda r: span_of(r).update(id="i" * 201),
    "annotator of 65": lambda r: r["annotations"][0].update(annotator="a" * 65),
    "empty annotator": lambda r: r["annotations"][0].update(annotator=""),
    "attribute name of 41": lambda r: span_of(r).update(attributes={"n" * 41: "v"}),
    "empty attribute name": lambda r: span_of(r).update(attributes={"": "v"}),
    "attribute outside the schema": lambda r: span_of(r).update(
        attributes={"speaker": "v"}
    ),
    "attribute of 501": lambda r: span_of(r).update(attributes={"source": "v" * 501}),
    "number attribute": lambda r: span_of(r).update(attributes={"source": 1}),
    "21 attributes": lambda r: span_of(r).update(
        attributes={f"k{index}": "v" for index in range(21)}
    ),
    "list attributes": lambda r: span_of(r).update(attributes=["source"]),
    "span past the end": lambda r: span_of(r).update(end=len(BASE_TEXT) + 1),
    "end between CR and LF": lambda r: span_of(r).update(end=17),
    "start between CR and LF": lambda r: span_of(r).update(start=17, end=22),
    "start inside a ZWJ family": lambda r: (
        r.update(text=FAMILY_TEXT),
        span_of(r).update(start=2),
    ),
    "end inside a ZWJ family": lambda r: (
        r.update(text=FAMILY_TEXT),
        span_of(r).update(end=4),
    ),
    "end before a combining accent": lambda r: (
        r.update(text="cafe\u0301 au lait"),
        span_of(r).update(end=4),
    ),
    "linked span inside a character": lambda r: (
        span_of(r).update(label="denial", end=17),
        r["annotations"][0]["spans"].append(
            {"id": "s2", "start": 1, "end": 2, "label": "claim"}
        ),
        r["annotations"][0].update(links=[{"source": "s1", "target": "s2"}]),
    ),
    "empty span": lambda r: span_of(r).update(end=0),
    "negative start": lambda r: span_of(r).update(start=-1),
    "boolean start": lambda r: span_of(r).update(start=False),
    "float end": lambda r: span_of(r).update(end=8.0),
    "wide end": lambda r: span_of(r).update(end=2**64),
    "unknown label": lambda r: span_of(r).update(label="rumour"),
    "unknown span field": lambda r: span_of(r).update(colour="red"),
    "unknown block field": lambda r: r["annotations"][0].update(colour="red"),
    "unknown document field": lambda r: r.update(colour="red"),
    "spans not a list": lambda r: r["annotations"][0].update(spans={}),
    "links not a list": lambda r: r["annotations"][0].update(links={}),
    "annotations not a list": lambda r: r.update(annotations={}),
    "meta not an object": lambda r: r.update(meta=[]),
    "blank text": lambda r: r.update(text=" \r\n", annotations=[]),
    "duplicate annotator": lambda r: r["annotations"].append(
        {"annotator": "alice", "spans": []}
    ),
    "duplicate span id": lambda r: r["annotations"][0]["spans"].append(
        {"id": "s1", "start": 1, "end": 2, "label": "hedge"}
    ),
    "integer and string span ids alike": lambda r: r["annotations"][0]["spans"].extend(
        [
            {"id": 5, "start": 1, "end": 2, "label": "hedge"},
            {"id": "5", "start": 1, "end": 3, "label": "hedge"},
        ]
    ),
    "bad link": lambda r: r["annotations"][0].update(
        links=[{"source": "s1", "target": "s1"}]
    ),
    "linked span past the end": lambda r: (
        span_of(r).update(label="denial", end=len(BASE_TEXT) + 1),
        r["annotations"][0]["spans"].append(
            {"id": "s2", "start": 1, "end": 2, "label": "claim"}
        ),
        r["annotations"][0].update(links=[{"source": "s1", "target": "s2"}]),
    ),
    "20,001 spans": lambda r: r["annotations"][0].update(
        spans=[{"start": 0, "end": 1, "label": "claim"}] * 20_001
    ),
}


@pytest.mark.parametrize("change", AT_THE_LIMITS.values(), ids=AT_THE_LIMITS.keys())
def test_fast_path_takes_values_at_the_limits(change: Any) -> None:
    record = base_record()
    change(record)
    data = json.dumps(record, ensure_ascii=False).encode()
    fast = well_formed_document(data, SOURCE, LABELS)
    assert fast is not None
    assert full_checks_only(data) == ("imported", repr([fast]))


@pytest.mark.parametrize("change", PAST_THE_LIMITS.values(), ids=PAST_THE_LIMITS.keys())
def test_fast_path_leaves_values_past_the_limits_to_the_full_checks(
    change: Any,
) -> None:
    record = base_record()
    change(record)
    data = json.dumps(record, ensure_ascii=False).encode()
    assert well_formed_document(data, SOURCE, LABELS) is None
    assert outcome(data) == full_checks_only(data)
