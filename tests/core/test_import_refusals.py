"""Every refusal and warning of the other tools' parsers, and the sniffer."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from annotator.core.importing import ImportFileError
from annotator.core.importing.reading import ImportOptions, ReadResult, read_files
from annotator.core.importing.sniff import sniff
from annotator.core.labels import DEFAULT_LABELS

LABELS = frozenset(spec.name for spec in DEFAULT_LABELS)
TEXT = "Officials 👍🏽 deny that the bridge fell."


def read(name: str, data: bytes | str, source: str, **options: Any) -> ReadResult:
    raw = data.encode() if isinstance(data, str) else data
    chosen = ImportOptions(source_format=source, **options)
    return read_files([(name, raw)], chosen, labels=LABELS, max_bytes=1_000_000)


def refused(name: str, data: bytes | str, source: str, **options: Any) -> str:
    with pytest.raises(ImportFileError) as caught:
        read(name, data, source, **options)
    return str(caught.value)


def task(result: list[dict[str, Any]], **extra: Any) -> str:
    annotation = {"completed_by": 7, "result": result, **extra}
    return json.dumps([{"id": 1, "data": {"text": TEXT}, "annotations": [annotation]}])


def region(rid: str, part: str, label: str) -> dict[str, Any]:
    start = TEXT.index(part)
    value = {"start": start, "end": start + len(part), "labels": [label]}
    return {"id": rid, "type": "labels", "value": value}


# ---------------------------------------------------------------- Label Studio


def test_label_studio_left_relation_swaps_its_ends_and_two_way_warns():
    spans = [region("d", "deny", "denial"), region("c", "the bridge fell", "claim")]
    left = {"type": "relation", "from_id": "c", "to_id": "d", "direction": "left"}
    result = read(
        "t.json", task([*spans, {**left, "labels": ["denies"]}]), "labelstudio"
    )
    (link,) = result.documents[0].annotations[0].links
    assert (link.source, link.target) == (0, 1)
    both = {"type": "relation", "from_id": "d", "to_id": "c", "direction": "bi"}
    warned = read(
        "t.json", task([*spans, {**both, "labels": ["denies"]}]), "labelstudio"
    )
    assert warned.report.warnings == [
        "two-way Label Studio relations are imported as from → to links"
    ]


def test_label_studio_unlabelled_relation_needs_a_map():
    spans = [region("d", "deny", "denial"), region("c", "the bridge fell", "claim")]
    relation = {"type": "relation", "from_id": "d", "to_id": "c"}
    message = refused("t.json", task([*spans, relation]), "labelstudio")
    assert "relation type 'relation' fits no link kind" in message
    mapped = read(
        "t.json",
        task([*spans, relation]),
        "labelstudio",
        label_map={"relation": "denies"},
    )
    assert mapped.documents[0].annotations[0].links[0].kind == "denies"


def test_label_studio_relation_to_a_missing_region_is_refused():
    relation = {"type": "relation", "from_id": "d", "to_id": "zz", "labels": ["denies"]}
    message = refused(
        "t.json", task([region("d", "deny", "denial"), relation]), "labelstudio"
    )
    assert "annotations[0].result[1].target\": no span with id 'zz'" in message


def test_label_studio_shapes_it_cannot_read_are_named():
    assert 'field "task 0 (id 1): annotations[0].completed_by": must be' in refused(
        "t.json", task([], completed_by=None), "labelstudio"
    )
    no_text = json.dumps([{"id": 3, "data": {"body": TEXT}}])
    assert 'field "task 0 (id 3): data.text": is required' in refused(
        "t.json", no_text, "labelstudio"
    )
    assert "invalid JSON" in refused("t.json", "[{", "labelstudio")
    bad_region = task([{"id": "r", "type": "labels", "value": {"start": "0"}}])
    message = refused("t.json", bad_region, "labelstudio")
    assert "(region 'r').value.start\": must be an integer" in message


def test_label_studio_offsets_inside_a_surrogate_pair_are_refused_as_utf16():
    start = TEXT.index("👍")
    bad = {"id": "r", "type": "labels", "value": {"start": start + 1, "end": start + 3}}
    bad["value"]["labels"] = ["hedge"]
    message = refused("t.json", task([bad]), "labelstudio", offsets="utf16")
    assert "falls inside the surrogate pair" in message
    assert "(offsets read as UTF-16 code units)" in message


# ---------------------------------------------------------------- doccano


def test_doccano_annotator_key_names_the_annotator_over_the_file_name():
    line = {"id": 5, "text": TEXT, "label": [[0, 9, "claim"]], "annotator": "carol"}
    result = read("data.jsonl", json.dumps(line), "doccano")
    assert result.documents[0].annotations[0].annotator == "carol"


def test_doccano_malformed_labels_are_named():
    line = {"text": TEXT, "label": [[0, 9], [0, "9", "claim"], "x"]}
    message = refused("a.jsonl", json.dumps(line), "doccano")
    assert 'a.jsonl line 1, field "label[0]": must be [start, end, label]' in message
    assert 'field "label[1][1]": must be an integer' in message
    assert 'field "label[2]": must be [start, end, label]' in message


def test_doccano_zip_that_unpacks_beyond_the_limit_or_is_broken_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("alice.jsonl", b" " * 2_000_000)
    message = refused("export.zip", archive.getvalue(), "doccano")
    assert message.startswith("export.zip: unpacks to 2000000 bytes; the limit")
    assert "not a zip" in refused("export.zip", b"PK\x03\x04broken", "doccano")


# ---------------------------------------------------------------- Prodigy


def test_prodigy_spans_without_offsets_or_tokens_are_refused():
    line = {
        "text": TEXT,
        "spans": [
            {"label": "claim"},
            {"token_start": 0, "token_end": 9, "label": "claim"},
        ],
    }
    line["tokens"] = [{"start": 0, "end": 9, "id": 0}]
    message = refused("p.jsonl", json.dumps(line), "prodigy")
    assert (
        'field "spans[0]": has neither start/end nor token_start/token_end' in message
    )
    assert 'field "spans[1].token_end": no token 9 with a end offset' in message


def test_prodigy_ignored_answers_are_skipped():
    lines = [{"text": TEXT, "answer": "ignore"}, {"text": "Other.", "answer": "accept"}]
    result = read("p.jsonl", "\n".join(map(json.dumps, lines)), "prodigy")
    assert [doc.text for doc in result.documents] == ["Other."]
    assert result.report.skipped == {"ignore answer": 1}


# ---------------------------------------------------------------- brat


def brat(ann: str, text: str = TEXT, **options: Any) -> ReadResult:
    files = [("x/d.ann", ann.encode()), ("x/d.txt", text.encode())]
    return read_files(
        files, ImportOptions("brat", **options), labels=LABELS, max_bytes=1_000_000
    )


def test_brat_problems_name_their_lines():
    ann = "T1\tclaim 0 9\tOfficials\nR1\tdenies Arg1:T1\nA1\tsource T9 x\nX1\tweird\n"
    with pytest.raises(ImportFileError) as caught:
        brat(ann)
    assert str(caught.value).splitlines() == [
        'x/d.ann line 2, field "R1": expected ID<TAB>Type Arg1:T1 Arg2:T2',
        "x/d.ann line 4: unknown annotation kind 'X1'",
        'x/d.ann line 3, field "A1": refers to no span of this file',
    ]


def test_brat_span_text_must_match_the_text_file():
    with pytest.raises(ImportFileError, match="'Officiels' is not the text at 0-9"):
        brat("T1\tclaim 0 9\tOfficiels\n")


def test_brat_refuses_files_that_are_not_standoff():
    files = [("x/annotation.conf", b"[entities]")]
    with pytest.raises(ImportFileError, match=r"'\.conf' files are not brat standoff"):
        read_files(files, ImportOptions("brat"), labels=LABELS, max_bytes=1000)


# ---------------------------------------------------------------- CoNLL


def test_conll_bioes_tags_and_a_stray_i_tag():
    data = "A\tS-claim\nb\tB-hedge\nc\tE-hedge\nd\tI-denial\ne\tI-denial\n"
    result = read("x.conll", data, "conll")
    (document,) = result.documents
    assert document.text == "A b c d e"
    found = [
        (document.text[s.start : s.end], s.label) for s in document.annotations[0].spans
    ]
    assert found == [("A", "claim"), ("b c", "hedge"), ("d e", "denial")]
    assert result.report.skipped == {"I- tag without B- (span started there)": 1}


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("name", "data", "wanted"),
    [
        ("a.zip", b"PK\x03\x04...", "doccano"),
        ("a.ann", b"", "brat"),
        ("a.txt", b"T1\tClaim 0 5\tHello\nT2\tHedge 6 9\tabc\n", "brat"),
        (
            "a.csv",
            b"annotation_id,annotator,id,label,text\n1,a,1,[],x\n",
            "labelstudio",
        ),
        ("a.jsonl", b'{"data": {"text": "x"}, "annotations": []}\n', "labelstudio"),
        ("a.jsonl", b'{"text": "x", "entities": [], "relations": []}\n', "doccano"),
        ("a.conll", b"-DOCSTART- -X- O\n", "conll"),
        (
            "a.jsonl",
            b'{"text": "x", "annotations": [{"annotator": "a", "spans": []}]}\n',
            "native",
        ),
    ],
)
def test_sniff_recognises_each_tool(name: str, data: bytes, wanted: str):
    guess = sniff(name, data)
    assert guess is not None
    assert guess.source_format == wanted


@pytest.mark.parametrize(
    "data",
    [
        b'{"text": "just a text"}\n',
        b"Officials said the bridge fell.\nOthers doubt it.\n",
        b"id,title,text\n1,A,Some text\n",
    ],
)
def test_sniff_claims_nothing_when_the_content_fits_several_formats(data: bytes):
    assert sniff("a.txt", data) is None


def test_an_encrypted_zip_is_a_problem_not_a_crash() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("alice.jsonl", '{"text": "a", "label": []}\n')
    data = bytearray(buffer.getvalue())
    # Mark the member encrypted (general purpose flag bit 0) in the local
    # header (offset 6) and the central directory entry (offset 8).
    data[6] |= 1
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 1
    assert "encrypted" in refused("export.zip", bytes(data), "doccano")
