"""Each format read back by the tools it is for, plus the rules they share."""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.exports import (
    REASONS,
    ExportDocument,
    ExportInputError,
    ExportLink,
    ExportOptions,
    ExportSpan,
    format_names,
    get_format,
)
from annotator.core.exports.base import canonical, json_line
from annotator.core.exports.files import is_safe_relative_path, safe_file_stem
from annotator.core.exports.hf_bio import label_names
from annotator.core.exports.semeval_tsv import article_path
from tests.core.exports.conftest import MemoryOutput, run_format, splits_of

Run = Callable[..., Any]


def doccano_label(record: dict[str, Any]) -> list[list[Any]]:
    """A doccano line's spans as [start, end, label], in either shape."""
    if "label" in record:
        return list(record["label"])
    return [
        [e["start_offset"], e["end_offset"], e["label"]] for e in record["entities"]
    ]


def lines(data: bytes) -> list[Any]:
    return [json.loads(line) for line in data.decode("utf-8").split("\n")[:-1]]


def texts_by_id(documents: list[ExportDocument]) -> dict[str, str]:
    return {document.id: document.text for document in documents}


# ------------------------------------------------------------ shared rules


#: Formats that hold each split's records in memory and write them at the end.
WHOLE_FILE_FORMATS = {"spacy-docbin"}


@pytest.mark.parametrize(
    "name", [name for name in format_names() if name not in WHOLE_FILE_FORMATS]
)
def test_writers_stream_one_record_at_a_time(
    name: str, records: list[ExportDocument]
) -> None:
    output = MemoryOutput()

    def progress() -> tuple[int, int]:
        return sum(map(len, output.writes)), len(output.whole)

    def feed() -> Iterator[ExportDocument]:
        before = progress()
        for index, document in enumerate(records):
            if index and document.spans:
                assert progress() != before, "previous record not written yet"
                before = progress()
            yield document

    options = ExportOptions(splits=splits_of(records))
    stats = get_format(name).write(feed(), output, options)
    assert stats.records == len(records)
    assert stats.documents == len({document.id for document in records})


@pytest.mark.parametrize("name", ["jsonl", "spacy", "hf-bio", "doccano"])
def test_one_line_per_document_even_with_unicode_line_separators(
    name: str, documents: list[ExportDocument], run: Run
) -> None:
    data = run(get_format(name), documents).main
    decoded = data.decode("utf-8")
    assert "\u2028" not in decoded
    assert "\r" not in decoded
    assert len(decoded.splitlines()) == len(documents)
    assert decoded.endswith("\n")


def test_every_span_text_is_the_text_between_its_offsets(
    documents: list[ExportDocument], run: Run
) -> None:
    for name in ("jsonl", "spacy"):
        for record in lines(run(get_format(name), documents).main):
            for span in record["spans"]:
                assert span["text"] == record["text"][span["start"] : span["end"]]


