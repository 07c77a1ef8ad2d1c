"""Ours → doccano → ours and ours → Label Studio JSON → ours are identical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.core.offsets import GraphemeIndex
from annotator.extensions import db
from annotator.models import Document, Project, Span, SpanLink, User
from annotator.services import exports, importing
from annotator.services.documents import import_files

TEXTS = [
    "Vaccines 💉 work.\r\nThey don't 👩‍👩‍👧 hide chips; "
    "the cafe\u0301 owner denies it.",
    "疫苗很安全 🇫🇷 says the minister, but officials deny it 👍🏽 maybe.",
    "Plain ASCII: the mayor said the bridge is safe, engineers deny it.",
]


def spans_on(text: str, *parts: tuple[str, str]) -> list[dict[str, object]]:
    found = []
    for part, label in parts:
        start = text.index(part)
        found.append({"start": start, "end": start + len(part), "label": label})
    return found


def native_lines(with_extras: bool) -> bytes:
    lines = []
    for number, text in enumerate(TEXTS, 1):
        alice = spans_on(
            text,
            (text.split()[0], "claim"),
            (text.split()[-2], "denial"),
            (text[:12].strip(), "hedge"),  # overlaps the first
        )
        bob = spans_on(text, (text.split()[1], "claim"))
        blocks: list[dict[str, object]] = [
            {"annotator": "alice", "spans": alice},
            {"annotator": "bob", "spans": bob},
        ]
        if with_extras:
            alice[0]["note"] = "quoted 👍🏽"
            alice[0]["attributes"] = {"source": "the minister"}
            for span, span_id in zip(alice, ("c", "d", "h"), strict=True):
                span["id"] = span_id
            blocks[0]["links"] = [{"source": "d", "target": "c", "kind": "denies"}]
        for block in blocks:
            for span in block["spans"]:
                start, end = GraphemeIndex(text).snap(span["start"], span["end"])
                span["start"], span["end"] = start, end
        record = {"id": f"doc-{number}", "text": text, "annotations": blocks}
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def stored(project: Project) -> dict[tuple[str, str], object]:
    """Per (document id, annotator): text, spans and links as a reader sees them."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Document.external_id, Document.text, User.username, Span)
        .join(Span, Span.document_id == Document.id)
        .join(User, User.id == Span.annotator_id)
        .where(Document.project_id == project.id)
    ).all()
    found: dict[tuple[str, str], dict[str, object]] = {}
    by_id = {}
    for external_id, text, username, span in rows:
        entry = found.setdefault(
            (external_id, username), {"text": text, "spans": [], "links": []}
        )
        key = (span.start, span.end, span.label.name)
        by_id[span.id] = key
        entry["spans"].append((*key, dict(span.attributes), span.note))
    for link in db.session.scalars(select(SpanLink)):
        if link.source_id in by_id:
            for entry in found.values():
                if by_id[link.source_id][:3] in [s[:3] for s in entry["spans"]]:
                    entry["links"].append(
                        (by_id[link.source_id], by_id[link.target_id], link.kind)
                    )
                    break
    for entry in found.values():
        entry["spans"] = sorted(entry["spans"])
        entry["links"] = sorted(entry["links"])
    return dict(sorted(found.items()))


def exported(project: Project, tmp_path: Path, fmt: str, **settings: object) -> Path:
    chosen = exports.ExportSettings(format=fmt, pseudonymise=False, **settings)  # type: ignore[arg-type]
    result = exports.write_export(
        db.session, project, chosen, tmp_path / "exports", out_dir=tmp_path / fmt
    )
    return result.folder


@pytest.mark.parametrize(
    ("export_offsets", "import_offsets"),
    [(None, None), ("utf16", "utf16"), ("codepoints", "codepoints")],
)
def test_ours_to_doccano_to_ours_is_identical(
    project, other_project, tmp_path, export_offsets, import_offsets
):
    import_files(db.session, project, [("ours.jsonl", native_lines(False))])
    folder = exported(project, tmp_path, "doccano", offsets=export_offsets)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["format"]["doccano_offsets"] == (
        "code_points" if export_offsets == "codepoints" else "utf16"
    )
    data = (folder / "data.jsonl").read_bytes()
    options = importing.ImportOptions("doccano", offsets=import_offsets)
    importing.import_files(db.session, other_project, [("data.jsonl", data)], options)
    assert len(stored(project)) == 6  # three documents, two annotators each
    assert stored(other_project) == stored(project)


def without_notes(found: dict[tuple[str, str], object]) -> dict[object, object]:
    """``stored`` without attributes and notes, which doccano has no place for."""
    return {
        key: {**entry, "spans": [span[:3] for span in entry["spans"]]}
        for key, entry in found.items()
    }


