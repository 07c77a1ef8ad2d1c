"""``annotator export``, through Flask's CLI runner."""

import json
from pathlib import Path

import pytest

from annotator import cli_export
from annotator.cli import cli
from annotator.services import exports
from tests.services.test_exports_service import seed_documents


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


def export(runner, *args):
    return runner.invoke(cli, ["export", "Alpha", *args])


def folder_of(result):
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return Path(lines[0])


def manifest_of(folder):
    return json.loads((folder / "manifest.json").read_text("utf-8"))


def data_lines(folder):
    lines = []
    for name in exports.data_files(manifest_of(folder)):
        text = (folder / name).read_text("utf-8")
        lines += [json.loads(line) for line in text.splitlines()]
    return lines


def test_help_lists_the_export_command_and_its_options(runner):
    assert "export" in runner.invoke(cli, ["--help"]).output
    text = runner.invoke(cli, ["export", "--help"]).output
    for option in (
        "--format",
        "--layer",
        "--min-annotators",
        "--min-agreement",
        "--labels",
        "--status",
        "--split",
        "--seed",
        "--out",
        "--real-names",
        "--offsets",
        "--doccano-shape",
    ):
        assert option in text


def test_export_prints_only_the_new_folder_on_stdout(runner, seeded, app):
    result = export(runner)
    folder = folder_of(result)
    root = Path(app.config["EXPORT_DIR"]) / exports.project_folder_name(seeded)
    assert folder.parent == root
    assert folder.name.endswith("-jsonl")
    assert sorted(path.name for path in folder.iterdir()) == [
        "README.md",
        "data.jsonl",
        "manifest.json",
    ]
    records = [(line["id"], line["annotator"]) for line in data_lines(folder)]
    assert records == [
        ("doc-emoji", "annotator-1"),
        ("doc-emoji", "annotator-2"),
        ("doc-emoji", "annotator-3"),
        ("doc-plain", "annotator-1"),
        ("doc-plain", "annotator-2"),
    ]
    assert result.stderr.splitlines()[-1] == (
        "Exported 2 of 3 documents (5 records), 10 spans, 2 links. "
        "Spans dropped: none. Links dropped: none."
    )


def test_the_summary_counts_links_apart_from_spans_by_reason(runner, seeded):
    result = export(runner, "--format", "hf-bio", "--labels", "claim,hedge")
    assert result.stderr.splitlines()[-1] == (
        "Exported 2 of 3 documents (5 records), 6 spans, 0 links. "
        "Spans dropped: 4 label_not_exported. "
        "Links dropped: 2 link_not_supported."
    )


@pytest.mark.parametrize(
    ("fmt", "data_file"),
    [
        ("jsonl", "train.jsonl"),
        ("spacy", "train.jsonl"),
        ("hf-bio", "train.jsonl"),
        ("doccano", "train.jsonl"),
        ("semeval-tsv", "annotators/annotator-1/train.tsv"),
    ],
)
def test_every_format_is_written(runner, seeded, fmt, data_file):
    folder = folder_of(export(runner, "--format", fmt, "--split", "1,0,0"))
    manifest = manifest_of(folder)
    assert manifest["format"]["name"] == fmt
    assert data_file in manifest["data_files"]["train"]
    assert list(manifest["data_files"]) == ["train"]
    assert (folder / data_file).stat().st_size > 0
    assert set(manifest["files"]) <= {
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()
    }


def test_options_reach_the_manifest_and_the_data(runner, seeded):
    folder = folder_of(
        export(
            runner,
            "--layer",
            "majority",
            "--min-annotators",
            "2",
            "--labels",
            "claim,denial",
            "--split",
            "0.5,0.25,0.25",
            "--seed",
            "7",
            "--min-agreement",
            "-1",
        )
    )
    options = manifest_of(folder)["options"]
    assert options["layer"] == "majority"
    assert options["min_annotators"] == 2
    assert options["labels"] == ["claim", "denial"]
    assert options["split"] == {"train": 0.5, "dev": 0.25, "test": 0.25}
    assert options["seed"] == 7
    assert options["min_agreement"] == -1.0
    for line in data_lines(folder):
        assert line["split"] in {"train", "dev", "test"}
        assert {span["label"] for span in line["spans"]} <= {"claim", "denial"}
        assert all(len(span["annotators"]) >= 2 for span in line["spans"])