def test_core_exports_import_no_web_or_heavy_packages() -> None:
    code = (
        "import sys, annotator.core.exports\n"
        "heavy = {'flask', 'sqlalchemy', 'spacy', 'datasets', 'numpy'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------------ jsonl


def test_jsonl_lines_validate_against_the_schema(
    documents: list[ExportDocument], run: Run
) -> None:
    from jsonschema import Draft202012Validator

    schema_file = package_files("annotator.core.exports") / "jsonl.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    records = lines(run(get_format("jsonl"), documents).main)
    assert len(records) == len(documents)
    for record in records:
        errors = [error.message for error in validator.iter_errors(record)]
        assert errors == []
        ids = {span["id"] for span in record["spans"]}
        assert all({link["source"], link["target"]} <= ids for link in record["links"])


def test_jsonl_schema_rejects_a_broken_line() -> None:
    from jsonschema import Draft202012Validator

    schema_file = package_files("annotator.core.exports") / "jsonl.schema.json"
    validator = Draft202012Validator(json.loads(schema_file.read_text("utf-8")))
    broken = {"id": "x", "text": "abc", "spans": [{"start": -1}]}
    assert list(validator.iter_errors(broken))


# ------------------------------------------------------------------ spacy


def test_spacy_output_loads_into_a_blank_pipeline(
    documents: list[ExportDocument], run: Run
) -> None:
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.blank("en")
    tasks = lines(run(get_format("spacy"), documents).main)
    assert [task["meta"]["id"] for task in tasks] == [d.id for d in documents]
    for task in tasks:
        words = [token["text"] for token in task["tokens"]]
        spaces = [token["ws"] for token in task["tokens"]]
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        assert doc.text == task["text"]
        assert [t.idx for t in doc] == [t["start"] for t in task["tokens"]]
        spans = []
        for span in task["spans"]:
            char_span = doc.char_span(span["start"], span["end"], label=span["label"])
            assert char_span is not None, span
            assert char_span.text == span["text"]
            # Prodigy's token_end is inclusive; spaCy's Span.end is exclusive.
            assert (char_span.start, char_span.end - 1) == (
                span["token_start"],
                span["token_end"],
            )
            spans.append(char_span)
        doc.spans["sc"] = spans


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("expand", [(4, 17, "ministry said")]),
        ("contract", [(13, 17, "said")]),
        ("drop", []),
    ],
)
def test_spacy_misaligned_policy(
    policy: Any, expected: list[tuple[int, int, str]], run: Run
) -> None:
    text = "The ministry said so."
    document = ExportDocument("d", text, spans=(ExportSpan(7, 17, "hedge", "s1"),))
    output = run(
        get_format("spacy"),
        [document],
        ExportOptions(misaligned=policy),
    )
    spans = lines(output.main)[0]["spans"]
    assert [(s["start"], s["end"], s["text"]) for s in spans] == expected
    stats = output.stats
    if policy == "drop":
        assert stats.dropped == {"off_token_boundary": 1}
    else:
        assert stats.adjusted == {f"{policy}ed_to_tokens": 1}


def test_contract_with_no_whole_token_inside_drops(run: Run) -> None:
    document = ExportDocument("d", "ministry", spans=(ExportSpan(2, 5, "hedge", "s"),))
    output = run(get_format("spacy"), [document], ExportOptions(misaligned="contract"))
    assert lines(output.main)[0]["spans"] == []
    assert output.stats.dropped == {"off_token_boundary": 1}


def test_whitespace_edges_are_trimmed_and_blank_spans_dropped(run: Run) -> None:
    text = "a  claim\r\n here"
    spans = (ExportSpan(1, 10, "claim", "s1"), ExportSpan(8, 11, "hedge", "s2"))
    output = run(get_format("spacy"), [ExportDocument("d", text, spans=spans)])
    assert [s["text"] for s in lines(output.main)[0]["spans"]] == ["claim"]
    assert output.stats.adjusted == {"whitespace_trimmed": 1}
    assert output.stats.dropped == {"whitespace_only": 1}


# ----------------------------------------------------------------- hf-bio


