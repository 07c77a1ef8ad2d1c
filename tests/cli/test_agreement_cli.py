"""``annotator agreement``: no viewer, so only the completeness rule applies."""

import json

import pytest

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Role
from annotator.services import agreement, assignments, projects
from annotator.services.documents import import_files

TEXT = "Officials said the strike was staged, and the other side denied it all."


@pytest.fixture(autouse=True)
def fresh_cache():
    agreement.clear_cache()
    yield
    agreement.clear_cache()


def record(doc_id, **spans_by_annotator):
    return {
        "id": doc_id,
        "text": TEXT,
        "annotations": [
            {
                "annotator": name,
                "spans": [{"start": 0, "end": 14, "label": label}],
            }
            for name, label in spans_by_annotator.items()
        ],
    }


@pytest.fixture
def alpha(users):
    """Two annotators per document: "calm" and "clash" complete, "half" not;
    the reviewer has "clash" open (a third place while three were asked)."""
    created = projects.create_project(db.session, "Alpha")
    projects.add_member(db.session, created, users["reviewer"], Role.REVIEWER, None)
    data = "\n".join(
        json.dumps(r)
        for r in (
            record("clash", ann="claim", bob="hedge"),
            record("calm", ann="claim", bob="claim"),
            record("half", ann="claim"),
        )
    )
    import_files(db.session, created, [("docs.jsonl", data.encode())])
    created.annotators_per_document = 3
    db.session.commit()
    assert assignments.next_document(db.session, created, users["reviewer"])
    created.annotators_per_document = 2
    db.session.commit()
    return created


def test_the_text_report_waits_for_complete_documents(runner, alpha):
    result = runner.invoke(cli, ["agreement", "Alpha"])
    assert result.exit_code == 0, result.output
    assert "Documents compared: 2 of 3" in result.output
    assert (
        "1 of 3 documents left out (1: fewer annotators have submitted it than "
        "the project needs (2))." in result.output
    )
    assert "1 document waits for a second annotator: the project needs 2" in (
        result.output
    )


def test_the_json_report_names_the_reason(runner, alpha):
    result = runner.invoke(cli, ["agreement", "Alpha", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["coverage"]["left_out"] == [
        {
            "reason": "fewer annotators have submitted it than the project needs (2)",
            "n_documents": 1,
        }
    ]
    assert data["coverage"]["annotators_per_document"] == 2
    assert data["coverage"]["annotators_who_can_annotate"] == 3  # reviewer, ann, bob
    assert sorted(d["external_id"] for d in data["documents"]) == ["calm", "clash"]
