"""conll and spacy-docbin end to end: the demo project exported with a split
through ``annotator export``, the files read back and checked against the
manifest and the database; the web form offers both; without spaCy the CLI
says which extra to install, in one line."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab
from sqlalchemy import select

from annotator.cli import cli
from annotator.core.exports.spacy_docbin import SPANS_KEY
from annotator.extensions import db
from annotator.models import Document
from annotator.services import exports, seeding
from annotator.services.projects import require_project
from tests.conftest import csrf_token, login
from tests.seed_files import DEMO_PROJECT

SPLIT = ("--split", "0.5,0.25,0.25", "--seed", "3")


@pytest.fixture
def demo(app):
    seeding.seed_demo(db.session, seeding.DEFAULT_SEED_DIR)
    return require_project(db.session, DEMO_PROJECT)


def export(runner, *args):
    result = runner.invoke(cli, ["export", DEMO_PROJECT, *args])
    assert result.exit_code == 0, result.output
    (folder,) = result.stdout.splitlines()
    folder = Path(folder)
    return folder, json.loads((folder / "manifest.json").read_text("utf-8"))


def texts(project):
    rows = db.session.execute(
        select(Document.external_id, Document.text).where(
            Document.project_id == project.id
        )
    )
    return dict(rows.all())


def conll_blocks(data: str) -> list[list[tuple[str, str]]]:
    blocks: list[list[tuple[str, str]]] = []
    for line in data.split("\n"):
        if line.startswith("-DOCSTART-"):
            blocks.append([])
        elif line:
            token, tag = line.split(" ")
            blocks[-1].append((token, tag))
    return blocks


def test_conll_with_split_reads_back_as_the_manifest_says(runner, demo):
    folder, manifest = export(runner, "--format", "conll", *SPLIT)
    stored = texts(demo)
    splits = manifest["splits"]
    assert set(splits) == {"train", "dev", "test"}
    seen = Counter()
    for split, counts in splits.items():
        assert manifest["data_files"][split] == [f"{split}.conll", f"{split}.docs.tsv"]
        blocks = conll_blocks((folder / f"{split}.conll").read_text("utf-8"))
        with (folder / f"{split}.docs.tsv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f, delimiter="\t"))
        assert rows[0] == ["id", "annotator"]
        assert len(blocks) == len(rows) - 1 == counts["records"]
        recount = Counter(tag[2:] for b in blocks for _, tag in b if tag[:2] == "B-")
        assert dict(recount) == counts["spans"]
        for block, (doc_id, annotator) in zip(blocks, rows[1:], strict=True):
            assert annotator.startswith("annotator-")
            tokens = [token for token, _ in block]
            # every token is in the document's text, in order
            position = 0
            for token in tokens:
                position = stored[doc_id].index(token, position) + len(token)
            seen[doc_id] += 1
    assert sum(sum(counts["spans"].values()) for counts in splits.values()) > 0
    assert sum(seen.values()) == manifest["documents"]["records"]
    assert len(seen) == manifest["documents"]["exported"]


def test_spacy_docbin_with_split_reads_back_as_the_manifest_says(runner, demo):
    folder, manifest = export(runner, "--format", "spacy-docbin", *SPLIT)
    stored = texts(demo)
    splits = manifest["splits"]
    assert set(splits) == {"train", "dev", "test"}
    records = 0
    for split, counts in splits.items():
        assert manifest["data_files"][split] == [f"{split}.spacy"]
        docs = list(DocBin().from_disk(folder / f"{split}.spacy").get_docs(Vocab()))
        assert len(docs) == counts["records"]
        labels = Counter()
        for doc in docs:
            meta = doc.user_data
            assert meta["split"] == split
            assert meta["annotator"].startswith("annotator-")
            assert doc.text == stored[meta["id"]]
            for span in doc.spans[SPANS_KEY]:
                assert span.text == doc.text[span.start_char : span.end_char]
                labels[span.label_] += 1
        assert dict(labels) == counts["spans"]
        records += len(docs)
    assert sum(sum(counts["spans"].values()) for counts in splits.values()) > 0
    assert records == manifest["documents"]["records"]
    assert manifest["format"]["media_type"] == "application/octet-stream"


def test_without_spacy_the_cli_names_the_extra_in_one_line(
    runner, demo, app, monkeypatch
):
    for name in list(sys.modules):
        if name == "spacy" or name.startswith("spacy."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "spacy", None)
    result = runner.invoke(cli, ["export", DEMO_PROJECT, "--format", "spacy-docbin"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: cannot export: format 'spacy-docbin' needs the package 'spacy', "
        "which is not installed: pip install 'framing-annotator[spacy]'\n"
    )
    root = Path(app.config["EXPORT_DIR"]) / exports.project_folder_name(demo)
    assert not root.exists() or not any(root.iterdir())


def test_cli_and_web_form_offer_both_formats(runner, client, demo):
    help_text = runner.invoke(cli, ["export", "--help"]).output
    assert "conll" in help_text
    assert "spacy-docbin" in help_text
    login(client, "rita", "demo-rita-pass")
    page = client.get(f"/projects/{demo.id}/exports").get_data(as_text=True)
    for name in ("conll", "spacy-docbin"):
        assert f'<option value="{name}">' in page


def test_the_web_form_exports_conll(client, demo, app):
    login(client, "rita", "demo-rita-pass")
    url = f"/projects/{demo.id}/exports"
    data = {
        "format": "conll",
        "layer": "annotators",
        "status": "submitted",
        "split": "0.5,0.25,0.25",
        "seed": "3",
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200
    (summary,) = exports.list_exports(Path(app.config["EXPORT_DIR"]), demo)
    assert "train.conll" in summary.files
    assert "train.docs.tsv" in summary.files
