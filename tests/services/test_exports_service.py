"""write_export: layers, filters, splits, reproducibility, atomicity, round trip."""

from __future__ import annotations

import gc
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from annotator.core.agreement import UndefinedAgreementError, unitizing_alpha
from annotator.core.exports import JSONL
from annotator.core.exports.split import assign_split
from annotator.extensions import db
from annotator.models import Assignment, AssignmentStatus, Document, Span, SpanLink
from annotator.models import User as UserModel
from annotator.services import collector, exports
from annotator.services.documents import import_files
from annotator.services.errors import NotFoundError, ServiceError
from annotator.services.exports import (
    ExportSettings,
    disk,
    records,
    write_export,
    writing,
)
from annotator.services.exports import settings as settings_module
from annotator.services.projects import create_project

EMOJI = (
    "Kyiv 👍🏽 said:\r\n"
    "the cafe\u0301 was never shelled 👨\u200d👩\u200d👧.\r\n"
    "It may be a false flag."
)
PLAIN = "Officials claimed the bridge fell. Others denied it."
QUIET = "Nothing here."


def _span(text, needle, label, span_id, **extra):
    start = text.index(needle)
    return {
        "id": span_id,
        "start": start,
        "end": start + len(needle),
        "label": label,
        **extra,
    }


def _emoji_annotations():
    t = EMOJI
    claim = _span(t, "the cafe\u0301 was never shelled", "claim", "c")
    denial = _span(
        t,
        "was never shelled 👨\u200d👩\u200d👧",
        "denial",
        "d",
        attributes={"source": "👨\u200d👩\u200d👧"},
    )
    hedge = _span(t, "may be", "hedge", "h", note="weak ✓")
    flag = _span(t, "a false flag", "false_flag_warning", "f")
    deny = [{"source": "d", "target": "c", "kind": "denies"}]
    return [
        {"annotator": "alice", "spans": [claim, denial, hedge], "links": deny},
        {"annotator": "bob", "spans": [claim, denial, flag], "links": deny},
        {"annotator": "carol", "spans": [_span(t, "👍🏽 said", "claim", "x")]},
    ]


def _plain_annotations():
    t = PLAIN
    claim = _span(t, "the bridge fell", "claim", "c")
    return [
        {"annotator": "alice", "spans": [claim]},
        {"annotator": "bob", "spans": [claim, _span(t, "denied it", "denial", "d")]},
    ]


def seed_documents(project):
    """Three documents: emoji/CRLF with three annotators and a link, plain
    with two, and one nobody annotated."""
    lines = [
        {
            "id": "doc-emoji",
            "title": "Emoji",
            "text": EMOJI,
            "meta": {"b": 1, "a": [2]},
            "annotations": _emoji_annotations(),
        },
        {"id": "doc-plain", "text": PLAIN, "annotations": _plain_annotations()},
        {"id": "doc-quiet", "text": QUIET},
    ]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\r\n" for line in lines)
    import_files(db.session, project, [("seed.jsonl", data.encode("utf-8"))])


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


@pytest.fixture
def export_dir(app):
    return Path(app.config["EXPORT_DIR"])


def run(project, export_dir, **settings):
    return write_export(db.session, project, ExportSettings(**settings), export_dir)


def lines(result):
    """Every record of every data file, train, dev, test order."""
    records = []
    for name in exports.data_files(result.manifest):
        data = (result.folder / name).read_text("utf-8")
        records += [json.loads(line) for line in data.splitlines()]
    return records


def by_id(result):
    """Document id -> its records' lines (one per annotator, or one)."""
    documents = {}
    for line in lines(result):
        documents.setdefault(line["id"], []).append(line)
    return documents


def one_by_id(result):
    """Document id -> its one line (gold and majority layers)."""
    return {key: only for key, (only,) in by_id(result).items()}


def user_ids():
    return dict(db.session.execute(select(UserModel.username, UserModel.id)).all())


# ---------------------------------------------------------------- layers


