"""Parsing uploaded .txt, .jsonl and .csv files into documents to import."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from annotator.core.importing import (
    MAX_PROBLEMS,
    ImportedAnnotation,
    ImportedDocument,
    ImportFileError,
    ImportProblem,
    parse_import_file,
    text_sha256,
)
from annotator.core.labels import DEFAULT_LABELS
from annotator.core.spans import Link, Span

LABELS = frozenset(spec.name for spec in DEFAULT_LABELS)
LIMIT = 1_000_000
EMOJI_TEXT = "Vaccines 💉 work.\r\nThey don't 👩‍👩‍👧 hide chips."


def parse(filename: str, data: bytes | str, **options: Any) -> list[ImportedDocument]:
    if isinstance(data, str):
        data = data.encode("utf-8")
    options.setdefault("max_bytes", LIMIT)
    return parse_import_file(filename, data, labels=LABELS, **options)


def problems(filename: str, data: bytes | str, **options: Any) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        parse(filename, data, **options)
    assert caught.value.problems, "an ImportFileError always carries problems"
    return [str(problem) for problem in caught.value.problems]


def only_problem(filename: str, data: bytes | str, **options: Any) -> str:
    found = problems(filename, data, **options)
    assert len(found) == 1, found
    return found[0]


def jsonl(*records: object) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def annotated(spans: list[Any], links: list[Any] | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"annotator": "alice", "spans": spans}
    if links is not None:
        block["links"] = links
    return {"id": "a1", "text": EMOJI_TEXT, "annotations": [block]}


def derived(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- problems and errors ------------------------------------------------------


def test_problem_str_names_file_line_and_field() -> None:
    problem = ImportProblem(
        "articles.jsonl", 3, "annotations[0].spans[2].end", "4100 is past the end"
    )
    assert str(problem) == (
        'articles.jsonl line 3, field "annotations[0].spans[2].end": '
        "4100 is past the end"
    )
    assert str(ImportProblem("a.csv", None, None, "file is empty")) == (
        "a.csv: file is empty"
    )


def test_span_past_the_end_reads_like_the_documentation() -> None:
    text = "x" * 3029
    spans = [{"start": 0, "end": 1, "label": "claim"}] * 2
    spans.append({"start": 4000, "end": 4100, "label": "claim"})
    record = {"text": text, "annotations": [{"annotator": "alice", "spans": spans}]}
    data = jsonl({"text": "one"}, {"text": "two"}, record)
    assert only_problem("articles.jsonl", data) == (
        'articles.jsonl line 3, field "annotations[0].spans[2].end": '
        "4100 is past the end of the text (3029)"
    )


def test_error_str_lists_every_problem() -> None:
    data = jsonl({"text": ""}, {"text": 5})
    with pytest.raises(ImportFileError) as caught:
        parse("a.jsonl", data)
    assert str(caught.value).splitlines() == [
        'a.jsonl line 1, field "text": must not be empty or only whitespace',
        'a.jsonl line 2, field "text": must be a string',
    ]
    assert not caught.value.truncated


def test_problems_are_capped() -> None:
    data = "[]\n" * (MAX_PROBLEMS + 10)
    with pytest.raises(ImportFileError) as caught:
        parse("many.jsonl", data)
    assert len(caught.value.problems) == MAX_PROBLEMS
    assert caught.value.truncated
    assert str(caught.value).endswith(f"(stopped after {MAX_PROBLEMS} problems)")


# --- file-level problems ----------------------------------------------------


@pytest.mark.parametrize("filename", ["notes.docx", "notes", "notes.json"])
def test_unsupported_type_lists_accepted_types(filename: str) -> None:
    message = only_problem(filename, "hello")
    assert message.startswith(f"{filename}: ")
    assert ".txt, .jsonl, .csv" in message


def test_file_larger_than_limit() -> None:
    assert only_problem("big.txt", "x" * 11, max_bytes=10) == (
        "big.txt: file is 11 bytes; the limit is 10 bytes"
    )


def test_invalid_utf8_names_line_and_byte_offset() -> None:
    data = b'{"text": "ok"}\n{"text": "caf\xe9"}\n'
    assert only_problem("a.jsonl", data) == (
        "a.jsonl line 2: not valid UTF-8: byte 0xE9 at byte offset 28"
    )


def test_invalid_utf8_offset_counts_the_bom() -> None:
    data = b"\xef\xbb\xbfab\n\xff"
    assert only_problem("a.txt", data) == (
        "a.txt line 2: not valid UTF-8: byte 0xFF at byte offset 6"
    )


def test_encoded_surrogates_are_invalid_utf8() -> None:
    message = only_problem("a.txt", b"ab\xed\xa0\x80")
    assert "line 1: not valid UTF-8" in message


@pytest.mark.parametrize("filename", ["a.txt", "a.jsonl", "a.csv"])
def test_empty_file(filename: str) -> None:
    assert only_problem(filename, b"") == f"{filename}: file is empty"
    assert only_problem(filename, b"\xef\xbb\xbf") == f"{filename}: file is empty"


@pytest.mark.parametrize(
    ("filename", "data", "options"),
    [
        ("a.txt", " \r\n\t\n", {}),
        ("a.txt", "\n\n  \n", {"split_paragraphs": True}),
        ("a.jsonl", "\n  \r\n\n", {}),
        ("a.csv", "text,id\r\n", {}),
        ("a.csv", "text,id\r\n,\r\n", {}),
    ],
)
def test_file_without_documents(
    filename: str, data: str, options: dict[str, Any]
) -> None:
    assert only_problem(filename, data, **options) == (
        f"{filename}: no documents found"
    )


# --- plain text -------------------------------------------------------------


def test_txt_is_one_document_with_exact_text() -> None:
    data = b"\xef\xbb\xbf" + EMOJI_TEXT.encode("utf-8") + b"\r\n"
    [document] = parse("Reports/Vaccines.TXT", data)
    assert document == ImportedDocument(
        external_id="Vaccines",
        title="Vaccines",
        text=EMOJI_TEXT + "\r\n",
        meta={},
        annotations=(),
        source="Reports/Vaccines.TXT",
    )


def test_txt_windows_path_uses_the_stem() -> None:
    [document] = parse("C:\\Users\\ann\\notes.txt", "hello")
    assert document.external_id == "notes"


def test_txt_split_paragraphs_keeps_lines_exactly() -> None:
    data = "  First 💉 line \r\n\r\n\t\nsecond\rstill second\nlast"
    documents = parse("notes.txt", data, split_paragraphs=True)
    assert [(d.external_id, d.title, d.text, d.source) for d in documents] == [
        ("notes-1", "notes-1", "  First 💉 line ", "notes.txt line 1"),
        ("notes-4", "notes-4", "second\rstill second", "notes.txt line 4"),
        ("notes-5", "notes-5", "last", "notes.txt line 5"),
    ]


def test_split_paragraphs_only_affects_txt() -> None:
    [document] = parse("a.jsonl", jsonl({"text": "a\nb"}), split_paragraphs=True)
    assert document.text == "a\nb"


def test_txt_nul_names_its_line() -> None:
    assert only_problem("a.txt", "one\ntwo\nth\x00ree") == (
        "a.txt line 3: contains a NUL character (U+0000) at position 10"
    )


def test_txt_split_nul_names_its_line() -> None:
    found = problems("a.txt", "ok\nb\x00d\n\x00", split_paragraphs=True)
    assert found == [
        "a.txt line 2: contains a NUL character (U+0000) at position 1",
        "a.txt line 3: contains a NUL character (U+0000) at position 0",
    ]


def test_txt_stem_too_long_for_an_id() -> None:
    message = only_problem("x" * 201 + ".txt", "hello")
    assert "longer than 200 characters" in message


# --- JSON lines: good input ----------------------------------------------------


def test_jsonl_fields_and_annotations_round_trip() -> None:
    claim_start = EMOJI_TEXT.index("They")
    record = {
        "id": 7,
        "title": "Chips 💉",
        "meta": {"source": "example.org", "year": 2021},
        "text": EMOJI_TEXT,
        "annotations": [
            {
                "annotator": "alice",
                "spans": [
                    {"id": "c", "start": 0, "end": 16, "label": "claim"},
                    {
                        "id": 2,
                        "start": claim_start,
                        "end": len(EMOJI_TEXT),
                        "label": "denial",
                        "attributes": {"source": "the ministry"},
                        "note": "quoted",
                    },
                ],
                "links": [{"source": 2, "target": "c", "kind": "denies"}],
            },
            {"annotator": "bob.smith@example.org", "spans": []},
        ],
    }
    [document] = parse("articles.jsonl", json.dumps(record, ensure_ascii=False))
    assert document == ImportedDocument(
        external_id="7",
        title="Chips 💉",
        text=EMOJI_TEXT,
        meta={"source": "example.org", "year": 2021},
        annotations=(
            ImportedAnnotation(
                "alice",
                (
                    Span(0, 16, "claim"),
                    Span(
                        claim_start,
                        len(EMOJI_TEXT),
                        "denial",
                        {"source": "the ministry"},
                        "quoted",
                    ),
                ),
                (Link(1, 0, "denies"),),
            ),
            ImportedAnnotation("bob.smith@example.org", (), ()),
        ),
        source="articles.jsonl line 1",
    )
    spans = document.annotations[0].spans
    assert document.text[spans[0].start : spans[0].end] == "Vaccines 💉 work."
    assert document.text[spans[1].start : spans[1].end].startswith("They don't 👩")


def test_jsonl_link_kind_defaults_to_denies() -> None:
    record = annotated(
        [
            {"id": 1, "start": 0, "end": 8, "label": "claim"},
            {"id": 2, "start": 18, "end": 28, "label": "denial"},
        ],
        [{"source": 2, "target": 1}],
    )
    [document] = parse("a.jsonl", jsonl(record))
    assert document.annotations[0].links == (Link(1, 0, "denies"),)


def test_jsonl_crlf_lines_blank_lines_and_escaped_crlf() -> None:
    data = '\r\n{"text": "a\\r\\nb"}\r\n\r\n  \r\n{"text": "c", "title": null}\r\n'
    documents = parse("a.jsonl", data)
    assert [(d.text, d.source, d.title) for d in documents] == [
        ("a\r\nb", "a.jsonl line 2", ""),
        ("c", "a.jsonl line 5", ""),
    ]


def test_jsonl_without_id_gets_a_stable_derived_id() -> None:
    data = jsonl({"text": EMOJI_TEXT}, {"text": "other"})
    first = parse("a.jsonl", data)
    assert first[0].external_id == derived(EMOJI_TEXT)
    assert first[0].external_id.startswith("sha256:")
    assert len(first[0].external_id) == len("sha256:") + 16
    assert parse("renamed.jsonl", data) == [
        ImportedDocument(
            d.external_id, d.title, d.text, source=f"renamed{d.source[1:]}"
        )
        for d in first
    ]


def test_text_sha256_hashes_utf8() -> None:
    expected = hashlib.sha256(EMOJI_TEXT.encode("utf-8")).hexdigest()
    assert text_sha256(EMOJI_TEXT) == expected


@given(
    text=st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=1,
    ).filter(str.strip),
    data=st.data(),
    ensure_ascii=st.booleans(),
)
def test_jsonl_offsets_round_trip(
    text: str, data: st.DataObject, ensure_ascii: bool
) -> None:
    # Span edges between characters as a reader sees them (an edge inside a
    # grapheme cluster, e.g. between "0" and a skin tone, is refused).
    edges = [0, *itertools.accumulate(len(c) for c in regex.findall(r"\X", text))]
    bounds = st.sampled_from(edges)
    pairs = data.draw(st.lists(st.tuples(bounds, bounds), max_size=5))
    spans = [
        {"start": min(pair), "end": max(pair), "label": "hedge"}
        for pair in pairs
        if pair[0] != pair[1]
    ]
    record = {"text": text, "annotations": [{"annotator": "a", "spans": spans}]}
    line = json.dumps(record, ensure_ascii=ensure_ascii)
    [document] = parse("a.jsonl", line)
    assert document.text == text
    parsed = document.annotations[0].spans
    assert [(s.start, s.end) for s in parsed] == [(s["start"], s["end"]) for s in spans]


# --- JSON lines: problems ------------------------------------------------------


def test_jsonl_malformed_line_names_line_and_json_message() -> None:
    data = '{"text": "ok"}\n{"text": "a",}\n'
    assert only_problem("a.jsonl", data) == (
        "a.jsonl line 2: invalid JSON: Expecting property name enclosed in "
        "double quotes (column 14)"
    )


def test_jsonl_rejects_nan() -> None:
    message = only_problem("a.jsonl", '{"text": "a", "meta": {"x": NaN}}')
    assert message == "a.jsonl line 1: invalid JSON: NaN is not valid JSON"


def test_jsonl_too_deeply_nested() -> None:
    data = '{"text": "a", "meta": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    assert only_problem("a.jsonl", data) == (
        "a.jsonl line 1: invalid JSON: nested too deeply"
    )


@pytest.mark.parametrize(
    ("line", "kind"),
    [("[1]", "an array"), ('"text"', "a string"), ("3", "a number"), ("null", "null")],
)
def test_jsonl_line_must_be_an_object(line: str, kind: str) -> None:
    assert only_problem("a.jsonl", f'{{"text": "a"}}\n{line}\n') == (
        f"a.jsonl line 2: must be a JSON object, not {kind}"
    )


def test_jsonl_collects_problems_from_every_line() -> None:
    data = jsonl({"text": "ok"}, {"title": "no text"}, {"text": "x", "id": True})
    assert problems("a.jsonl", data + "{\n") == [
        'a.jsonl line 2, field "text": is required',
        'a.jsonl line 3, field "id": must be a string or an integer',
        "a.jsonl line 4: invalid JSON: Expecting property name enclosed in "
        "double quotes (column 2)",
    ]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"text": "   \r\n"}, '"text": must not be empty or only whitespace'),
        ({"text": ["a"]}, '"text": must be a string'),
        ({"text": "a", "id": 1.5}, '"id": must be a string or an integer'),
        ({"text": "a", "id": " "}, '"id": must not be empty'),
        ({"text": "a", "id": "x" * 201}, '"id": longer than 200 characters'),
        ({"text": "a", "title": 3}, '"title": must be a string'),
        ({"text": "a", "title": "t" * 501}, '"title": longer than 500 characters'),
        ({"text": "a", "meta": []}, '"meta": must be an object'),
        ({"text": "a", "meta": "x"}, '"meta": must be an object'),
        ({"text": "a", "annotations": {}}, '"annotations": must be a list'),
        ({"text": "a", "labels": []}, '"labels": unknown field (expected: '),
        ({"text": "a\x00b"}, '"text": contains a NUL character (U+0000) at position 1'),
        (
            {"text": "a\ud83db"},
            '"text": contains a lone surrogate (U+D83D) at position 1',
        ),
        ({"text": "a", "meta": {"k": ["\x00"]}}, '"meta.k[0]": contains a NUL'),
        ({"text": "a", "meta": {"\udc00": 1}}, '"meta.\\udc00": name contains a lone'),
    ],
)
def test_jsonl_document_field_problems(record: dict[str, Any], expected: str) -> None:
    message = only_problem("a.jsonl", json.dumps(record))
    assert message.startswith(f"a.jsonl line 1, field {expected}")
    message.encode("utf-8")  # printable even when the input was not


def test_jsonl_duplicate_id_names_both_lines() -> None:
    data = jsonl({"id": "x", "text": "a"}, {"text": "b"}, {"id": "x", "text": "c"})
    assert only_problem("a.jsonl", data) == (
        "a.jsonl line 3, field \"id\": duplicate id 'x' (also on line 1)"
    )


def test_jsonl_integer_and_string_ids_collide() -> None:
    data = jsonl({"id": 5, "text": "a"}, {"id": "5", "text": "b"})
    assert "duplicate id '5' (also on line 1)" in only_problem("a.jsonl", data)


def test_jsonl_same_text_without_ids_is_a_duplicate() -> None:
    data = jsonl({"text": "same"}, {"text": "other"}, {"text": "same"})
    message = only_problem("a.jsonl", data)
    assert message.startswith('a.jsonl line 3, field "id": duplicate id ')
    assert "(also on line 1)" in message
    assert "derived from the text" in message


SPAN = {"start": 0, "end": 8, "label": "claim"}


@pytest.mark.parametrize(
    ("spans", "links", "expected"),
    [
        (
            [SPAN, {"start": 5, "end": 5, "label": "claim"}],
            None,
            '"annotations[0].spans[1].end": must be greater than start (5 >= 5)',
        ),
        (
            [{"start": -1, "end": 3, "label": "claim"}],
            None,
            '"annotations[0].spans[0].start": -1 is negative',
        ),
        (
            [{"start": 0, "end": 3, "label": "rumour"}],
            None,
            "\"annotations[0].spans[0].label\": unknown label 'rumour' (this project "
            "has: claim, denial, false_flag_warning, hedge)",
        ),
        (
            [{"start": "0", "end": 3, "label": "claim"}],
            None,
            '"annotations[0].spans[0].start": must be an integer',
        ),
        (
            [{"start": 0, "end": 3, "label": "claim", "colour": "red"}],
            None,
            '"annotations[0].spans[0].colour": unknown field (expected: ',
        ),
        ("nope", None, '"annotations[0].spans": must be a list'),
        ([7], None, '"annotations[0].spans[0]": must be an object'),
        (
            [{**SPAN, "id": "a"}, {**SPAN, "id": "a", "label": "denial"}],
            None,
            "\"annotations[0].spans[1].id\": duplicate span id 'a' (also spans[0])",
        ),
        (
            [{**SPAN, "id": False}],
            None,
            '"annotations[0].spans[0].id": must be a string or an integer',
        ),
        (
            [{**SPAN, "id": 1}],
            [{"source": 1, "target": 9}],
            '"annotations[0].links[0].target": no span with id 9 in this annotation',
        ),
        (
            [{**SPAN, "id": 1}],
            [{"target": 1}],
            '"annotations[0].links[0].source": is required',
        ),
        (
            [{**SPAN, "id": 1}, {**SPAN, "id": 2}],
            [{"source": [1], "target": 2}],
            '"annotations[0].links[0].source": must be a span id',
        ),
        (
            [{**SPAN, "id": 1}, {**SPAN, "id": 2}],
            [{"source": 1, "target": 2, "kind": 3}],
            '"annotations[0].links[0].kind": must be a string',
        ),
        (
            [{**SPAN, "id": 1}, {**SPAN, "id": 2, "label": "denial"}],
            [{"source": 1, "target": 2}],
            "\"annotations[0].links[0].kind\": a 'denies' link cannot join claim "
            "to denial",
        ),
        (
            [{**SPAN, "id": 1}],
            [{"source": 1, "target": 1}],
            '"annotations[0].links[0].target": a span cannot link to itself',
        ),
        ([SPAN], {}, '"annotations[0].links": must be a list'),
        ([SPAN], ["x"], '"annotations[0].links[0]": must be an object'),
        (
            [{**SPAN, "id": 1}, {**SPAN, "id": 2, "label": "denial"}],
            [{"source": 2, "target": 1, "why": "x"}],
            '"annotations[0].links[0].why": unknown field',
        ),
    ],
)
def test_jsonl_annotation_problems(spans: Any, links: Any, expected: str) -> None:
    message = only_problem("a.jsonl", jsonl(annotated(spans, links)))
    assert message.startswith(f"a.jsonl line 1, field {expected}")


def test_jsonl_reports_every_bad_span() -> None:
    spans = [
        {"start": 0, "end": 500, "label": "claim"},
        SPAN,
        {"start": 3, "end": 2, "label": "nope"},
    ]
    found = problems("a.jsonl", jsonl(annotated(spans)))
    fields = [message.split('"')[1] for message in found]
    assert fields == [
        "annotations[0].spans[0].end",
        "annotations[0].spans[2].end",
        "annotations[0].spans[2].label",
    ]


@pytest.mark.parametrize(
    ("annotator", "expected"),
    [
        (None, "must be a string"),
        ("", "must be 1 to 64 characters"),
        ("a" * 65, "must be 1 to 64 characters"),
        ("alice smith", "'alice smith': use only letters, digits and _ . @ -"),
        ("alice\n", "'alice\\n': use only letters, digits and _ . @ -"),
        ("ünal", "'ünal': use only letters, digits and _ . @ -"),
    ],
)
def test_jsonl_annotator_names(annotator: Any, expected: str) -> None:
    record = {"text": "a", "annotations": [{"annotator": annotator}]}
    assert only_problem("a.jsonl", jsonl(record)) == (
        f'a.jsonl line 1, field "annotations[0].annotator": {expected}'
    )


def test_jsonl_duplicate_annotator() -> None:
    blocks = [{"annotator": "alice"}, {"annotator": "bob"}, {"annotator": "alice"}]
    data = jsonl({"text": "a"}, {"text": "b", "annotations": blocks})
    assert only_problem("a.jsonl", data) == (
        'a.jsonl line 2, field "annotations[2].annotator": '
        "duplicate annotator 'alice' (also annotations[0])"
    )


def test_jsonl_annotation_block_must_be_an_object() -> None:
    record = {"text": "a", "annotations": ["alice"]}
    assert only_problem("a.jsonl", jsonl(record)) == (
        'a.jsonl line 1, field "annotations[0]": must be an object'
    )


# --- CSV --------------------------------------------------------------------


def test_csv_columns_quoted_newlines_and_meta() -> None:
    data = (
        "id,text,title,source\r\n"
        f'1,"{EMOJI_TEXT}",First,example.org\r\n'
        "\r\n"
        ',"multi\r\nline ""quoted""",,\r\n'
        "3,plain,,x\r\n"
    )
    documents = parse("sheet.CSV", data)
    assert documents == [
        ImportedDocument(
            "1", "First", EMOJI_TEXT, {"source": "example.org"}, (), "sheet.CSV line 2"
        ),
        ImportedDocument(
            derived('multi\r\nline "quoted"'),
            "",
            'multi\r\nline "quoted"',
            {"source": ""},
            (),
            "sheet.CSV line 5",
        ),
        ImportedDocument("3", "", "plain", {"source": "x"}, (), "sheet.CSV line 7"),
    ]


