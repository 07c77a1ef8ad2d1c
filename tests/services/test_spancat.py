"""Training a span categorizer on a project's gold layer and serving it:
the gold layer is read as the exports read it, the model learns obvious cues
from a few dozen documents in seconds, and its suggestions come back in code
points (after emoji too)."""

import json
import random
import sys

import pytest

from annotator.core.suggestions import SuggesterError
from annotator.core.suggestions.evaluation import GoldExample
from annotator.extensions import db
from annotator.services.documents import import_files
from annotator.services.errors import ServiceError
from annotator.services.suggesters import gold, spancat
from tests.gold_data import gold_record, make_gold_project

LABELS = ("claim", "denial", "hedge", "false_flag_warning")


def generated_examples(count, seed=3):
    rng = random.Random(seed)
    examples = []
    for n in range(count):
        record = gold_record(f"doc-{n:03d}", rng)
        spans = record["annotations"][0]["spans"]
        examples.append(
            GoldExample(
                record["id"],
                record["text"],
                tuple((s["start"], s["end"], s["label"]) for s in spans),
            )
        )
    return examples


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("spancat") / "model"
    report = spancat.train_spancat(
        generated_examples(40), LABELS, out, seed=1, epochs=8
    )
    return report, out


def test_gold_examples_are_the_adjudicated_spans(app, project, users):
    records = make_gold_project(project, users["reviewer"], documents=6)
    data = gold.training_examples(db.session, project)
    assert data.labels == LABELS
    assert [e.id for e in data.examples] == [r["id"] for r in records]
    for example, record in zip(data.examples, records, strict=True):
        spans = record["annotations"][0]["spans"]
        assert example.spans == tuple((s["start"], s["end"], s["label"]) for s in spans)


def test_no_gold_layer_yet_is_refused(app, project):
    with pytest.raises(ServiceError, match="no gold layer yet"):
        gold.training_examples(db.session, project)


def test_annotators_layer_is_not_a_training_layer(app, project):
    with pytest.raises(ServiceError, match="one of gold, majority"):
        gold.training_examples(db.session, project, "annotators")


def test_metrics_file_holds_held_out_figures_and_counts(trained):
    report, out = trained
    metrics = json.loads((out / spancat.METRICS_FILE).read_text("utf-8"))
    assert metrics["version"] == report.version
    assert metrics["seed"] == 1
    assert metrics["epochs"] == 8
    assert metrics["counts"]["documents_train"] == 32
    assert metrics["counts"]["documents_held_out"] == 8
    assert metrics["counts"]["spans_skipped"] == 0
    assert set(metrics["per_label"]) == set(LABELS)
    for label in ("hedge", "denial"):  # single obvious words: learnt
        figures = metrics["per_label"][label]
        assert figures["gold"] > 0
        assert figures["f1"] >= 0.8, (label, figures)
    assert metrics["per_label"]["claim"]["gold"] == 0
    assert metrics["ngram_sizes"] == [1]
    assert (out / spancat.MODEL_DIR / "config.cfg").is_file()


def test_loaded_model_suggests_cues_in_code_points_after_emoji(trained):
    report, out = trained
    suggester = spancat.load_spancat(out)
    assert (suggester.name, suggester.version) == ("spancat", report.version)
    # 🙂 is one code point (two UTF-16 units); 👍🏽 is two code points.
    text = "🙂👍🏽 The embassy reportedly discussed the talks. Officials denied it."
    found = suggester.suggest(text, LABELS)
    assert found
    spans = {(s.start, s.end, s.label) for s in found}
    # Code points: 3 for the emoji, 1 space, 12 for "The embassy " (in UTF-16
    # units "reportedly" would start at 19).
    assert (16, 26, "hedge") in spans
    assert text[16:26] == "reportedly"
    denied = text.index("denied")
    assert (denied, denied + 6, "denial") in spans
    assert all(0.5 <= s.score <= 1 for s in found)
    only = suggester.suggest(text, ["hedge"])
    assert only
    assert {s.label for s in only} == {"hedge"}


def test_training_is_deterministic_for_a_seed(tmp_path):
    examples = generated_examples(10)
    first = spancat.train_spancat(examples, LABELS, tmp_path / "a", seed=5, epochs=2)
    again = spancat.train_spancat(examples, LABELS, tmp_path / "b", seed=5, epochs=2)
    assert first.losses == again.losses
    assert first.scores == again.scores


def test_spans_off_token_edges_are_widened_or_counted(tmp_path):
    text = "Officials reportedly met.   Then nothing."
    example = GoldExample(
        "odd",
        text,
        (
            (11, 20, "hedge"),  # "eportedly": widened to "reportedly"
            (24, 25, "hedge"),  # ".": a token of its own, kept as drawn
            (25, 26, "claim"),  # the space after ".": no token under it
            (26, 28, "claim"),  # spaCy's token of extra spaces: whitespace
            (0, 9, "unknown"),  # not a trained label
        ),
    )
    other = GoldExample("plain", "Kyiv denied it.", ((5, 11, "denial"),))
    report = spancat.train_spancat(
        [example, other], LABELS, tmp_path / "m", seed=0, epochs=1, held_out=0
    )
    counts = report.counts
    assert counts.spans_expanded == 1
    assert counts.spans_skipped == 2
    assert counts.spans_other_label == 1
    assert counts.spans_train == 3
    assert counts.documents_held_out == 0


def test_an_occupied_folder_is_refused_before_training(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not an empty folder"):
        spancat.train_spancat(
            generated_examples(4), LABELS, tmp_path / "m", seed=0, epochs=1
        )
    assert [p.name for p in (tmp_path / "m").iterdir()] == ["keep.txt"]


def test_changed_model_files_are_refused_on_load(trained, tmp_path):
    _, out = trained
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(out, copy)
    (copy / spancat.MODEL_DIR / "meta.json").write_text("{}")
    with pytest.raises(SuggesterError, match="changed since training"):
        spancat.load_spancat(copy)


def test_a_folder_without_metrics_is_not_a_model(tmp_path):
    with pytest.raises(SuggesterError, match="not a trained model folder"):
        spancat.load_spancat(tmp_path)


def test_without_spacy_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(spancat.SpacyMissingError, match=r"framing-annotator\[ml\]"):
        spancat.train_spancat([], LABELS, tmp_path / "m", seed=0, epochs=1)


def test_registered_config_loads_the_model_once(trained):
    report, out = trained
    first = spancat.from_config({"path": str(out)})
    assert first.version == report.version
    assert spancat.from_config({"path": str(out)}) is first
    stricter = spancat.from_config({"path": str(out), "threshold": 0.99})
    assert stricter is not first
    assert stricter.threshold == 0.99


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "must be an object with a path"),
        ({}, "config.path: the model folder"),
        ({"path": "x", "threshold": 2}, r"threshold: a number in \[0, 1\]"),
    ],
)
def test_bad_config_is_named(config, message):
    with pytest.raises(SuggesterError, match=message):
        spancat.from_config(config)


def test_majority_layer_examples_need_no_adjudication(app, project):
    text = "Officials reportedly met."
    spans = [{"start": 10, "end": 20, "label": "hedge"}]
    record = {
        "id": "m1",
        "text": text,
        "annotations": [
            {"annotator": "ann", "spans": spans},
            {"annotator": "bob", "spans": spans},
        ],
    }
    import_files(db.session, project, [("m.jsonl", json.dumps(record).encode())])
    data = gold.training_examples(db.session, project, "majority")
    assert [(e.id, e.spans) for e in data.examples] == [("m1", ((10, 20, "hedge"),))]