def test_annotators_layer_writes_one_record_per_document_and_annotator(
    seeded, export_dir
):
    result = run(seeded, export_dir)
    docs = by_id(result)
    assert list(docs) == ["doc-emoji", "doc-plain"]
    # alice, bob, carol took their first assignments in that order.
    emoji = {line["annotator"]: line for line in docs["doc-emoji"]}
    assert list(emoji) == ["annotator-1", "annotator-2", "annotator-3"]
    for name, line in emoji.items():
        assert {tuple(span["annotators"]) for span in line["spans"]} <= {(name,)}
        assert all(link["source"].startswith(name + ":") for link in line["links"])
    assert [s["label"] for s in emoji["annotator-3"]["spans"]] == ["claim"]
    assert len(emoji["annotator-1"]["spans"]) == 3
    hedge = next(s for s in emoji["annotator-1"]["spans"] if s["label"] == "hedge")
    assert hedge["note"] == "weak ✓"
    assert [len(emoji[name]["links"]) for name in emoji] == [1, 1, 0]
    assert emoji["annotator-1"]["meta"] == {"a": [2], "b": 1}
    assert "alice" not in (result.folder / "data.jsonl").read_text("utf-8")
    assert result.manifest["documents"]["records"] == 5
    assert result.manifest["documents"]["exported"] == 2


def test_every_exported_span_text_is_the_slice_of_the_text(seeded, export_dir):
    for layer in ("annotators", "majority"):
        for line in lines(run(seeded, export_dir, layer=layer)):
            for span in line["spans"]:
                assert span["text"] == line["text"][span["start"] : span["end"]]
    emoji = by_id(run(seeded, export_dir))["doc-emoji"]
    texts = {span["text"] for line in emoji for span in line["spans"]}
    assert "was never shelled 👨\u200d👩\u200d👧" in texts
    assert "\r\n" in emoji[0]["text"]


def test_pseudonymise_off_writes_usernames(seeded, export_dir):
    emoji = by_id(run(seeded, export_dir, pseudonymise=False))["doc-emoji"]
    assert [line["annotator"] for line in emoji] == ["alice", "bob", "carol"]
    names = {span["annotators"][0] for line in emoji for span in line["spans"]}
    assert names == {"alice", "bob", "carol"}
    sources = {link["source"] for line in emoji for link in line["links"]}
    assert sources == {"alice:2", "bob:2"}


def test_majority_defaults_to_more_than_half_of_annotators_per_document(
    seeded, export_dir
):
    # Alpha has two annotators per document: a majority is 2.
    result = run(seeded, export_dir, layer="majority")
    assert result.manifest["options"]["min_annotators"] == 2
    emoji = one_by_id(result)["doc-emoji"]
    assert emoji["annotator"] is None
    assert [(s["label"], s["annotators"]) for s in emoji["spans"]] == [
        ("claim", ["annotator-1", "annotator-2"]),
        ("denial", ["annotator-1", "annotator-2"]),
    ]
    denial = emoji["spans"][1]
    assert denial["attributes"] == {"source": "👨\u200d👩\u200d👧"}
    assert emoji["links"] == [
        {"source": denial["id"], "target": emoji["spans"][0]["id"], "kind": "denies"}
    ]
    plain = one_by_id(result)["doc-plain"]
    assert [s["label"] for s in plain["spans"]] == ["claim"]


def test_majority_threshold_excludes_documents_with_fewer_annotators(
    seeded, export_dir
):
    result = run(seeded, export_dir, layer="majority", min_annotators=3)
    assert list(by_id(result)) == ["doc-emoji"]
    assert one_by_id(result)["doc-emoji"]["spans"] == []
    assert result.manifest["documents"]["excluded"] == {
        "fewer_annotators_than_min": 1,
        "not_submitted": 1,
    }
    assert "fewer_annotators_than_min" in result.manifest["exclusion_reasons"]


