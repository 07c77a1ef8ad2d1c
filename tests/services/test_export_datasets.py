"""What leaves the tool as training data: stable pseudonyms, one file per
split that loaders take as it is, and manifest counts equal to the files."""

from __future__ import annotations

import json
import socket
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.core.exports import get_format
from annotator.extensions import db
from annotator.models import Assignment, AssignmentStatus, Document
from annotator.models import User as UserModel
from annotator.services import exports
from annotator.services.exports import ExportSettings, write_export
from tests.services.test_exports_service import seed_documents


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


@pytest.fixture
def export_dir(app):
    return Path(app.config["EXPORT_DIR"])


def run(project, export_dir, **settings):
    return write_export(db.session, project, ExportSettings(**settings), export_dir)


def records(result):
    lines = []
    for name in exports.data_files(result.manifest):
        text = (result.folder / name).read_text("utf-8")
        lines += [json.loads(line) for line in text.splitlines()]
    return lines


def names_in(result):
    """Annotator name per username, read from a real-names export's twin."""
    return {line["annotator"] for line in records(result)}


def submit(username, external_id):
    user = db.session.scalar(select(UserModel).where(UserModel.username == username))
    document = db.session.scalar(
        select(Document).where(Document.external_id == external_id)
    )
    db.session.add(
        Assignment(
            document_id=document.id,
            user_id=user.id,
            status=AssignmentStatus.SUBMITTED,
        )
    )
    db.session.commit()


def pseudonyms(project, export_dir):
    """username -> pseudonym, from two exports of the same data."""
    named = records(run(project, export_dir, pseudonymise=False))
    hidden = records(run(project, export_dir))
    return {a["annotator"]: b["annotator"] for a, b in zip(named, hidden, strict=True)}


def test_pseudonyms_stay_when_people_with_lower_ids_join_later(seeded, export_dir):
    before = pseudonyms(seeded, export_dir)
    assert before == {
        "alice": "annotator-1",
        "bob": "annotator-2",
        "carol": "annotator-3",
    }
    # "annotator" and "reviewer" were created before alice, bob and carol.
    submit("reviewer", "doc-quiet")
    submit("annotator", "doc-plain")
    after = pseudonyms(seeded, export_dir)
    assert {name: after[name] for name in before} == before
    # Newcomers get the next numbers, by ascending user id among them.
    assert after["reviewer"] == "annotator-4"
    assert after["annotator"] == "annotator-5"


def test_records_follow_pseudonym_order_not_user_id(seeded, export_dir):
    run(seeded, export_dir)  # alice, bob and carol are numbered 1 to 3
    submit("annotator", "doc-plain")  # created before alice
    plain = [
        (line["annotator"], len(line["spans"]))
        for line in records(run(seeded, export_dir, pseudonymise=False))
        if line["id"] == "doc-plain"
    ]
    assert plain == [("alice", 1), ("bob", 2), ("annotator", 0)]


def recount(result):
    """Records and spans per label per split, read back from the files."""
    found = {}
    for split, names in result.manifest["data_files"].items():
        spans, lines = Counter(), 0
        for name in names:
            for line in (result.folder / name).read_text("utf-8").splitlines():
                record = json.loads(line)
                lines += 1
                if "ner_tags" in record:
                    spans.update(t[2:] for t in record["ner_tags"] if t[:2] == "B-")
                else:
                    spans.update(span["label"] for span in record["spans"])
        found[split] = {"records": lines, "spans": dict(spans)}
    return found


@pytest.mark.parametrize("fmt", ["jsonl", "hf-bio", "spacy"])
@pytest.mark.parametrize("layer", ["annotators", "majority"])
def test_manifest_counts_per_split_equal_a_recount_of_the_files(
    seeded, export_dir, fmt, layer
):
    settings = {"format": fmt, "layer": layer, "split": (0.5, 0.25, 0.25), "seed": 1}
    if layer == "majority":
        settings["min_annotators"] = 1
    result = run(seeded, export_dir, **settings)
    found = recount(result)
    splits = result.manifest["splits"]
    assert set(splits) == set(found) == {"train", "dev", "test"}
    for split, counted in splits.items():
        assert counted["records"] == found[split]["records"], split
        assert counted["spans"] == found[split]["spans"], split
    total = Counter()
    for counted in splits.values():
        total.update(counted["spans"])
    assert dict(total) == result.manifest["counts"]["spans"]