def test_hf_bio_loads_with_datasets_offline(
    documents: list[ExportDocument],
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(variable, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    output = run(get_format("hf-bio"), documents)
    path = tmp_path / "hf-bio.jsonl"
    path.write_bytes(output.main)
    dataset = datasets.load_dataset(
        "json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache")
    )
    assert dataset.column_names == [
        "id",
        "annotator",
        "split",
        "tokens",
        "ner_tags",
        "ner_tag_ids",
    ]
    assert dataset["id"] == [document.id for document in documents]
    names = output.stats.extra["label_names"]
    assert names == label_names()
    features = dataset.features.copy()
    features["ner_tag_ids"] = datasets.List(datasets.ClassLabel(names=names))
    typed = dataset.cast(features)
    for row in typed:
        assert [names[i] for i in row["ner_tag_ids"]] == row["ner_tags"]


def assert_valid_bio(tags: list[str]) -> None:
    previous = "O"
    for tag in tags:
        if tag.startswith("I-"):
            assert previous[2:] == tag[2:], f"{tag} after {previous}"
        previous = tag


def test_hf_bio_tags_are_well_formed_and_tokens_match(
    documents: list[ExportDocument], run: Run
) -> None:
    from annotator.core.tokens import tokenize

    names = label_names()
    for document, row in zip(
        documents, lines(run(get_format("hf-bio"), documents).main), strict=True
    ):
        tokens = [document.text[s:e] for s, e in tokenize(document.text)]
        assert row["tokens"] == tokens
        assert len(row["ner_tags"]) == len(tokens)
        assert [names[i] for i in row["ner_tag_ids"]] == row["ner_tags"]
        assert_valid_bio(row["ner_tags"])


def bio(
    run: Run, text: str, spans: list[tuple[str, str]], **options: Any
) -> tuple[list[str], Any]:
    """Tags for spans given as (needle, label) over ``text``."""
    export_spans = tuple(
        ExportSpan(text.index(n), text.index(n) + len(n), label, f"s{i}")
        for i, (n, label) in enumerate(spans)
    )
    document = ExportDocument("d", text, spans=export_spans)
    output = run(get_format("hf-bio"), [document], ExportOptions(**options))
    return lines(output.main)[0]["ner_tags"], output.stats


def test_bio_nested_lower_priority_span_is_dropped(run: Run) -> None:
    tags, stats = bio(
        run,
        "They denied it was shelled",
        [("denied it was shelled", "denial"), ("it was shelled", "claim")],
    )
    assert tags == ["O", "B-denial", "I-denial", "I-denial", "I-denial"]
    assert stats.dropped == {"bio_overlap": 1}
    assert stats.spans == {"denial": 1}


def test_bio_priority_beats_order_and_length(run: Run) -> None:
    text = "a b c d e"
    tags, stats = bio(run, text, [("a b c d e", "claim"), ("c", "false_flag_warning")])
    assert tags == ["O", "O", "B-false_flag_warning", "O", "O"]
    assert stats.dropped == {"bio_overlap": 1}


def test_bio_split_keeps_free_runs_as_separate_pieces(run: Run) -> None:
    tags, stats = bio(
        run,
        "a b c d e",
        [("a b c d e", "claim"), ("c", "false_flag_warning")],
        bio_overlap="split",
    )
    assert tags == [
        "B-claim",
        "I-claim",
        "B-false_flag_warning",
        "B-claim",
        "I-claim",
    ]
    assert stats.cut == {"bio_overlap": 1}
    assert stats.dropped == {}
    assert stats.spans == {"claim": 1, "false_flag_warning": 1}


def test_bio_split_with_no_free_token_is_a_drop(run: Run) -> None:
    _, stats = bio(run, "a b", [("a b", "denial"), ("b", "claim")], bio_overlap="split")
    assert stats.dropped == {"bio_overlap": 1}
    assert stats.cut == {}


def test_bio_same_label_longer_first_and_adjacent_spans_stay_apart(run: Run) -> None:
    tags, stats = bio(
        run, "a b c d", [("b c", "claim"), ("a b c", "claim"), ("d", "claim")]
    )
    assert tags == ["B-claim", "I-claim", "I-claim", "B-claim"]
    assert stats.dropped == {"bio_overlap": 1}


def test_bio_custom_priority_and_label_filter(run: Run) -> None:
    spans = [("a b c", "claim"), ("b", "hedge")]
    tags, _ = bio(run, "a b c", spans, bio_priority=("hedge", "claim"))
    assert tags == ["O", "B-hedge", "O"]
    tags, stats = bio(run, "a b c", spans, labels=("hedge",))
    assert tags == ["O", "B-hedge", "O"]
    assert stats.dropped == {"label_not_exported": 1}
    assert stats.extra["label_names"] == ["O", "B-hedge", "I-hedge"]


# ---------------------------------------------------------------- doccano


def test_doccano_offsets_are_utf16_by_default(
    documents: list[ExportDocument], run: Run
) -> None:
    expected = {
        d.id: sorted(
            (d.text[s.start : s.end], s.label)
            for s in d.spans
            if s.label in ExportOptions().labels
        )
        for d in documents
    }
    for record in lines(run(get_format("doccano"), documents).main):
        units = record["text"].encode("utf-16-le")
        got = sorted(
            (units[2 * start : 2 * end].decode("utf-16-le"), label)
            for start, end, label in doccano_label(record)
        )
        assert got == expected[record["id"]]


def test_doccano_can_write_code_points(
    documents: list[ExportDocument], run: Run
) -> None:
    options = ExportOptions(doccano_offsets="code_points", splits=splits_of(documents))
    output = run(get_format("doccano"), documents, options)
    assert output.stats.extra["offsets"] == "code_points"
    first = lines(output.main)[0]
    assert [first["text"][s:e] for s, e, _ in doccano_label(first)][:2] == [
        "istry said",
        "👍🏽 troops left",
    ]
    utf16 = lines(run(get_format("doccano"), documents).main)[0]
    assert doccano_label(utf16)[1] == [18, 34, "hedge"]
    assert doccano_label(first)[1] == [18, 32, "hedge"]


# ------------------------------------------------------------ semeval-tsv


def test_semeval_articles_and_offsets_agree(
    documents: list[ExportDocument], run: Run
) -> None:
    output = run(get_format("semeval-tsv"), documents)
    by_stem = {safe_file_stem(d.id): d for d in documents}
    assert set(output.files) == {article_path(d.id) for d in documents}
    for document in documents:
        assert output.files[article_path(document.id)] == document.text.encode()
    for line in output.main.decode("utf-8").splitlines():
        stem, label, start, end = line.split("\t")
        article = output.files[f"articles/article{stem}.txt"].decode("utf-8")
        document = by_stem[stem]
        assert article == document.text  # CRLF kept: read with newline=""
        assert any(
            (s.start, s.end, s.label) == (int(start), int(end), label)
            for s in document.spans
        )


EVIL_IDS = [
    "../x",
    "/etc/passwd",
    "a/b",
    "a\\b",
    ".",
    "..",
    "",
    ".hidden",
    "CON",
    "con",
    "Doc",
    "doc",
    "x" * 300,
    "a\x00b",
    "tab\tid\nline",
    "ünï code",
    "12345",
    "plain_id-1",
]


def test_file_names_are_safe_and_distinct() -> None:
    stems = [safe_file_stem(document_id) for document_id in EVIL_IDS]
    paths = [article_path(document_id) for document_id in EVIL_IDS]
    assert all(is_safe_relative_path(path) for path in paths), paths
    assert len({stem.lower() for stem in stems}) == len(EVIL_IDS)
    assert all(len(stem) <= 64 for stem in stems)
    assert safe_file_stem("12345") == "12345"
    assert safe_file_stem("plain_id-1") == "plain_id-1"
    assert safe_file_stem("../x") == safe_file_stem("../x")


@pytest.mark.parametrize(
    "path",
    ["", "/abs", "../a", "a/../b", "a/./b", "a//b", ".hidden", "a\\b", "a/b\x00"],
)
def test_unsafe_relative_paths_are_refused(path: str) -> None:
    assert not is_safe_relative_path(path)


def test_safe_relative_paths_are_accepted() -> None:
    assert is_safe_relative_path("articles/article12.txt")


# ------------------------------------------------------- input and options


def _doc(**changes: Any) -> ExportDocument:
    base: dict[str, Any] = {
        "id": "d",
        "text": "abc def",
        "spans": (ExportSpan(0, 3, "claim", "s1"), ExportSpan(4, 7, "denial", "s2")),
        "links": (ExportLink("s2", "s1"),),
    }
    return ExportDocument(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"spans": (ExportSpan(0, 9, "claim", "s1"),), "links": ()}, "past the end"),
        ({"spans": (ExportSpan(2, 2, "claim", "s1"),), "links": ()}, "greater than"),
        (
            {"spans": (ExportSpan(0, 1, "claim", "s"), ExportSpan(1, 2, "claim", "s"))},
            "duplicate span id",
        ),
        ({"links": (ExportLink("s2", "nope"),)}, "unknown span id 'nope'"),
        ({"split": "validation"}, "split 'validation'"),
    ],
)
@pytest.mark.parametrize("name", format_names())
def test_bad_input_is_refused_naming_the_document(
    name: str, changes: dict[str, Any], message: str, run: Run
) -> None:
    with pytest.raises(ExportInputError, match=message) as raised:
        run(get_format(name), [_doc(**changes)])
    assert "document 'd'" in str(raised.value)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({1: "x"}, "meta: key 1 is not a string"),
        ({"when": object()}, "meta.when: object is not a JSON value"),
        ({"a": [{"score": float("nan")}]}, r"meta.a\[0\].score: nan is not"),
    ],
)
def test_meta_must_be_plain_json(meta: dict[Any, Any], message: str, run: Run) -> None:
    with pytest.raises(ExportInputError, match=message):
        run(get_format("jsonl"), [_doc(meta=meta)])


