"""Records per annotator and counts per split, for every line-based format:
what the manifest says is what a reader finds in the files."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from annotator.core.exports import ExportDocument, ExportOptions, get_format
from tests.core.exports.conftest import splits_of

Run = Callable[..., Any]

LINE_FORMATS = ["jsonl", "spacy", "hf-bio", "doccano"]


def doccano_label(record: dict[str, Any]) -> list[list[Any]]:
    """A doccano line's spans as [start, end, label], in either shape."""
    if "label" in record:
        return list(record["label"])
    return [
        [e["start_offset"], e["end_offset"], e["label"]] for e in record["entities"]
    ]


def split_of(name: str) -> str:
    return name.rsplit("/", 1)[-1].split(".", 1)[0]


def json_lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines()]


def labels_in(name: str, record: dict[str, Any]) -> list[str]:
    """The labels of the spans a reader of format ``name`` finds in a record."""
    if name in ("jsonl", "spacy"):
        return [span["label"] for span in record["spans"]]
    if name == "doccano":
        return [label for _, _, label in doccano_label(record)]
    return [tag[2:] for tag in record["ner_tags"] if tag.startswith("B-")]


def annotator_of(name: str, record: dict[str, Any]) -> Any:
    return record["meta"]["annotator"] if name == "spacy" else record["annotator"]


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_counts_per_split_and_label_equal_a_recount_of_the_files(
    name: str, records: list[ExportDocument], run: Run
) -> None:
    output = run(get_format(name), records)
    found: dict[str, Counter[str]] = {}
    lines: Counter[str] = Counter()
    for file_name, data in output.data.items():
        split = split_of(file_name)
        for record in json_lines(data):
            lines[split] += 1
            found.setdefault(split, Counter()).update(labels_in(name, record))
    stats = output.stats
    assert set(stats.splits) == {"train", "dev", "test"}
    for split, counts in stats.splits.items():
        assert dict(counts.spans) == dict(found.get(split, {})), split
        assert counts.records == lines[split]
    assert sum(stats.spans.values()) == sum(sum(c.values()) for c in found.values())


def test_semeval_counts_equal_the_lines_of_each_annotators_files(
    records: list[ExportDocument], run: Run
) -> None:
    output = run(get_format("semeval-tsv"), records)
    found: dict[str, Counter[str]] = {}
    for file_name, data in output.data.items():
        for line in data.decode("utf-8").splitlines():
            found.setdefault(split_of(file_name), Counter())[line.split("\t")[1]] += 1
    for split, counts in output.stats.splits.items():
        assert dict(counts.spans) == dict(found.get(split, {}))
    folders = {name.split("/")[1] for name in output.data}
    assert folders == {"annotator-1", "annotator-2", "annotator-3"}


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_each_record_is_one_annotator_and_names_them(
    name: str, records: list[ExportDocument], run: Run
) -> None:
    output = run(get_format(name), records)
    written = [
        (record.get("id") or record["meta"]["id"], annotator_of(name, record))
        for data in output.data.values()
        for record in json_lines(data)
    ]
    expected = [(r.id, r.annotator) for r in records]
    assert sorted(written) == sorted(expected)
    if name == "jsonl":
        for data in output.data.values():
            for record in json_lines(data):
                assert all(
                    span["annotators"] == [record["annotator"]]
                    for span in record["spans"]
                )


@pytest.mark.parametrize("name", ["spacy", "hf-bio", "doccano", "semeval-tsv"])
def test_a_span_drawn_twice_by_one_annotator_is_written_once(
    name: str, records: list[ExportDocument], run: Run
) -> None:
    second = [r for r in records if r.annotator == "annotator-2" and r.id == "doc-1"]
    keys = [(s.start, s.end, s.label) for s in second[0].spans]
    assert len(keys) == len(set(keys)) + 1  # the fixture repeats one span
    stats = run(get_format(name), second).stats
    assert stats.dropped.get("duplicate_span") == 1


def test_bio_overlaps_are_resolved_within_one_annotator_only(
    records: list[ExportDocument], run: Run
) -> None:
    # annotator-1's claim "the café was shelled" nests in their denial; it is
    # dropped. annotator-2's identical claim, with no denial, stays.
    rows = json_lines(run(get_format("hf-bio"), records).data["train.jsonl"])
    by_annotator = {row["annotator"]: row for row in rows}
    cafe = by_annotator["annotator-1"]["tokens"].index("cafe\u0301")
    assert by_annotator["annotator-1"]["ner_tags"][cafe] == "I-denial"
    assert by_annotator["annotator-2"]["ner_tags"][cafe] == "I-claim"


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_every_split_gets_its_file_even_when_empty(name: str, run: Run) -> None:
    document = ExportDocument("only", "One text.", split="train")
    options = ExportOptions(splits=("train", "dev", "test"))
    output = run(get_format(name), [document], options)
    assert sorted(output.data) == sorted(
        f"{split}.jsonl" for split in ("train", "dev", "test")
    )
    assert output.data["dev.jsonl"] == output.data["test.jsonl"] == b""
    assert output.stats.data_files == {
        "dev": ("dev.jsonl",),
        "test": ("test.jsonl",),
        "train": ("train.jsonl",),
    }


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_without_split_one_data_file(
    name: str, records: list[ExportDocument], run: Run
) -> None:
    unsplit = [ExportDocument(**{**_fields(r), "split": None}) for r in records]
    output = run(get_format(name), unsplit, ExportOptions())
    assert list(output.data) == ["data.jsonl"]
    assert set(output.stats.splits) == {"none"}
    assert splits_of(unsplit) == ()


def _fields(record: ExportDocument) -> dict[str, Any]:
    return {field: getattr(record, field) for field in record.__slots__}


@pytest.mark.parametrize("name", LINE_FORMATS)
def test_a_record_in_a_split_the_export_has_not_is_refused(name: str, run: Run) -> None:
    document = ExportDocument("d", "text", split="dev")
    with pytest.raises(ValueError, match="split 'dev' is not one of train, test"):
        run(get_format(name), [document], ExportOptions(splits=("train", "test")))
