"""Every format x the annotators and majority layers x with and without split,
through write_export on a project with emoji, ZWJ, combining marks, CRLF and
three annotators who overlap: what a reader of the files finds is what the
manifest says, and no record mixes annotators."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from annotator.core.exports import format_names
from annotator.extensions import db
from annotator.services import exports
from annotator.services.exports import ExportSettings, write_export
from tests.services.test_exports_service import seed_documents


@pytest.fixture
def seeded(project):
    seed_documents(project)
    return project


def read_records(folder: Path, fmt: str, names: list[str]):
    """(document id, annotator, labels of the spans) per record, read back
    from the data files the way each format's readers would."""
    if fmt == "spacy-docbin":
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        for name in names:
            for doc in DocBin().from_disk(folder / name).get_docs(Vocab()):
                data = doc.user_data
                yield data["id"], data["annotator"], [s.label_ for s in doc.spans["sc"]]
        return
    if fmt == "conll":
        for name in (n for n in names if n.endswith(".conll")):
            sidecar = (folder / name.replace(".conll", ".docs.tsv")).read_text("utf-8")
            rows = list(csv.reader(io.StringIO(sidecar), delimiter="\t"))[1:]
            blocks = (folder / name).read_text("utf-8").split("-DOCSTART-")[1:]
            assert len(rows) == len(blocks)
            for (doc_id, annotator), block in zip(rows, blocks, strict=True):
                tags = [line.split(" ")[-1] for line in block.splitlines()[1:] if line]
                yield doc_id, annotator or None, [t[2:] for t in tags if t[:2] == "B-"]
        return
    if fmt == "semeval-tsv":
        for name in names:
            annotator = name.split("/")[1] if name.startswith("annotators/") else None
            for line in (folder / name).read_text("utf-8").splitlines():
                doc_id, label, _, _ = line.split("\t")
                yield doc_id, annotator, [label]
        return
    if fmt == "labelstudio":
        for name in names:
            for task in json.loads((folder / name).read_text("utf-8")):
                for annotation in task["annotations"]:
                    annotator = annotation["completed_by"]
                    labels = [
                        region["value"]["labels"][0]
                        for region in annotation["result"]
                        if region["type"] == "labels"
                    ]
                    if annotation["ground_truth"]:
                        annotator = None
                    yield task["data"]["external_id"], annotator, labels
        return
    for name in names:
        for line in (folder / name).read_text("utf-8").splitlines():
            record = json.loads(line)
            meta = record.get("meta") if fmt == "spacy" else record
            if fmt == "hf-bio":
                labels = [t[2:] for t in record["ner_tags"] if t[:2] == "B-"]
            elif fmt == "doccano":
                labels = [label for _, _, label in doccano_label(record)]
            else:
                labels = [span["label"] for span in record["spans"]]
            yield meta["id"], meta["annotator"], labels


@pytest.mark.parametrize("split", [None, (0.5, 0.5, 0.0)])
@pytest.mark.parametrize("layer", ["annotators", "majority"])
@pytest.mark.parametrize("fmt", format_names())
def test_what_the_files_hold_is_what_the_manifest_says(seeded, app, fmt, layer, split):
    settings = ExportSettings(
        format=fmt,
        layer=layer,
        split=split,
        seed=2,
        min_annotators=1 if layer == "majority" else None,
    )
    result = write_export(db.session, seeded, settings, Path(app.config["EXPORT_DIR"]))
    manifest = result.manifest
    spans: Counter[str] = Counter()
    per_split_spans: dict[str, Counter[str]] = {}
    seen = []
    for split_key, names in manifest["data_files"].items():
        found = per_split_spans.setdefault(split_key, Counter())
        for doc_id, annotator, labels in read_records(result.folder, fmt, names):
            seen.append((doc_id, annotator))
            found.update(labels)
            spans.update(labels)
    assert dict(spans) == manifest["counts"]["spans"]
    for split_key, counted in manifest["splits"].items():
        assert counted["spans"] == dict(per_split_spans[split_key]), split_key
    for name, record in manifest["files"].items():
        assert (result.folder / name).stat().st_size == record["bytes"], name
    annotators = {annotator for _, annotator in seen}
    if layer == "majority":
        assert annotators <= {None}
    else:
        assert None not in annotators
        assert annotators <= {"annotator-1", "annotator-2", "annotator-3"}
    if fmt != "semeval-tsv":  # a record without spans has no line there
        assert len(seen) == manifest["documents"]["records"]
        assert len(set(seen)) == len(seen), "a record was written twice"
    assert set(exports.data_files(manifest)) <= set(manifest["files"])


def doccano_label(record: dict[str, Any]) -> list[list[Any]]:
    """A doccano line's spans as [start, end, label], in either shape."""
    if "label" in record:
        return list(record["label"])
    return [
        [e["start_offset"], e["end_offset"], e["label"]] for e in record["entities"]
    ]