@pytest.mark.parametrize("export_offsets", ["utf16", "codepoints"])
def test_ours_to_doccano_to_ours_keeps_links_as_relations(
    project, other_project, tmp_path, export_offsets
):
    import_files(db.session, project, [("ours.jsonl", native_lines(True))])
    folder = exported(project, tmp_path, "doccano", offsets=export_offsets)
    records = [
        json.loads(line)
        for line in (folder / "data.jsonl").read_text("utf-8").splitlines()
    ]
    linked = [r for r in records if r["annotator"] == "alice" and r["relations"]]
    assert len(linked) == 3
    first = linked[0]
    assert "label" not in first
    assert [e["id"] for e in first["entities"]] == [1, 2, 3]
    entity = {e["id"]: e for e in first["entities"]}
    (relation,) = first["relations"]
    assert set(relation) == {"id", "from_id", "to_id", "type"}
    assert relation["type"] == "denies"
    assert entity[relation["from_id"]]["label"] == "denial"
    assert entity[relation["to_id"]]["label"] == "claim"
    bob = next(r for r in records if r["annotator"] == "bob")
    # One shape for every line, so one doccano relation project reads them all.
    assert "label" not in bob
    assert bob["relations"] == []
    assert [e["label"] for e in bob["entities"]] == ["claim"]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["format"]["doccano_shape"] == "relations"
    assert manifest["counts"]["links"] == 3
    data = (folder / "data.jsonl").read_bytes()
    offsets = "utf16" if export_offsets == "utf16" else "codepoints"
    options = importing.ImportOptions("doccano", offsets=offsets)
    importing.import_files(db.session, other_project, [("data.jsonl", data)], options)
    theirs = without_notes(stored(other_project))
    assert theirs == without_notes(stored(project))
    assert sum(len(entry["links"]) for entry in theirs.values()) == 3


def test_doccano_label_shape_on_request_drops_links_and_says_so(
    project, other_project, tmp_path
):
    import_files(db.session, project, [("ours.jsonl", native_lines(True))])
    folder = exported(project, tmp_path, "doccano", doccano_shape="label")
    records = [
        json.loads(line)
        for line in (folder / "data.jsonl").read_text("utf-8").splitlines()
    ]
    assert all(set(r) == {"id", "text", "label", "annotator", "split"} for r in records)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["options"]["format"]["doccano_shape"] == "label"
    assert manifest["counts"]["links_dropped"] == {"doccano_label_shape": 3}
    assert "doccano_label_shape" in manifest["counts"]["reasons"]
    data = (folder / "data.jsonl").read_bytes()
    options = importing.ImportOptions("doccano", offsets="utf16")
    importing.import_files(db.session, other_project, [("data.jsonl", data)], options)
    theirs = without_notes(stored(other_project))
    ours = without_notes(stored(project))
    assert theirs == {k: {**v, "links": []} for k, v in ours.items()}


def test_doccano_without_links_is_sequence_labelling_unless_asked(project, tmp_path):
    import_files(db.session, project, [("ours.jsonl", native_lines(False))])
    plain = exported(project, tmp_path, "doccano")
    first = json.loads((plain / "data.jsonl").read_text("utf-8").splitlines()[0])
    assert "label" in first
    assert "entities" not in first
    asked = exported(project, tmp_path / "asked", "doccano", doccano_shape="relations")
    first = json.loads((asked / "data.jsonl").read_text("utf-8").splitlines()[0])
    assert "label" not in first
    assert first["relations"] == []


def test_doccano_shape_is_refused_for_other_formats_and_unknown_values(
    project, tmp_path
):
    for fmt, shape, named in [
        ("jsonl", "label", "doccano format only"),
        ("doccano", "graph", "one of auto, label, relations"),
    ]:
        with pytest.raises(exports.OptionRefused, match=named) as caught:
            exported(project, tmp_path, fmt, doccano_shape=shape)
        assert caught.value.field == "doccano_shape"


def test_ours_to_label_studio_to_ours_is_identical_with_links_notes_attributes(
    project, other_project, tmp_path
):
    import_files(db.session, project, [("ours.jsonl", native_lines(True))])
    folder = exported(project, tmp_path, "labelstudio")
    tasks = json.loads((folder / "data.json").read_text("utf-8"))
    assert [task["data"]["external_id"] for task in tasks] == [
        "doc-1",
        "doc-2",
        "doc-3",
    ]
    assert [a["completed_by"] for a in tasks[0]["annotations"]] == ["alice", "bob"]
    data = (folder / "data.json").read_bytes()
    options = importing.ImportOptions("labelstudio")
    outcome = importing.import_files(
        db.session, other_project, [("data.json", data)], options
    )
    assert outcome.report.offsets["code points"] == 2
    assert stored(other_project) == stored(project)
    assert any(entry["links"] for entry in stored(project).values())  # type: ignore[index]


def test_pseudonymised_label_studio_export_imports_under_the_pseudonyms(
    project, other_project, tmp_path
):
    import_files(db.session, project, [("ours.jsonl", native_lines(False))])
    chosen = exports.ExportSettings(format="labelstudio")
    folder = exports.write_export(
        db.session, project, chosen, tmp_path / "exports", out_dir=tmp_path / "ls"
    ).folder
    data = (folder / "data.json").read_bytes()
    shown = importing.preview(
        db.session,
        other_project,
        [("data.json", data)],
        importing.ImportOptions("labelstudio"),
    )
    assert sorted(shown.annotators) == ["annotator-1", "annotator-2"]
