"""Other tools' files read into our documents (pure: no database)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from annotator.core.importing import ImportedDocument, ImportFileError
from annotator.core.importing.reading import ImportOptions, ReadResult, read_files
from annotator.core.labels import DEFAULT_LABELS

DATA = Path(__file__).parents[1] / "data" / "imports"
LABELS = frozenset(spec.name for spec in DEFAULT_LABELS)
UPPER = {"CLAIM": "claim", "DENIAL": "denial", "HEDGE": "hedge"}
UPPER |= {"REFUTES": "denies", "refutes": "denies"}
TITLE = {"Claim": "claim", "Denial": "denial", "Hedge": "hedge"}
TITLE |= {"Refutes": "denies", "refutes": "denies"}
T1 = (
    "Vaccines 💉 work.\r\nThey don't 👩‍👩‍👧 hide chips; the cafe\u0301 owner denies it."
)


def fixture(*names: str) -> list[tuple[str, bytes]]:
    return [(Path(name).name, (DATA / name).read_bytes()) for name in names]


def read(files: list[tuple[str, bytes]], source: str, **options: Any) -> ReadResult:
    chosen = ImportOptions(source_format=source, **options)
    return read_files(files, chosen, labels=LABELS, max_bytes=10_000_000)


def refused(files: list[tuple[str, bytes]], source: str, **options: Any) -> str:
    with pytest.raises(ImportFileError) as caught:
        read(files, source, **options)
    return str(caught.value)


def spans(document: ImportedDocument) -> dict[str, list[tuple[str, str]]]:
    """Each annotator's spans as (text, label), the way a reader checks them."""
    return {
        block.annotator: [
            (document.text[span.start : span.end], span.label) for span in block.spans
        ]
        for block in document.annotations
    }


# ---------------------------------------------------------------- doccano


def test_doccano_files_per_annotator_join_into_documents_utf16_repaired():
    result = read(
        fixture("doccano/alice.jsonl", "doccano/bob.jsonl"), "doccano", label_map=UPPER
    )
    first, second = result.documents
    assert first.text == T1  # CRLF kept
    assert spans(first) == {
        "alice": [
            ("Vaccines 💉 work.", "claim"),
            ("hide chips", "claim"),
            ("cafe\u0301 owner denies it", "denial"),
        ],
        "bob": [("Vaccines 💉 work.", "claim"), ("owner denies it", "denial")],
    }
    # bob left the second document alone: no empty annotation is stored.
    assert list(spans(second)) == ["alice"]
    assert result.report.skipped["empty doccano annotation"] == 1
    assert result.report.offsets["UTF-16 code units"] == 2
    assert "alice.jsonl line 1: offsets read as UTF-16" in result.report.conversions[0]


def test_doccano_offsets_read_as_code_points_when_told_are_refused_by_character():
    message = refused(
        fixture("doccano/alice.jsonl"),
        "doccano",
        label_map=UPPER,
        offsets="codepoints",
    )
    assert message.startswith(
        'alice.jsonl line 1, field "label[2]": offset 76 is outside 0..73 '
        "(offsets read as code points)"
    )


def test_doccano_zip_holds_one_file_per_annotator():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for name in ("alice.jsonl", "bob.jsonl"):
            zipped.writestr(name, (DATA / "doccano" / name).read_bytes())
        zipped.writestr("carol.jsonl", b"")  # an annotator who did nothing
    result = read([("export.zip", archive.getvalue())], "doccano", label_map=UPPER)
    assert sorted(spans(result.documents[0])) == ["alice", "bob"]


def test_doccano_shared_file_imports_under_one_identity_with_a_warning():
    result = read(fixture("doccano/all.jsonl"), "doccano", label_map=UPPER)
    assert list(spans(result.documents[0])) == ["doccano"]
    assert "cannot be told apart" in result.report.warnings[0]
    renamed = read(
        fixture("doccano/all.jsonl"),
        "doccano",
        label_map=UPPER,
        annotator_map={"doccano": "alice"},
    )
    assert list(spans(renamed.documents[0])) == ["alice"]


def test_doccano_relations_become_links_when_their_type_is_mapped():
    result = read(fixture("doccano/relations.jsonl"), "doccano", label_map=UPPER)
    (block,) = result.documents[0].annotations
    (link,) = block.links
    assert (block.spans[link.source].label, block.spans[link.target].label) == (
        "denial",
        "claim",
    )
    assert link.kind == "denies"


