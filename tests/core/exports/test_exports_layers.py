"""Majority-vote layer, deterministic splits and the format registry."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.core.exports import (
    FORMATS,
    ExportLink,
    ExportSpan,
    UnknownFormatError,
    format_names,
    get_format,
    register,
)
from annotator.core.exports.jsonl import JsonlFormat
from annotator.core.exports.layers import majority_links, majority_spans
from annotator.core.exports.registry import Registry
from annotator.core.exports.split import assign_split, check_ratios, split_point
from annotator.core.spans import Link, Span

# ------------------------------------------------------------------ majority


def test_majority_needs_exact_agreement_of_k_annotators() -> None:
    layer = majority_spans(
        {
            "ann-b": [Span(0, 5, "claim"), Span(6, 9, "hedge")],
            "ann-a": [Span(0, 5, "claim"), Span(6, 10, "hedge")],
            "ann-c": [Span(0, 5, "denial"), Span(6, 9, "hedge")],
        },
        min_annotators=2,
    )
    assert layer == [
        ExportSpan(0, 5, "claim", "0-5-claim", {}, "", ("ann-a", "ann-b")),
        ExportSpan(6, 9, "hedge", "6-9-hedge", {}, "", ("ann-b", "ann-c")),
    ]


def test_majority_counts_an_annotator_once_and_keeps_shared_attributes() -> None:
    layer = majority_spans(
        {
            "a": [
                Span(0, 5, "claim", {"source": "NATO", "x": "1"}),
                Span(0, 5, "claim", {"source": "NATO"}, note="twice"),
            ],
            "b": [Span(0, 5, "claim", {"source": "NATO", "x": "2"})],
        },
        min_annotators=2,
    )
    assert [(s.annotators, dict(s.attributes), s.note) for s in layer] == [
        (("a", "b"), {"source": "NATO"}, "")
    ]
    assert majority_spans({"a": [Span(0, 5, "claim")] * 2}, min_annotators=2) == []


def test_majority_of_one_is_the_union() -> None:
    layer = majority_spans(
        {"a": [Span(3, 4, "hedge")], "b": [Span(0, 1, "claim")]}, min_annotators=1
    )
    assert [(s.start, s.annotators) for s in layer] == [(0, ("b",)), (3, ("a",))]


@pytest.mark.parametrize(("k", "error"), [(0, ValueError), (True, TypeError)])
def test_majority_checks_k(k: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="min_annotators"):
        majority_spans({}, min_annotators=k)


def test_majority_links_join_majority_span_ids() -> None:
    a_spans = [Span(0, 5, "claim"), Span(6, 9, "denial")]
    b_spans = [Span(6, 9, "denial"), Span(0, 5, "claim")]
    links = majority_links(
        {
            "a": (a_spans, [Link(1, 0, "denies")]),
            "b": (b_spans, [Link(0, 1, "denies")]),
            "c": ([Span(6, 9, "denial"), Span(0, 4, "claim")], [Link(0, 1)]),
        },
        min_annotators=2,
    )
    assert links == [ExportLink("6-9-denial", "0-5-claim", "denies")]
    ids = {s.span_id for s in majority_spans({"a": a_spans, "b": b_spans}, 2)}
    assert {links[0].source_id, links[0].target_id} <= ids


# --------------------------------------------------------------------- split

#: Pinned values: SHA-256 of the seed and id, so any machine and any Python
#: gives these. A change here breaks every published split.
PINNED = {
    "doc-1": "train",
    "doc-2": "train",
    "doc-3": "train",
    "../etc/Passwd": "dev",
    "東京": "train",
    "42": "train",
    "b": "test",
}


def test_split_is_pinned_across_runs_and_machines() -> None:
    got = {doc_id: assign_split(doc_id, "seed-1") for doc_id in PINNED}
    assert got == PINNED
    assert split_point("doc-1", "seed-1") == 0.690806357284604


def test_split_does_not_depend_on_python_hash_seed() -> None:
    code = (
        "from annotator.core.exports.split import assign_split\n"
        "print([assign_split(str(i), 's') for i in range(50)])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
            cwd=Path(__file__).resolve().parents[3],
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_split_shares_follow_the_ratios() -> None:
    ratios = {"train": 0.7, "dev": 0.2, "test": 0.1}
    counts = Counter(assign_split(f"doc-{i}", "s", ratios) for i in range(20_000))
    for name, ratio in ratios.items():
        assert abs(counts[name] / 20_000 - ratio) < 0.015


def test_split_depends_on_seed_and_edge_ratios() -> None:
    ids = [f"doc-{i}" for i in range(200)]
    assert [assign_split(i, "a") for i in ids] != [assign_split(i, "b") for i in ids]
    assert {assign_split(i, "a", {"test": 1.0}) for i in ids} == {"test"}
    assert {assign_split(i, "a", {"train": 1, "dev": 0}) for i in ids} == {"train"}


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        ({"train": 0.8, "dev": 0.1}, "sum to 1, not 0.9"),
        ({"train": 1.2, "dev": -0.2}, "train must be between 0 and 1, not 1.2"),
        ({"train": 0.6, "dev": -0.2, "test": 0.6}, "dev must be between 0 and 1"),
        ({"train": float("nan"), "dev": 1.0}, "train must be between 0 and 1"),
        ({"train": 1e308, "dev": 1e308}, "train must be between 0 and 1"),
        ({"train": 0.5, "validation": 0.5}, "unknown split names \\['validation'\\]"),
        ({"train": "1"}, "must be a number"),
        ({"train": True}, "must be a number"),
    ],
)
def test_bad_ratios_are_refused(ratios: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_ratios(ratios)
    with pytest.raises(ValueError, match=message):
        assign_split("doc", "seed", ratios)


# ------------------------------------------------------------------ registry


def test_builtin_formats_are_registered() -> None:
    assert format_names() == [
        "conll",
        "doccano",
        "hf-bio",
        "jsonl",
        "labelstudio",
        "semeval-tsv",
        "spacy",
        "spacy-docbin",
    ]
    for name in format_names():
        fmt = get_format(name)
        assert fmt.name == name
        assert fmt.extension.isalnum()
        assert fmt.media_type
        assert fmt.description
        assert fmt.schema_version >= 1


def test_duplicate_names_are_refused() -> None:
    registry = Registry()
    registry.register(JsonlFormat())
    with pytest.raises(ValueError, match="'jsonl' already exists"):
        registry.register(JsonlFormat())
    with pytest.raises(ValueError, match="already exists"):
        register(JsonlFormat())
    assert FORMATS.names() == format_names()


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFormatError) as raised:
        get_format("brat")
    assert str(raised.value) == (
        "unknown export format 'brat' (known formats: conll, doccano, hf-bio, "
        "jsonl, labelstudio, semeval-tsv, spacy, spacy-docbin)"
    )
    with pytest.raises(UnknownFormatError, match="known formats: none"):
        Registry().get("jsonl")