def test_csv_only_text_column() -> None:
    [document] = parse("a.csv", " text \nhello\n")
    assert (document.external_id, document.title, document.meta) == (
        derived("hello"),
        "",
        {},
    )


def test_csv_without_text_column() -> None:
    assert only_problem("a.csv", "body,id\nx,1\n") == (
        'a.csv line 1: no "text" column (found: body, id)'
    )


def test_csv_header_problems() -> None:
    assert problems("a.csv", "\r\ntext,,id,id\r\nx,,1,1\r\n") == [
        "a.csv line 2: column 2 has no name",
        "a.csv line 2: column 'id' appears more than once",
    ]


def test_csv_problems_name_the_line_where_the_record_starts() -> None:
    data = 'id,text\n1,"two\nlines"\n2, \n3,"a\x00b"\n4,x,extra\n1,again\n'
    assert problems("a.csv", data) == [
        'a.csv line 4, field "text": must not be empty or only whitespace',
        'a.csv line 5, field "text": contains a NUL character (U+0000) at position 1',
        "a.csv line 6: has 3 fields but the header has 2",
        "a.csv line 7, field \"id\": duplicate id '1' (also on line 2)",
    ]


def test_csv_unclosed_quote_names_the_record_start() -> None:
    data = 'id,text\n1,ok\n2,"never closed\nmore\nmore\n'
    assert only_problem("a.csv", data) == (
        "a.csv line 3: malformed CSV record: unexpected end of data"
    )


def test_csv_bad_quoting() -> None:
    message = only_problem("a.csv", 'text\n"a"b\n')
    assert message.startswith("a.csv line 2: malformed CSV record: ")


def test_csv_id_too_long() -> None:
    assert only_problem("a.csv", f"id,text\n{'x' * 201},a\n") == (
        'a.csv line 2, field "id": longer than 200 characters'
    )


def test_csv_nul_in_meta_column() -> None:
    assert only_problem("a.csv", "text,note\nhi,a\x00\n") == (
        'a.csv line 2, field "note": contains a NUL character (U+0000) at position 1'
    )
