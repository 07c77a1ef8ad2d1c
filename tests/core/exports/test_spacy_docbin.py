"""The spacy-docbin writer, read back with DocBin and trained on by spacy train."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import spacy
from spacy.cli.init_config import init_config
from spacy.cli.train import train
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from annotator.core.exports import (
    SPACY,
    SPACY_DOCBIN,
    ExportDocument,
    ExportInputError,
    ExportOptions,
    ExportUnavailableError,
)
from annotator.core.exports.spacy_docbin import SPANS_KEY
from annotator.core.exports.stats import NO_SPLIT
from tests.core.exports.conftest import (
    MemoryOutput,
    fixture_documents,
    fixture_records,
    run_format,
    splits_of,
)


def docs_of(data: bytes) -> list[Doc]:
    return list(DocBin().from_bytes(data).get_docs(Vocab()))


def spacy_lines(records: list[ExportDocument], options: ExportOptions) -> list[dict]:
    output = run_format(SPACY, records, options)
    return [json.loads(line) for line in output.main.decode("utf-8").splitlines()]


def spans_of(doc: Doc) -> list[tuple[int, int, str]]:
    return [(s.start_char, s.end_char, s.label_) for s in doc.spans[SPANS_KEY]]


def gold_layer() -> list[ExportDocument]:
    return [replace(document, split=None) for document in fixture_documents()]


@pytest.fixture(params=["annotators layer, split", "gold layer, no split"])
def case(request: pytest.FixtureRequest) -> tuple[list[ExportDocument], ExportOptions]:
    if request.param == "gold layer, no split":
        return gold_layer(), ExportOptions()
    records = fixture_records()
    return records, ExportOptions(splits=splits_of(records))


def test_every_record_is_a_doc_with_its_text_spans_and_meta(case) -> None:
    records, options = case
    output = run_format(SPACY_DOCBIN, records, options)
    assert output.data == {}  # written whole, one file per split
    expected = spacy_lines(records, options)
    docs: list[Doc] = []
    for split in options.splits or (None,):
        docs += docs_of(output.files[f"{split or 'data'}.spacy"])
    expected.sort(
        key=lambda line: (options.splits or (None,)).index(line["meta"]["split"])
    )
    assert len(docs) == len(records)
    for doc, line in zip(docs, expected, strict=True):
        assert doc.text == line["text"]
        assert [token.text for token in doc] == [t["text"] for t in line["tokens"]]
        assert spans_of(doc) == [
            (s["start"], s["end"], s["label"]) for s in line["spans"]
        ]
        for span in doc.spans[SPANS_KEY]:
            assert span.text == doc.text[span.start_char : span.end_char]
        assert doc.user_data == line["meta"]


def test_texts_are_kept_exactly_crlf_and_all(records: list[ExportDocument]) -> None:
    output = run_format(SPACY_DOCBIN, records)
    (first, *_) = docs_of(output.files["train.spacy"])
    assert first.text == records[0].text
    assert "\r\n" in first.text
    assert "e\u0301" in first.text


def test_overlapping_and_nested_spans_are_all_kept(
    records: list[ExportDocument],
) -> None:
    output = run_format(SPACY_DOCBIN, records)
    first, second, third = docs_of(output.files["train.spacy"])
    text = first.text
    denial = text.index("denied")
    shelled = text.index(" was shelled") + len(" was shelled")
    the = text.index("the cafe")
    spans = spans_of(first)
    # annotator-1: a claim nested in their denial, a hedge inside a false
    # flag warning: BIO would have to drop one of each.
    assert (denial, shelled, "denial") in spans
    assert (the, shelled, "claim") in spans
    may = text.index("may")
    assert (may, may + 3, "hedge") in spans
    assert (may, text.index("flag") + 4, "false_flag_warning") in spans
    # annotator-2 drew one span twice: it is there once.
    assert len(spans_of(second)) == len(set(spans_of(second)))
    assert spans_of(third) == []
    assert [doc.user_data["annotator"] for doc in (first, second, third)] == [
        "annotator-1",
        "annotator-2",
        "annotator-3",
    ]


def test_counts_equal_a_recount_of_the_files(case, tmp_path: Path) -> None:
    records, options = case
    output = run_format(SPACY_DOCBIN, records, options)
    stats = output.stats
    for split in options.splits or (None,):
        name = f"{split or 'data'}.spacy"
        (tmp_path / name).write_bytes(output.files[name])
        docs = list(DocBin().from_disk(tmp_path / name).get_docs(Vocab()))
        recount = Counter(span.label_ for doc in docs for span in doc.spans[SPANS_KEY])
        counts = stats.splits[split or NO_SPLIT]
        assert dict(counts.spans) == dict(recount)
        assert counts.records == len(docs)
        assert stats.data_files[split or NO_SPLIT] == (name,)
    assert (
        output.stats.links_dropped
        == run_format(SPACY, records, options).stats.links_dropped
    )


def test_every_split_gets_a_file_even_when_empty() -> None:
    records = [r for r in fixture_records() if r.split == "train"]
    options = ExportOptions(splits=("train", "dev", "test"))
    output = run_format(SPACY_DOCBIN, records, options)
    assert sorted(output.files) == ["dev.spacy", "test.spacy", "train.spacy"]
    assert docs_of(output.files["dev.spacy"]) == []
    assert len(docs_of(output.files["train.spacy"])) == 3


def test_without_spacy_the_format_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(sys.modules):
        if name == "spacy" or name.startswith("spacy."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "spacy", None)
    output = MemoryOutput()
    with pytest.raises(ExportUnavailableError) as raised:
        SPACY_DOCBIN.write(iter(fixture_records()), output, ExportOptions())
    assert str(raised.value) == (
        "format 'spacy-docbin' needs the package 'spacy', which is not installed: "
        "pip install 'framing-annotator[spacy]'"
    )
    assert isinstance(raised.value, ExportInputError)  # the service's one-liner
    assert output.streams == {}
    assert output.whole == {}


def test_spacy_train_runs_spancat_on_the_exported_files(tmp_path: Path) -> None:
    records = fixture_records()
    output = run_format(SPACY_DOCBIN, records)
    for name, data in output.files.items():
        (tmp_path / name).write_bytes(data)
    config = init_config(lang="en", pipeline=["spancat"], optimize="efficiency")
    assert config["components"]["spancat"]["spans_key"] == SPANS_KEY
    config_path = tmp_path / "config.cfg"
    config.to_disk(config_path)
    model = tmp_path / "model"
    train(
        config_path,
        model,
        overrides={
            "paths.train": str(tmp_path / "train.spacy"),
            "paths.dev": str(tmp_path / "dev.spacy"),
            "training.max_steps": 2,
            "training.eval_frequency": 1,
        },
    )
    nlp = spacy.load(model / "model-last")
    assert set(nlp.get_pipe("spancat").labels) == set(
        output.stats.splits["train"].spans
    )
    doc = nlp(records[0].text)
    assert doc.text == records[0].text
    assert SPANS_KEY in doc.spans