def test_gold_layer_and_adjudicated_status_are_refused_plainly(seeded, export_dir):
    for settings in ({"layer": "gold"}, {"status": "adjudicated"}):
        with pytest.raises(
            ServiceError,
            match="no gold layer yet: the project has no adjudicated documents",
        ):
            run(seeded, export_dir, **settings)
    assert not export_dir.exists()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"format": "csv"},
            "unknown export format 'csv' (known formats: conll, doccano, hf-bio, "
            "jsonl, labelstudio, semeval-tsv, spacy, spacy-docbin)",
        ),
        ({"layer": "best"}, "layer 'best': one of annotators, majority, gold"),
        ({"status": "todo"}, "status 'todo': one of submitted, adjudicated"),
        (
            {"labels": ("claim", "rumour")},
            "unknown label 'rumour': the project's labels are claim, denial, "
            "hedge, false_flag_warning",
        ),
        ({"min_annotators": 2}, "min_annotators applies to the majority layer only"),
        ({"layer": "majority", "min_annotators": 0}, "min_annotators: at least 1"),
        ({"split": (0.5, 0.5, 0.5)}, "split: ratios must sum to 1"),
        ({"min_agreement": float("nan")}, "min_agreement: a number up to 1"),
    ],
)
def test_bad_choices_are_refused_with_a_message(seeded, export_dir, settings, message):
    with pytest.raises(
        ServiceError, match="^" + message.replace("(", r"\(").replace(")", r"\)")
    ):
        run(seeded, export_dir, **settings)
    assert not export_dir.exists()


# ---------------------------------------------------------------- filters


def test_only_submitted_annotations_are_exported(seeded, export_dir):
    bob = user_ids()["bob"]
    db.session.execute(
        update(Assignment)
        .where(Assignment.user_id == bob)
        .values(status=AssignmentStatus.IN_PROGRESS)
    )
    db.session.commit()
    result = run(seeded, export_dir, pseudonymise=False)
    names = {s["annotators"][0] for line in lines(result) for s in line["spans"]}
    assert names == {"alice", "carol"}


def test_labels_filter_keeps_the_project_order_and_counts_the_rest(seeded, export_dir):
    result = run(seeded, export_dir, labels=("denial", "claim"))
    assert result.manifest["options"]["labels"] == ["claim", "denial"]
    assert {s["label"] for line in lines(result) for s in line["spans"]} == {
        "claim",
        "denial",
    }
    counts = result.manifest["counts"]
    assert counts["spans"] == {"claim": 5, "denial": 3}
    assert counts["dropped"] == {"label_not_exported": 2}
    assert "label_not_exported" in counts["reasons"]


def _alpha(text, annotations):
    units = [
        (a["annotator"], s["start"], s["end"], s["label"])
        for a in annotations
        for s in a["spans"]
    ]
    try:
        return round(
            unitizing_alpha(
                len(text), units, annotators=[a["annotator"] for a in annotations]
            ),
            6,
        )
    except UndefinedAgreementError:
        return None


def test_agreement_is_alpha_u_per_document(seeded, export_dir):
    docs = by_id(run(seeded, export_dir))
    emoji = {line["agreement"] for line in docs["doc-emoji"]}
    plain = {line["agreement"] for line in docs["doc-plain"]}
    assert emoji == {_alpha(EMOJI, _emoji_annotations())}
    assert plain == {_alpha(PLAIN, _plain_annotations())}
    assert None not in plain


def test_min_agreement_excludes_low_and_undefined_documents(seeded, export_dir):
    plain_alpha = _alpha(PLAIN, _plain_annotations())
    emoji_alpha = _alpha(EMOJI, _emoji_annotations())
    threshold = (plain_alpha + emoji_alpha) / 2
    result = run(seeded, export_dir, min_agreement=threshold)
    kept = "doc-plain" if plain_alpha > emoji_alpha else "doc-emoji"
    assert list(by_id(result)) == [kept]
    assert result.manifest["documents"]["excluded"] == {
        "agreement_below_min": 1,
        "not_submitted": 1,
    }
    # Only hedges: the plain document has none, so its agreement is undefined.
    result = run(seeded, export_dir, labels=("hedge",), min_agreement=-1.0)
    assert list(by_id(result)) == ["doc-emoji"]
    assert result.manifest["documents"]["excluded"] == {
        "agreement_undefined": 1,
        "not_submitted": 1,
    }