def test_annotators_are_pseudonymised_unless_real_names_are_asked_for(
    runner, seeded, tmp_path
):
    hidden = folder_of(export(runner, "--out", str(tmp_path / "hidden")))
    named = folder_of(export(runner, "--real-names", "--out", str(tmp_path / "named")))
    assert "alice" not in (hidden / "data.jsonl").read_text("utf-8")
    names = {
        name
        for line in data_lines(named)
        for span in line["spans"]
        for name in span["annotators"]
    }
    assert names == {"alice", "bob", "carol"}
    assert {line["annotator"] for line in data_lines(named)} == names
    assert manifest_of(named)["options"]["pseudonymise"] is False


def test_same_options_twice_give_byte_identical_folders(runner, seeded, tmp_path):
    args = ["--format", "semeval-tsv", "--split", "0.8,0.1,0.1", "--seed", "3"]
    first = folder_of(export(runner, *args, "--out", str(tmp_path / "one")))
    second = folder_of(export(runner, *args, "--out", str(tmp_path / "two")))
    assert first == tmp_path / "one"

    def contents(folder):
        return {
            str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }

    assert contents(first) == contents(second)
    assert len(contents(first)) > 3  # data, card, manifest and the articles


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "Invalid value for '--format': 'xml' is not one of"),
        (["--layer", "gold"], "no gold layer yet"),
        (["--status", "adjudicated"], "no gold layer yet"),
        (["--layer", "best"], "Invalid value for '--layer'"),
        (["--min-agreement", "high"], "'high' is not a valid float"),
        (["--min-agreement", "1.5"], "Invalid value for '--min-agreement'"),
        (["--min-annotators", "0"], "Invalid value for '--min-annotators'"),
        (["--min-annotators", "2"], "min_annotators applies to the majority layer"),
        (["--split", "0.8,0.2"], "split '0.8,0.2': give three ratios"),
        (["--split", "0.5,0.5,0.5"], "split '0.5,0.5,0.5'"),
        (["--split", "a,b,c"], "split 'a,b,c'"),
        (["--split", "1e308,1e308,0"], "ratio for train must be between 0 and 1"),
        (["--labels", "claim,rumour"], "unknown label 'rumour'"),
        (["--seed", "x"], "Invalid value for '--seed'"),
        (["--colour", "red"], "No such option '--colour'"),
        (["--doccano-shape", "label"], "doccano_shape applies to the doccano format"),
        (
            ["--format", "doccano", "--doccano-shape", "graph"],
            "Invalid value for '--doccano-shape'",
        ),
    ],
)
def test_bad_values_are_one_line_errors(runner, seeded, app, args, message):
    result = export(runner, *args)
    assert result.exit_code != 0
    assert result.stdout == ""
    (line,) = result.output.splitlines()
    assert line.startswith("Error: ")
    assert message in line
    assert not Path(app.config["EXPORT_DIR"]).exists()


def test_unknown_project_is_a_one_line_error(runner, seeded):
    result = runner.invoke(cli, ["export", "Nope"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no project named 'Nope'"


def test_a_non_empty_out_folder_is_refused_and_left_alone(runner, seeded, tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = export(runner, "--out", str(out))
    assert result.exit_code == 1
    assert "already exists and is not an empty folder" in result.output
    assert [path.name for path in out.iterdir()] == ["keep.txt"]


def test_long_exports_draw_a_progress_bar_on_stderr(runner, seeded, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_SIZE", 1)
    monkeypatch.setattr(cli_export, "PROGRESS_MIN_DOCUMENTS", 2)
    result = export(runner)
    folder_of(result)
    assert "Exporting documents" in result.stderr
    assert "Exporting documents" not in result.stdout


def test_short_exports_draw_no_progress_bar(runner, seeded):
    result = export(runner)
    folder_of(result)
    assert "Exporting documents" not in result.stderr


def test_hf_bio_manifest_states_the_overlap_rule_and_the_labels(runner, seeded):
    manifest = manifest_of(folder_of(export(runner, "--format", "hf-bio")))
    assert manifest["options"]["format"]["bio_overlap"] == "drop"
    assert manifest["options"]["format"]["bio_priority"] == [
        "false_flag_warning",
        "denial",
        "claim",
        "hedge",
    ]
    assert manifest["counts"]["label_names"][:3] == ["O", "B-claim", "I-claim"]
    # Alice's claim and denial overlap on the emoji document: one is dropped.
    assert manifest["counts"]["dropped"]["bio_overlap"] >= 1
    assert "bio_overlap" in manifest["counts"]["reasons"]