def test_hf_bio_resolves_overlaps_within_one_annotator_only(seeded, export_dir):
    # Before records per annotator, overlaps between annotators were "resolved"
    # too. Now the only drops are alice's and bob's own denial overlapping
    # their own claim; carol's claim and both annotators' spans all stay.
    result = run(seeded, export_dir, format="hf-bio")
    assert result.manifest["counts"]["dropped"] == {"bio_overlap": 2}
    assert sum(result.manifest["counts"]["spans"].values()) == 8


@pytest.fixture
def offline_datasets(monkeypatch, tmp_path):
    for variable in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(variable, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

    def no_network(*args, **kwargs):
        raise AssertionError("the test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    return datasets


#: Train and dev only, with a seed that puts one document in each.
TWO_SPLITS = {"split": (0.5, 0.5, 0.0), "seed": 2}


def test_the_two_split_seed_fills_both_splits(seeded, export_dir):
    result = run(seeded, export_dir, **TWO_SPLITS)
    assert {k: v["documents"] for k, v in result.manifest["splits"].items()} == {
        "train": 1,
        "dev": 1,
    }
    assert list(result.manifest["data_files"]) == ["train", "dev"]


def check_splits(loaded, result):
    splits = result.manifest["splits"]
    assert set(loaded) == {"train", "dev"}
    for split, dataset in loaded.items():
        assert dataset.num_rows == splits[split]["records"]
        assert set(dataset["split"]) <= {split}
        assert None not in dataset["annotator"]
    assert sum(d.num_rows for d in loaded.values()) == 5


def split_files(result):
    return {
        split: str(result.folder / names[0])
        for split, names in result.manifest["data_files"].items()
    }


def test_hf_bio_split_files_load_as_they_are(
    seeded, export_dir, offline_datasets, tmp_path
):
    result = run(seeded, export_dir, format="hf-bio", **TWO_SPLITS)
    loaded = offline_datasets.load_dataset(
        "json", data_files=split_files(result), cache_dir=str(tmp_path / "cache")
    )
    check_splits(loaded, result)


@pytest.mark.parametrize("fmt", ["jsonl", "hf-bio", "spacy"])
def test_the_export_folder_loads_with_its_splits_and_types(
    seeded, export_dir, offline_datasets, tmp_path, fmt
):
    # A split without links or span attributes would make Arrow guess null
    # columns for it; the card's features keep every split alike.
    result = run(seeded, export_dir, format=fmt, **TWO_SPLITS)
    loaded = offline_datasets.load_dataset(
        str(result.folder), cache_dir=str(tmp_path / "cache")
    )
    if fmt == "spacy":
        assert sum(d.num_rows for d in loaded.values()) == 5
        return
    check_splits(loaded, result)
    if fmt == "jsonl":
        rows = [row for d in loaded.values() for row in d]
        sources = {
            span["attributes"].get("source")
            for row in rows
            for span in row["spans"]
            if span["attributes"]
        }
        assert sources == {"👨\u200d👩\u200d👧"}
        assert sum(len(row["links"]) for row in rows) == 2
        features = offline_datasets.Features._from_yaml_list(
            get_format("jsonl").hf_features
        )
        again = offline_datasets.load_dataset(
            "json",
            data_files=split_files(result),
            features=features,
            cache_dir=str(tmp_path / "cache-2"),
        )
        check_splits(again, result)


def test_a_split_without_records_is_a_file_but_not_a_card_split(seeded, export_dir):
    result = run(seeded, export_dir, split=(0.5, 0.25, 0.25), seed=1)
    empty = [k for k, v in result.manifest["splits"].items() if not v["records"]]
    assert empty
    card = (result.folder / "README.md").read_text("utf-8")
    for split in empty:
        assert (result.folder / f"{split}.jsonl").read_bytes() == b""
        assert f'"path": "{split}.jsonl"' not in card


def test_a_concurrent_export_taking_the_same_numbers_is_retried(
    seeded, export_dir, monkeypatch
):
    from annotator.models import Pseudonym
    from annotator.services import pseudonyms as service

    unnamed = service._unnamed
    calls = []

    def racing(session, project):
        found = unnamed(session, project)
        if not calls:
            # Another export names the first of them between our read and
            # our insert, and commits first.
            with db.engine.begin() as other:
                other.execute(
                    Pseudonym.__table__.insert().values(
                        project_id=project.id, user_id=found[0], number=1
                    )
                )
        calls.append(found)
        return found

    monkeypatch.setattr(service, "_unnamed", racing)
    service.ensure_pseudonyms(db.session, seeded)
    assert len(calls) == 2  # the insert failed once, then went through
    names = pseudonyms(seeded, export_dir)
    assert sorted(names.values()) == ["annotator-1", "annotator-2", "annotator-3"]
    assert names["alice"] == "annotator-1"