def test_split_is_deterministic_and_counted(seeded, export_dir):
    first = run(seeded, export_dir, split=(0.5, 0.25, 0.25), seed=7)
    again = run(seeded, export_dir, split=(0.5, 0.25, 0.25), seed=7)
    splits = {line["id"]: line["split"] for line in lines(first)}
    assert splits == {line["id"]: line["split"] for line in lines(again)}
    ratios = {"train": 0.5, "dev": 0.25, "test": 0.25}
    assert splits == {doc: assign_split(doc, "7", ratios) for doc in splits}
    counted = first.manifest["splits"]
    assert sum(entry["documents"] for entry in counted.values()) == 2
    assert first.manifest["options"]["split"] == ratios
    assert first.manifest["options"]["seed"] == 7
    unsplit = run(seeded, export_dir)
    assert {line["split"] for line in lines(unsplit)} == {None}
    assert unsplit.manifest["options"]["seed"] is None


def test_small_batches_and_syncs_give_the_same_bytes(
    seeded, export_dir, monkeypatch, tmp_path
):
    whole = run(seeded, export_dir, layer="majority", min_annotators=1)
    monkeypatch.setattr(records, "BATCH_SIZE", 1)
    monkeypatch.setattr(records, "COLLECT_EVERY", 1)
    monkeypatch.setattr(disk, "SYNC_EVERY", 1)
    batched = run(seeded, export_dir, layer="majority", min_annotators=1)
    assert (whole.folder / "data.jsonl").read_bytes() == (
        batched.folder / "data.jsonl"
    ).read_bytes()
    assert batched.manifest["files"] == whole.manifest["files"]


# ---------------------------------------------------------------- files


def test_same_options_give_byte_identical_files(seeded, export_dir):
    settings = {
        "layer": "majority",
        "min_annotators": 1,
        "split": (0.8, 0.1, 0.1),
        "seed": 3,
    }
    first = run(seeded, export_dir, **settings)
    second = run(seeded, export_dir, **settings)
    assert first.folder != second.folder
    assert first.folder.parent == second.folder.parent
    names = ["README.md", "dev.jsonl", "manifest.json", "test.jsonl", "train.jsonl"]
    assert sorted(p.name for p in first.folder.iterdir()) == names
    for name in names:
        assert (first.folder / name).read_bytes() == (
            second.folder / name
        ).read_bytes(), name


def test_folder_and_manifest(seeded, export_dir):
    result = run(seeded, export_dir, format="doccano")
    assert result.manifest["data_files"] == {"none": ["data.jsonl"]}
    assert result.folder.parent == export_dir / f"alpha-{seeded.id}"
    assert result.folder.name.endswith("Z-doccano")
    manifest = json.loads((result.folder / "manifest.json").read_text("utf-8"))
    assert manifest == result.manifest
    assert manifest["format"]["name"] == "doccano"
    assert manifest["tool"]["version"] == "0.1.0"
    assert manifest["project"]["name"] == "Alpha"
    assert manifest["documents"] == {
        "in_project": 3,
        "exported": 2,
        "records": 5,
        "excluded": {"not_submitted": 1},
    }
    for name, record in manifest["files"].items():
        data = (result.folder / name).read_bytes()
        assert record == {
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }
    assert set(manifest["files"]) == {"data.jsonl", "README.md"}
    card = (result.folder / "README.md").read_text("utf-8")
    assert card.startswith("# Alpha: doccano export")  # no front matter
    assert (
        "Documents: 2 exported of 3 (5 records, one per document and annotator)" in card
    )


def test_multi_file_formats_write_their_files_with_checksums(seeded, export_dir):
    result = run(seeded, export_dir, format="semeval-tsv")
    files = result.manifest["files"]
    articles = sorted(name for name in files if name.startswith("articles/"))
    assert articles == [
        "articles/articledoc-emoji.txt",
        "articles/articledoc-plain.txt",
    ]
    assert (result.folder / articles[0]).read_bytes() == EMOJI.encode("utf-8")
    assert not list(result.folder.rglob(".*"))