def test_doccano_relation_type_without_a_link_kind_is_refused_clearly():
    labels_only = {key: value for key, value in UPPER.items() if value != "denies"}
    message = refused(
        fixture("doccano/relations.jsonl"), "doccano", label_map=labels_only
    )
    assert 'relations.jsonl line 1, field "relations[0].type"' in message
    assert "relation type 'refutes' fits no link kind" in message
    assert "--label-map 'refutes=KIND'" in message


def test_unknown_labels_are_refused_unless_mapped():
    message = refused(fixture("doccano/alice.jsonl"), "doccano")
    assert 'alice.jsonl line 1, field "label[0].label"' in message
    assert "unknown label 'CLAIM'" in message
    assert "--label-map 'CLAIM=LABEL'" in message


# ---------------------------------------------------------------- Label Studio


def test_label_studio_json_one_annotation_per_completed_by():
    result = read(fixture("labelstudio/tasks.json"), "labelstudio", label_map=TITLE)
    first, second = result.documents
    assert first.external_id == "101"
    assert first.meta == {"source_url": "https://example.org/1"}
    assert sorted(spans(first)) == ["bob@example.org", "labelstudio-user-1"]
    assert spans(second)["labelstudio-user-1"][0] == ("疫苗很安全", "claim")
    (link,) = first.annotations[0].links
    assert link.kind == "denies"
    skipped = result.report.skipped
    assert skipped["cancelled annotation"] == 1
    assert skipped["prediction"] == 1
    assert skipped["choices result"] == 1


def test_label_studio_utf16_offsets_are_found_by_value_text():
    old = read(fixture("labelstudio/tasks_utf16.json"), "labelstudio", label_map=TITLE)
    new = read(fixture("labelstudio/tasks.json"), "labelstudio", label_map=TITLE)
    assert [spans(doc) for doc in old.documents] == [
        spans(doc) for doc in new.documents
    ]
    assert "span texts match 5 of 5 spans as UTF-16" in old.report.conversions[0]


def test_label_studio_value_text_mismatch_names_file_task_and_region():
    tasks = json.loads((DATA / "labelstudio" / "tasks.json").read_text("utf-8"))
    tasks[0]["annotations"][0]["result"][1]["value"]["text"] = "hide chops"
    data = json.dumps(tasks).encode()
    message = refused(
        [("tasks.json", data)], "labelstudio", label_map=TITLE, offsets="codepoints"
    )
    assert (
        "tasks.json, field \"task 0 (id 101): annotations[0].result[1] (region 'a1')"
        in message
    )
    assert "'hide chops' is not the text at" in message


def test_label_studio_json_min_csv_and_tsv_group_rows_into_documents():
    from_min = read(fixture("labelstudio/min.json"), "labelstudio", label_map=TITLE)
    from_csv = read(fixture("labelstudio/export.csv"), "labelstudio", label_map=TITLE)
    tsv = (DATA / "labelstudio" / "export.tsv").read_bytes()
    from_tsv = read([("export.tsv", tsv)], "labelstudio", label_map=TITLE)
    assert [spans(d) for d in from_tsv.documents] == [
        spans(d) for d in from_csv.documents
    ]
    for result in (from_min, from_csv):
        first, second = result.documents
        assert sorted(spans(first)) == ["alice@example.org", "bob@example.org"]
        assert spans(second)["alice@example.org"][2] == ("maybe", "hedge")
    assert [spans(d) for d in from_min.documents] == [
        spans(d) for d in from_csv.documents
    ]


# ---------------------------------------------------------------- Prodigy


def test_prodigy_token_end_is_inclusive_and_rejects_are_skipped():
    result = read(fixture("prodigy/news.jsonl"), "prodigy", label_map=UPPER)
    (document,) = result.documents
    found = spans(document)
    # news-alice's second span has token indices only: token_end inclusive.
    assert found["news-alice"] == [
        ("The mayor said", "claim"),
        ("officials deny it", "denial"),
    ]
    assert found["news-bob"] == [("The mayor said", "claim")]
    assert document.annotations[0].links[0].kind == "denies"
    assert result.report.skipped["reject answer"] == 1


