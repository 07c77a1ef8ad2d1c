"""Exporting the gold layer: exactly the decided spans of adjudicated
documents, with their provenance, and nothing of documents still open."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services import adjudication, review
from annotator.services.documents import import_files
from annotator.services.errors import ServiceError
from annotator.services.exports import NO_GOLD, ExportSettings, data_files, write_export

TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so."
SPANS = {
    "ann": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
    "bob": [(0, 33, "claim"), (35, 44, "denial"), (51, 56, "claim")],
}


def record(doc_id):
    return {
        "id": doc_id,
        "text": TEXT,
        "annotations": [
            {
                "annotator": name,
                "spans": [{"start": s, "end": e, "label": x} for s, e, x in spans],
            }
            for name, spans in SPANS.items()
        ],
    }


@pytest.fixture
def docs(project):
    data = "\n".join(json.dumps(record(i)) for i in ("done", "open")).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    return {
        external_id: db.session.scalar(
            select(Document).where(Document.external_id == external_id)
        )
        for external_id in ("done", "open")
    }


def decide(name, project, document, reviewer, **data):
    state = review.document_review(db.session, project, document, show_names=True)
    data.setdefault("version", state["version"])
    if name == "adjudicate":  # confirm leaving the undecided groups, as the page does
        data.setdefault("undecided", state["undecided"])
    adjudication.DECISIONS[name](db.session, project, document, reviewer, data)
    return state


def ids_of(project, document, annotator, start, end):
    state = review.document_review(db.session, project, document, show_names=True)
    return [
        s["id"]
        for s in state["spans"]
        if s["annotator"] == annotator and (s["start"], s["end"]) == (start, end)
    ]


def export(app, project, **settings):
    result = write_export(
        db.session, project, ExportSettings(**settings), Path(app.config["EXPORT_DIR"])
    )
    lines = []
    for name in data_files(result.manifest):
        data = (result.folder / name).read_text("utf-8")
        lines += [json.loads(line) for line in data.splitlines()]
    return result.manifest, lines


def test_gold_export_contains_exactly_the_decided_spans(app, project, docs, users):
    done, reviewer = docs["done"], users["reviewer"]
    decide("accept-agreed", project, done, reviewer)
    denial = ids_of(project, done, "ann", 35, 49) + ids_of(project, done, "bob", 35, 44)
    decide("correct", project, done, reviewer, span_ids=denial, start=35, end=46)
    decide(
        "reject", project, done, reviewer, span_ids=ids_of(project, done, "bob", 51, 56)
    )
    decide("add", project, done, reviewer, start=51, end=59, label="hedge", note="n")
    decide("add", project, done, reviewer, start=0, end=6, label="hedge")
    gold_id = review.document_review(db.session, project, done)["gold"][0]["id"]
    decide("remove", project, done, reviewer, gold_id=gold_id)  # the 0-6 hedge
    state = review.document_review(db.session, project, done)
    by_label = {g["label"]: g["id"] for g in state["gold"]}
    decide(
        "link",
        project,
        done,
        reviewer,
        source=by_label["denial"],
        target=by_label["claim"],
    )
    decide("accept-agreed", project, docs["open"], reviewer)  # open: not exported
    decide("adjudicate", project, done, reviewer)

    manifest, lines = export(app, project, layer="gold", pseudonymise=False)
    assert [line["id"] for line in lines] == ["done"]
    spans = [
        (s["start"], s["end"], s["label"], s["text"], s["annotators"], s["note"])
        for s in lines[0]["spans"]
    ]
    assert spans == [
        (0, 33, "claim", "Moscow says the attack was staged", ["ann", "bob"], ""),
        (35, 46, "denial", "Kyiv denies", ["ann", "bob"], ""),
        (51, 59, "hedge", "Maybe so", [], "n"),
    ]
    assert [s["id"] for s in lines[0]["spans"]] == ["gold:1", "gold:2", "gold:3"]
    assert lines[0]["links"] == [
        {"source": "gold:2", "target": "gold:1", "kind": "denies"}
    ]
    assert manifest["documents"]["excluded"] == {"not_adjudicated": 1}
    assert manifest["options"]["layer"] == "gold"


def test_adjudicated_status_limits_any_layer_to_adjudicated_documents(
    app, project, docs, users
):
    decide("adjudicate", project, docs["open"], users["reviewer"])
    _, lines = export(app, project, layer="annotators", status="adjudicated")
    assert [line["id"] for line in lines] == ["open", "open"]
    assert sum(len(line["spans"]) for line in lines) == 6
    assert [line["annotator"] for line in lines] == ["annotator-1", "annotator-2"]


def test_no_adjudicated_document_means_no_gold_export(app, project, docs, users):
    decide("adjudicate", project, docs["done"], users["reviewer"])
    decide("undo", project, docs["done"], users["reviewer"])
    with pytest.raises(ServiceError, match=NO_GOLD):
        export(app, project, layer="gold")


def test_gold_export_holds_the_links_annotators_drew(app, project, users):
    linked = {
        "id": "linked",
        "text": TEXT,
        "annotations": [
            {
                "annotator": "ann",
                "spans": [
                    {"id": "c", "start": 0, "end": 33, "label": "claim"},
                    {"id": "d", "start": 35, "end": 49, "label": "denial"},
                ],
                "links": [{"source": "d", "target": "c", "kind": "denies"}],
            }
        ],
    }
    import_files(db.session, project, [("l.jsonl", json.dumps(linked).encode())])
    found = db.session.scalar(select(Document).where(Document.external_id == "linked"))
    reviewer = users["reviewer"]
    decide(
        "accept",
        project,
        found,
        reviewer,
        span_ids=ids_of(project, found, "ann", 0, 33),
    )
    decide(
        "accept",
        project,
        found,
        reviewer,
        span_ids=ids_of(project, found, "ann", 35, 49),
    )
    decide("adjudicate", project, found, reviewer)

    _, lines = export(app, project, layer="gold")
    [line] = lines
    by_id = {s["id"]: (s["start"], s["end"], s["label"]) for s in line["spans"]}
    assert [
        (by_id[link["source"]], by_id[link["target"]], link["kind"])
        for link in line["links"]
    ] == [((35, 49, "denial"), (0, 33, "claim"), "denies")]
