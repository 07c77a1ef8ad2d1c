"""The conll writer, read back by a plain reader, by csv and by spaCy."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.training.converters import conll_ner_to_docs

from annotator.core.exports import (
    CONLL,
    HF_BIO,
    ExportDocument,
    ExportOptions,
    ExportSpan,
)
from annotator.core.exports.stats import NO_SPLIT
from tests.core.exports.conftest import (
    fixture_documents,
    fixture_records,
    run_format,
)

DOCSTART = "-DOCSTART-"

Sentence = list[tuple[str, str]]


def read_conll(data: bytes) -> list[list[Sentence]]:
    """Blocks of sentences of (token, tag), as a CoNLL reader sees them:
    blocks begin at -DOCSTART- lines, sentences end at blank lines."""
    blocks: list[list[Sentence]] = []
    sentence: Sentence = []
    for line in data.decode("utf-8").split("\n"):
        if line.startswith(DOCSTART):
            assert not sentence, "a block began inside a sentence"
            blocks.append([])
        elif line == "":
            if sentence:
                blocks[-1].append(sentence)
            sentence = []
        else:
            token, tag = line.split(" ")
            assert token
            assert not token.isspace()
            sentence.append((token, tag))
    assert not sentence, "the file does not end with a blank line"
    return blocks


def read_sidecar(data: bytes) -> list[tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), "excel-tab"))
    assert rows[0] == ["id", "annotator"]
    return [(row[0], row[1]) for row in rows[1:]]


def flat(block: list[Sentence]) -> tuple[list[str], list[str]]:
    pairs = [pair for sentence in block for pair in sentence]
    return [token for token, _ in pairs], [tag for _, tag in pairs]


def hf_lines(records: list[ExportDocument], options: ExportOptions) -> list[dict]:
    output = run_format(HF_BIO, records, options)
    return [json.loads(line) for line in output.main.decode("utf-8").splitlines()]


def splits_in(records: list[ExportDocument]) -> tuple[str, ...]:
    return tuple(
        s for s in ("train", "dev", "test") if any(r.split == s for r in records)
    )


def gold_layer() -> list[ExportDocument]:
    return [replace(document, split=None) for document in fixture_documents()]


CASES = {
    "annotators layer, split": (fixture_records, True),
    "gold layer, no split": (gold_layer, False),
}


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest) -> tuple[list[ExportDocument], ExportOptions]:
    make, split = CASES[request.param]
    records = make()
    return records, ExportOptions(splits=splits_in(records) if split else ())


def test_blocks_are_hf_bio_tokens_and_tags_in_sentences(case) -> None:
    records, options = case
    output = run_format(CONLL, records, options)
    expected = hf_lines(records, options)
    by_split: dict[str | None, list[dict]] = {}
    for line in expected:
        by_split.setdefault(line["split"], []).append(line)
    for split in options.splits or (None,):
        name = f"{split or 'data'}"
        blocks = read_conll(output.data[f"{name}.conll"])
        lines = by_split.get(split, [])
        assert [flat(block) for block in blocks] == [
            (line["tokens"], line["ner_tags"]) for line in lines
        ]
        assert read_sidecar(output.data[f"{name}.docs.tsv"]) == [
            (line["id"], line["annotator"] or "") for line in lines
        ]
    assert output.stats.dropped == run_format(HF_BIO, records, options).stats.dropped


def test_no_sentence_starts_inside_a_span(case) -> None:
    records, options = case
    output = run_format(CONLL, records, options)
    for name, data in output.data.items():
        if name.endswith(".conll"):
            for block in read_conll(data):
                assert all(not sentence[0][1].startswith("I-") for sentence in block)


def test_counts_equal_a_recount_of_the_files(case) -> None:
    records, options = case
    output = run_format(CONLL, records, options)
    stats = output.stats
    for split in options.splits or (None,):
        name = split or "data"
        blocks = read_conll(output.data[f"{name}.conll"])
        recount = Counter(
            tag[2:] for block in blocks for tag in flat(block)[1] if tag[:2] == "B-"
        )
        counts = stats.splits[split or NO_SPLIT]
        assert dict(counts.spans) == dict(recount)
        assert counts.records == len(blocks)
        assert stats.data_files[split or NO_SPLIT] == (
            f"{name}.conll",
            f"{name}.docs.tsv",
        )
    assert sum(stats.spans.values()) == sum(
        sum(split.spans.values()) for split in stats.splits.values()
    )


def test_the_annotators_records_are_kept_apart() -> None:
    output = run_format(CONLL, fixture_records())
    sidecar = read_sidecar(output.data["train.docs.tsv"])
    assert sidecar == [
        ("doc-1", "annotator-1"),
        ("doc-1", "annotator-2"),
        ("doc-1", "annotator-3"),
    ]
    blocks = read_conll(output.data["train.conll"])
    tags = [flat(block)[1] for block in blocks]
    assert set(tags[2]) == {"O"}  # annotator-3 drew nothing
    assert tags[0] != tags[1]
    # annotator-1's claim on "the café was shelled" lies inside their own
    # denial and gives way to it; annotator-2 drew the same claim without a
    # denial, and keeps it: the overlap rule never looks across annotators.
    words = flat(blocks[0])[0]
    the = words.index("the")
    assert (tags[0][the], tags[1][the]) == ("I-denial", "B-claim")
    assert tags[1][words.index("👨\u200d👩\u200d👧")] == "B-claim"


def test_sentences_of_the_fixture_break_at_line_breaks_and_full_stops() -> None:
    output = run_format(CONLL, gold_layer(), ExportOptions())
    blocks = read_conll(output.data["data.conll"])
    first = [" ".join(token for token, _ in sentence) for sentence in blocks[0]]
    assert first == [
        "The ministry said 👍🏽 troops left Crimea .",
        "The 👨\u200d👩\u200d👧 family denied that the cafe\u0301 was shelled .",
        "東京の報道は誤りだと述べた 。",
        "It may be a false flag .",
    ]
    second = [" ".join(token for token, _ in sentence) for sentence in blocks[1]]
    # U+2028 is a line break; the guillemets close nothing here.
    assert second == ["Nothing to see here 🇺🇦 ,", "said « nobody » ."]


def sentences_of(text: str, spans: tuple[ExportSpan, ...] = ()) -> list[str]:
    document = ExportDocument(id="d", text=text, spans=spans)
    output = run_format(CONLL, [document], ExportOptions())
    (block,) = read_conll(output.data["data.conll"])
    return [" ".join(token for token, _ in sentence) for sentence in block]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It fell. Then it rose.", ["It fell .", "Then it rose ."]),
        ('He said "no." Then left', ['He said " no . "', "Then left"]),
        ("Really?! Yes...", ["Really ? !", "Yes . . ."]),
        ("(It fell.) Next", ["( It fell . )", "Next"]),
        ("It is 3.5 km. Far", ["It is 3 . 5 km .", "Far"]),
        ("Wait… what", ["Wait …", "what"]),
        ("述べた。次の文。", ["述べた 。", "次の文 。"]),
        ("「誤りだ。」と述べた", ["「 誤りだ 。 」", "と述べた"]),
        ("one\r\ntwo\n\nthree\u2029four", ["one", "two", "three", "four"]),
        ("no stop at the end", ["no stop at the end"]),
    ],
)
def test_sentence_rule(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_no_break_inside_a_span_even_at_a_full_stop_or_line_break() -> None:
    text = "It fell. Then\r\nit rose. Done."
    start = text.index("fell")
    span = ExportSpan(start, text.index(" Done"), "claim", "s")
    assert sentences_of(text, (span,)) == ["It fell . Then it rose .", "Done ."]


def test_a_record_without_tokens_is_an_empty_block() -> None:
    documents = [
        ExportDocument(id="blank", text=" \r\n "),
        ExportDocument(id="word", text="Word", spans=(ExportSpan(0, 4, "claim", "a"),)),
    ]
    output = run_format(CONLL, documents, ExportOptions())
    assert output.data["data.conll"] == (
        b"-DOCSTART- -X- O O\n\n-DOCSTART- -X- O O\n\nWord B-claim\n\n"
    )
    assert read_sidecar(output.data["data.docs.tsv"]) == [("blank", ""), ("word", "")]
    assert output.stats.records == 2


def test_sidecar_keeps_ids_with_tabs_quotes_and_line_breaks() -> None:
    ids = ["tab\there", 'quote"d', "line\nbreak", "cr\rlf", "sep\u2028x", "plain"]
    documents = [
        ExportDocument(id=doc_id, text="Hi.", annotator=f"a\t{n}")
        for n, doc_id in enumerate(ids)
    ]
    output = run_format(CONLL, documents, ExportOptions())
    assert read_sidecar(output.data["data.docs.tsv"]) == [
        (doc_id, f"a\t{n}") for n, doc_id in enumerate(ids)
    ]
    assert len(read_conll(output.data["data.conll"])) == len(ids)


def test_links_are_counted_as_not_supported() -> None:
    output = run_format(CONLL, fixture_records())
    assert output.stats.links == 0
    assert output.stats.links_dropped == {"link_not_supported": 1}


def test_every_split_gets_its_files_even_when_empty() -> None:
    records = [r for r in fixture_records() if r.split == "train"]
    options = ExportOptions(splits=("train", "dev", "test"))
    output = run_format(CONLL, records, options)
    assert output.data["dev.conll"] == b""
    assert output.data["test.docs.tsv"] == b"id\tannotator\n"
    assert output.stats.splits["dev"].records == 0


def test_spacy_reads_every_block_and_every_span_as_an_entity() -> None:
    output = run_format(CONLL, fixture_records())
    for name, data in output.data.items():
        if not name.endswith(".conll"):
            continue
        blocks = [block for block in read_conll(data) if block]
        docs = list(conll_ner_to_docs(data.decode("utf-8"), no_print=True))
        assert len(docs) == len(blocks), name
        for doc, block in zip(docs, blocks, strict=True):
            words, tags = flat(block)
            assert [token.text for token in doc] == words
            starts = [i for i, tag in enumerate(tags) if tag.startswith("B-")]
            assert [(ent.start, ent.label_) for ent in doc.ents] == [
                (i, tags[i][2:]) for i in starts
            ]
            assert [sent.text.split() for sent in doc.sents] == [
                [token for token, _ in sentence] for sentence in block
            ]


LABELS = ("claim", "denial", "hedge", "false_flag_warning")
PIECES = ["It", "fell", ".", " ", "  ", "\r\n", "\n", "!", "?", '"', ")", "3.5", "。"]


@st.composite
def documents_with_spans(draw: st.DrawFn) -> ExportDocument:
    text = "".join(draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30)))
    spans = []
    for n in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(ExportSpan(start, end, draw(st.sampled_from(LABELS)), f"s{n}"))
    return ExportDocument(id="d", text=text, spans=tuple(spans))


@settings(max_examples=200, deadline=None)
@given(st.lists(documents_with_spans(), min_size=1, max_size=3))
def test_random_records_round_trip_and_never_break_inside_a_span(
    documents: list[ExportDocument],
) -> None:
    documents = [replace(d, id=f"d{n}") for n, d in enumerate(documents)]
    options = ExportOptions()
    blocks = read_conll(run_format(CONLL, documents, options).data["data.conll"])
    expected = hf_lines(documents, options)
    assert [flat(block) for block in blocks] == [
        (line["tokens"], line["ner_tags"]) for line in expected
    ]
    for block in blocks:
        assert all(not sentence[0][1].startswith("I-") for sentence in block)