def test_prodigy_token_end_read_as_exclusive_is_refused():
    line = json.loads(
        (DATA / "prodigy" / "news.jsonl").read_text("utf-8").split("\n")[0]
    )
    line["spans"][0]["token_end"] += 1  # as if exclusive
    message = refused(
        [("p.jsonl", json.dumps(line).encode())], "prodigy", label_map=UPPER
    )
    assert 'p.jsonl line 1, field "spans[0].token_end"' in message
    assert "token_end inclusive" in message


# ---------------------------------------------------------------- brat


def brat_files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (DATA / "brat" / name).read_bytes()) for name in names]


def test_brat_pair_keeps_source_attribute_note_and_relation():
    result = read(
        brat_files("alice/doc1.ann", "alice/doc1.txt"), "brat", label_map=TITLE
    )
    (document,) = result.documents
    assert document.external_id == "doc1"
    assert "\r\n" in document.text
    (block,) = document.annotations
    assert block.annotator == "alice"  # the folder names the annotator
    claim, denial, _ = block.spans
    assert claim.attributes == {"source": "minister"}
    assert denial.note == "the ministry's own words"
    assert block.links[0].source == 1
    assert result.report.skipped == {
        "brat event": 1,
        "brat attribute other than source": 1,
    }


def test_brat_discontinuous_span_is_refused_naming_the_line():
    message = refused(brat_files("broken.ann", "broken.txt"), "brat", label_map=TITLE)
    assert message == (
        "broken.ann line 1, field \"T1\": discontinuous span '0 6;15 20': "
        "only continuous spans can be imported"
    )


def test_brat_ann_without_its_text_is_refused():
    message = refused(brat_files("broken.ann"), "brat", label_map=TITLE)
    assert "no broken.txt beside it" in message


# ---------------------------------------------------------------- CoNLL


def test_conll_rebuilds_text_by_the_spacing_rule():
    result = read(fixture("conll/alice.conll"), "conll", label_map=UPPER)
    first, second = result.documents
    assert first.text == "Vaccines are safe 💉 .\nOfficials deny it 👍🏽"
    assert spans(first) == {
        "alice": [("Vaccines are safe", "claim"), ("Officials deny it", "denial")]
    }
    assert spans(second)["alice"] == [
        ("疫苗 安全", "claim"),
        ("cafe\u0301", "hedge"),
        ("maybe", "hedge"),
    ]


def test_conll_without_docstart_breaks_documents_at_blank_lines():
    data = b"A\tB-CLAIM\nb\tI-CLAIM\n\nC\tO\nd\tB-HEDGE\n"
    result = read([("bob.txt", data)], "conll", label_map=UPPER)
    assert [doc.text for doc in result.documents] == ["A b", "C d"]
    assert spans(result.documents[1]) == {"bob": [("d", "hedge")]}


def test_conll_bad_tag_names_the_line():
    message = refused([("x.conll", b"A\tB-CLAIM\nb\tX-Y\nc\n")], "conll")
    assert "x.conll line 2, field \"tag\": 'X-Y' is not O" in message
    assert "x.conll line 3: expected a token and a tag" in message


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("name", "data", "wanted"),
    [
        ("notes.txt", (DATA / "conll" / "bob.txt").read_bytes(), "conll"),
        (
            "tasks.jsonl",
            (DATA / "labelstudio" / "tasks.json").read_bytes(),
            "labelstudio",
        ),
        ("alice.jsonl", (DATA / "doccano" / "alice.jsonl").read_bytes(), "doccano"),
        ("news.jsonl", (DATA / "prodigy" / "news.jsonl").read_bytes(), "prodigy"),
    ],
)
def test_native_import_refuses_other_tools_files_naming_the_from_value(
    name: str, data: bytes, wanted: str
):
    message = refused([(name, data)], "native")
    assert message.startswith(f"{name}: looks like ")
    assert message.endswith(f"use --from {wanted}")


def test_a_foreign_format_refuses_a_file_of_another_tool():
    message = refused(fixture("doccano/alice.jsonl"), "prodigy")
    assert message.endswith("use --from doccano")