class ExplodingFormat:
    """A writer that writes two documents, then fails."""

    name = "jsonl"
    extension = "jsonl"
    media_type = JSONL.media_type
    description = JSONL.description
    schema_version = 1

    def write(self, documents, output, options):
        stream = output.stream("data.jsonl")
        for number, _document in enumerate(documents):
            if number == 1:
                raise RuntimeError("disk on fire")
            stream.write(b'{"partial": true}\n')
        raise AssertionError("unreachable")


def test_a_failed_export_leaves_nothing_behind(
    seeded, export_dir, monkeypatch, tmp_path
):
    monkeypatch.setattr(settings_module, "get_format", lambda name: ExplodingFormat())
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(seeded, export_dir)
    assert list(export_dir.rglob("*")) in ([], [export_dir / f"alpha-{seeded.id}"])
    out = tmp_path / "mine"
    out.mkdir()
    with pytest.raises(RuntimeError):
        write_export(db.session, seeded, ExportSettings(), export_dir, out_dir=out)
    assert list(out.iterdir()) == []


def test_a_failed_background_sync_fails_the_export_and_leaves_nothing(
    seeded, export_dir, monkeypatch
):
    def failing_sync(fileno):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(disk, "SYNC_EVERY", 1)
    monkeypatch.setattr(disk, "sync_data", failing_sync)
    with pytest.raises(OSError, match="Input/output error"):
        run(seeded, export_dir)
    assert [path for path in export_dir.rglob("*") if path.is_file()] == []


def test_the_garbage_collector_runs_again_after_an_export_ends_or_fails(
    seeded, export_dir, monkeypatch
):
    # Exports pause it while they stream; a server process must get it back.
    assert gc.isenabled()
    run(seeded, export_dir)
    assert gc.isenabled()
    monkeypatch.setattr(settings_module, "get_format", lambda name: ExplodingFormat())
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(seeded, export_dir)
    assert gc.isenabled()


def test_overlapping_exports_resume_the_collector_only_when_the_last_ends():
    pause = collector._CollectorPause()
    with pause():
        with pause():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_writer_error_is_reported_even_when_a_sync_fails_too(
    seeded, export_dir, monkeypatch
):
    def failing_sync(fileno):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(disk, "SYNC_EVERY", 1)
    monkeypatch.setattr(disk, "sync_data", failing_sync)
    monkeypatch.setattr(settings_module, "get_format", lambda name: ExplodingFormat())
    with pytest.raises(RuntimeError, match="disk on fire"):
        run(seeded, export_dir)
    assert [path for path in export_dir.rglob("*") if path.is_file()] == []


def test_a_failure_after_the_data_removes_the_data_too(
    seeded, export_dir, monkeypatch, tmp_path
):
    def broken_card(manifest, features=None):
        raise OSError("no space left")

    monkeypatch.setattr(writing, "dataset_card", broken_card)
    out = tmp_path / "new" / "folder"
    with pytest.raises(OSError, match="no space left"):
        write_export(db.session, seeded, ExportSettings(), export_dir, out_dir=out)
    assert not out.exists()


def test_out_dir_must_be_new_or_empty(seeded, export_dir, tmp_path):
    out = tmp_path / "out"
    result = write_export(db.session, seeded, ExportSettings(), export_dir, out_dir=out)
    assert result.folder == out
    assert (out / "manifest.json").is_file()
    with pytest.raises(ServiceError, match="already exists and is not an empty folder"):
        write_export(db.session, seeded, ExportSettings(), export_dir, out_dir=out)
    assert exports.list_exports(export_dir, seeded) == []


# ---------------------------------------------------------------- round trip


def _importable(records):
    """A document's native export lines as one import line: one block of
    annotations per record."""
    fields = ("id", "start", "end", "label", "attributes", "note")
    blocks = [
        {
            "annotator": line["annotator"],
            "spans": [{key: span[key] for key in fields} for span in line["spans"]],
            "links": line["links"],
        }
        for line in records
    ]
    document = {key: records[0][key] for key in ("id", "title", "text", "meta")}
    return {**document, "annotations": blocks}