def test_link_to_a_dropped_span_is_counted(run: Run) -> None:
    document = _doc(
        spans=(ExportSpan(0, 3, "claim", "s1"), ExportSpan(4, 7, "x", "s2"))
    )
    output = run(get_format("jsonl"), [document])
    assert lines(output.main)[0]["links"] == []
    assert output.stats.dropped == {"label_not_exported": 1}
    assert output.stats.links_dropped == {"link_endpoint_not_exported": 1}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"misaligned": "snap"}, "misaligned"),
        ({"bio_overlap": "merge"}, "bio_overlap"),
        ({"doccano_offsets": "bytes"}, "doccano_offsets"),
        ({"labels": ()}, "at least one"),
        ({"labels": ("claim", "claim")}, "repeat"),
        ({"labels": ("Claim\t",)}, "not a label name"),
        ({"bio_priority": ("claim", "claim")}, "repeat"),
    ],
)
def test_options_are_validated(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExportOptions(**options)


def test_options_and_stats_serialise_for_the_manifest(
    documents: list[ExportDocument], run: Run
) -> None:
    assert json.loads(json.dumps(ExportOptions().to_dict()))["labels"][0] == "claim"
    stats = run(get_format("hf-bio"), documents).stats.to_dict()
    assert set(stats["reasons"]) == {
        *stats["dropped"],
        *stats["links_dropped"],
        *stats["cut_in_pieces"],
        *stats["adjusted"],
    }


def test_canonical_sorts_nested_keys() -> None:
    assert json.dumps(canonical({"b": {"d": 1, "c": (2, 3)}, "a": None})) == (
        '{"a": null, "b": {"c": [2, 3], "d": 1}}'
    )


# ------------------------------------------------------------- properties

SPAN_DROPS = {
    "label_not_exported",
    "whitespace_only",
    "off_token_boundary",
    "bio_overlap",
    "duplicate_span",
}


@pytest.mark.parametrize("name", format_names())
def test_every_input_span_is_written_or_counted_as_dropped(
    name: str, documents: list[ExportDocument], run: Run
) -> None:
    stats = run(get_format(name), documents).stats
    dropped = sum(n for reason, n in stats.dropped.items() if reason in SPAN_DROPS)
    assert sum(stats.spans.values()) + dropped == sum(len(d.spans) for d in documents)
    assert set(stats.dropped) | set(stats.cut) | set(stats.adjusted) <= set(REASONS)


RANDOM_TEXTS = [
    "The 👨\u200d👩\u200d👧 family denied it.\r\n東京の報道は誤り。  It may be.",
    "a  b\tc\r\nd 👍🏽e\u0301f 🇺🇦🇺🇦x\u2028y",
    " x y ",
]


@st.composite
def random_documents(draw: st.DrawFn) -> ExportDocument:
    text = draw(st.sampled_from(RANDOM_TEXTS))
    edges = st.integers(0, len(text))
    labels = st.sampled_from(["claim", "denial", "hedge", "false_flag_warning"])
    pairs = draw(st.lists(st.tuples(edges, edges, labels), max_size=12))
    spans = tuple(
        ExportSpan(min(a, b), max(a, b), label, f"s{i}")
        for i, (a, b, label) in enumerate(pairs)
        if a != b
    )
    return ExportDocument("d", text, spans=spans)


def write_one(name: str, document: ExportDocument, options: ExportOptions) -> Any:
    output = run_format(get_format(name), [document], options)
    return json.loads(output.main), output.stats


@settings(max_examples=150, deadline=None)
@given(
    document=random_documents(),
    policy=st.sampled_from(["expand", "contract", "drop"]),
    overlap=st.sampled_from(["drop", "split"]),
)
def test_token_formats_hold_their_invariants_on_random_spans(
    document: ExportDocument, policy: Any, overlap: Any
) -> None:
    from spacy.tokens import Doc

    options = ExportOptions(misaligned=policy, bio_overlap=overlap)
    task, stats = write_one("spacy", document, options)
    words = [token["text"] for token in task["tokens"]]
    doc = Doc(
        blank_pipeline().vocab, words=words, spaces=[t["ws"] for t in task["tokens"]]
    )
    assert doc.text == document.text
    for span in task["spans"]:
        char_span = doc.char_span(span["start"], span["end"])
        assert char_span is not None
        assert (
            char_span.text == span["text"] == document.text[span["start"] : span["end"]]
        )
        assert (char_span.start, char_span.end - 1) == (
            span["token_start"],
            span["token_end"],
        )
    dropped = sum(stats.dropped.values())
    assert sum(stats.spans.values()) + dropped == len(document.spans)

    row, stats = write_one("hf-bio", document, options)
    assert_valid_bio(row["ner_tags"])
    dropped = sum(stats.dropped.values())
    assert sum(stats.spans.values()) + dropped == len(document.spans)


@functools.cache
def blank_pipeline() -> Any:
    import spacy

    return spacy.blank("en")


def test_json_lines_escape_every_unicode_line_break_and_keep_big_integers() -> None:
    value = {"text": "a\u0085b\u2028c\u2029d\r\ne", "big": 2**70, "n": -(2**63)}
    line = json_line(value)
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    decoded = line.decode("utf-8")
    assert len(decoded.splitlines()) == 1
    for escape in ("\\u0085", "\\u2028", "\\u2029"):
        assert escape in decoded
    assert json.loads(decoded) == value


def test_json_lines_keep_other_characters_raw() -> None:
    # Characters whose UTF-8 shares bytes with the line breaks above.
    text = "\u201cno\u201d \u2014 \u00a8\u00a9 \u2027\u202a \U0001f44d\U0001f3fd"
    line = json_line({"text": text})
    assert line == ('{"text":"' + text + '"}\n').encode("utf-8")


def test_every_line_writes_floats_alike_even_beside_big_integers() -> None:
    plain = json_line({"p": 1e-05, "q": 3.2e-07})
    with_big_int = json_line({"p": 1e-05, "q": 3.2e-07, "n": 2**70, "m": [-(2**64)]})
    assert plain == b'{"p":0.00001,"q":3.2e-7}\n'
    assert with_big_int == (
        b'{"p":0.00001,"q":3.2e-7,"n":1180591620717411303424,'
        b'"m":[-18446744073709551616]}\n'
    )