def test_a_file_of_the_wrong_extension_is_refused_listing_the_accepted_ones():
    message = refused([("tasks.xml", b"<tasks/>")], "labelstudio")
    assert message == (
        "tasks.xml: '.xml' files are not read as labelstudio "
        "(accepted: .json, .csv, .tsv)"
    )


def test_plain_prose_is_still_a_native_text_document():
    data = "Officials said the blast was an accident 👍🏽.\r\nOthers doubt it.".encode()
    result = read([("a.txt", data)], "native")
    assert result.documents[0].text.endswith("Others doubt it.")


# ---------------------------------------------------------------- maps


def test_annotators_mapped_onto_one_name_in_one_document_are_refused():
    message = refused(
        fixture("doccano/alice.jsonl", "doccano/bob.jsonl"),
        "doccano",
        label_map=UPPER,
        annotator_map={"bob": "alice"},
    )
    assert "annotator 'alice' appears twice" in message


def test_annotator_names_we_cannot_store_ask_for_a_map():
    data = (DATA / "doccano" / "all.jsonl").read_bytes()
    message = refused(
        [("all.jsonl", data)],
        "doccano",
        label_map=UPPER,
        annotator_map={"doccano": "Ann Smith"},
    )
    assert "use only letters, digits" in message


def test_the_same_document_with_another_text_in_two_files_is_refused():
    one = b'{"id": 1, "text": "A claim.", "label": [[0, 1, "CLAIM"]]}\n'
    two = b'{"id": 1, "text": "Another.", "label": []}\n'
    message = refused([("a.jsonl", one), ("b.jsonl", two)], "doccano", label_map=UPPER)
    assert "document '1' has another text at a.jsonl line 1" in message


def test_options_that_do_not_apply_are_refused():
    assert "native files hold code points" in refused(
        [("a.txt", b"x")], "native", offsets="utf16"
    )
    assert "--split paragraphs applies to native" in refused(
        [("a.conll", b"x\tO\n")], "conll", split_paragraphs=True
    )


# ---------------------------------------------------------- offset report


def _doccano_line(doc_id: str, text: str, part: str, shift: int) -> str:
    start = text.index(part) + shift
    label = [[start, start + len(part), "CLAIM"]]
    return json.dumps({"id": doc_id, "text": text, "label": label})


def test_auto_reports_each_decision_and_warns_when_a_file_contradicts_itself():
    emoji = "Wow 💉 the mayor said it 👍🏽 here."
    lines = [
        _doccano_line("as-points", emoji, "the mayor said it", 0),  # code points
        _doccano_line("as-utf16", emoji, "the mayor said it", 1),  # UTF-16
        _doccano_line("ascii", "The mayor said it.", "mayor", 0),
    ]
    data = ("\n".join(lines) + "\n").encode()
    result = read([("mixed.jsonl", data)], "doccano", label_map=UPPER)
    notes = {note.document: note for note in result.report.decisions}
    assert notes["as-points"].units == "codepoints"
    assert notes["as-utf16"].units == "utf16"
    assert notes["ascii"].units == "same"
    assert "both readings are the same offsets" in notes["ascii"].evidence
    assert any(
        warning.startswith("mixed.jsonl: its documents' offsets were decided")
        and "as-points" in warning
        and "as-utf16" in warning
        for warning in result.report.warnings
    )


def test_auto_says_when_only_word_edges_decided():
    text = "Wow 💉 claims here and more words there"
    start = text.index("claims") + 1  # whole words only as UTF-16
    line = {"id": "w", "text": text, "label": [[start, start + 6, "CLAIM"]]}
    data = (json.dumps(line) + "\n").encode()
    result = read([("w.jsonl", data)], "doccano", label_map=UPPER)
    assert result.report.decisions[0].weak
    assert "only word edges" in result.report.conversions[0]
    assert any("weak evidence" in w and "w" in w for w in result.report.warnings)


def test_detect_reads_with_the_format_the_files_show_and_says_why():
    result = read(fixture("doccano/alice.jsonl"), "detect", label_map=UPPER)
    assert result.options.source_format == "doccano"
    assert result.detection is not None
    assert result.detection.findings[0].startswith("alice.jsonl: looks like a doccano")
    message = refused(
        fixture("doccano/alice.jsonl", "labelstudio/tasks.json"), "detect"
    )
    assert "the files look like different formats" in message