def _stored(project):
    """Every span and link of a project as comparable values."""
    spans = db.session.execute(
        select(
            Document.external_id,
            UserModel.username,
            Span.start,
            Span.end,
            Span.label_id,
            Span.attributes,
            Span.note,
            Span.id,
        )
        .join(Document, Document.id == Span.document_id)
        .join(UserModel, UserModel.id == Span.annotator_id)
        .where(Document.project_id == project.id)
    ).all()
    labels = {label.id: label.name for label in project.labels}
    key = {row.id: (row[0], row[1], row[2], row[3], labels[row[4]]) for row in spans}
    span_set = {
        (*key[row.id], json.dumps(row[5], sort_keys=True), row[6]) for row in spans
    }
    links = db.session.scalars(
        select(SpanLink).where(SpanLink.source_id.in_(list(key)))
    ).all()
    return span_set, {
        (key[link.source_id], key[link.target_id], link.kind) for link in links
    }


def test_native_jsonl_round_trips_through_the_importer(seeded, export_dir):
    result = run(seeded, export_dir, pseudonymise=False)
    data = "".join(
        json.dumps(_importable(records), ensure_ascii=False) + "\n"
        for records in by_id(result).values()
    )
    copy = create_project(db.session, "Copy")
    imported = import_files(db.session, copy, [("export.jsonl", data.encode("utf-8"))])
    assert imported.added == 2
    original_spans, original_links = _stored(seeded)
    copied_spans, copied_links = _stored(copy)
    assert copied_spans == original_spans
    assert copied_links == original_links
    assert len(copied_links) == 2
    texts = db.session.scalars(
        select(Document.text).where(Document.project_id == copy.id)
    ).all()
    assert EMOJI in texts


# ---------------------------------------------------------------- reading back


def test_list_exports_reads_finished_exports_newest_first(seeded, export_dir):
    from datetime import UTC, datetime

    older = write_export(
        db.session,
        seeded,
        ExportSettings(),
        export_dir,
        now=datetime(2024, 1, 1, tzinfo=UTC),
    )
    newer = write_export(
        db.session,
        seeded,
        ExportSettings(format="spacy"),
        export_dir,
        now=datetime(2024, 1, 2, tzinfo=UTC),
    )
    (older.folder.parent / "20240103T000000Z-jsonl").mkdir()  # unfinished: no manifest
    listed = exports.list_exports(export_dir, seeded)
    assert [summary.name for summary in listed] == [
        newer.folder.name,
        older.folder.name,
    ]
    assert listed[1].name == "20240101T000000Z-jsonl"
    assert (
        listed[1].format,
        listed[1].layer,
        listed[1].documents,
        listed[1].spans,
    ) == ("jsonl", "annotators", 2, 10)
    assert listed[1].files == ("data.jsonl", "README.md", "manifest.json")


def test_export_file_stays_inside_the_projects_export(
    seeded, other_project, export_dir, tmp_path
):
    result = run(seeded, export_dir)
    name = result.folder.name
    assert (
        exports.export_file(export_dir, seeded, name, "data.jsonl")
        == (result.folder / "data.jsonl").resolve()
    )
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (result.folder / "link.txt").symlink_to(secret)
    (result.folder / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    refused = [
        (name, "../../../secret.txt"),
        (name, "../" + name + "/data.jsonl"),
        (name, str(secret)),
        (name, "/etc/passwd"),
        (name, "link.txt"),
        (name, "linked-dir/secret.txt"),
        (name, "missing.jsonl"),
        (name, "."),
        ("..", "secret.txt"),
        (name + "/..", "data.jsonl"),
    ]
    for folder, filename in refused:
        with pytest.raises(NotFoundError):
            exports.export_file(export_dir, seeded, folder, filename)
    with pytest.raises(NotFoundError):
        exports.export_file(export_dir, other_project, name, "data.jsonl")
