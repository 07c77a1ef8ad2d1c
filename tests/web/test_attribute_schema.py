"""Span attributes follow the project's schema (``source`` by default): an
unknown attribute is refused naming the field, on the JSON API and in imports
(file, line and field); nothing is stored."""

import json

import pytest
from sqlalchemy import func, select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Document, Span
from annotator.services.documents import ImportRefused, import_files
from annotator.services.errors import ServiceError
from annotator.services.projects import set_attribute_names
from tests.web.conftest import Api, span_count


def test_new_projects_allow_source_only(project):
    assert project.attribute_names == ["source"]


def test_the_api_refuses_an_unknown_attribute_naming_it(client, project, document):
    api = Api(client, project, document)
    refused = api.add(0, 2, attributes={"source": "AP", "speaker": "x"})
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["field"] == "attributes.speaker"
    assert "unknown attribute 'speaker' (this project has: source)" in body["error"]
    assert span_count() == 0
    assert api.add(0, 2, attributes={"source": "AP"}).status_code == 201


def test_a_project_may_allow_other_attributes(client, project, document, users):
    set_attribute_names(db.session, project, ["source", "speaker"], users["padmin"])
    api = Api(client, project, document)
    assert api.add(0, 2, attributes={"speaker": "x"}).status_code == 201
    set_attribute_names(db.session, project, [], users["padmin"])
    refused = api.add(9, 15, attributes={"source": "AP"})
    assert refused.status_code == 400
    assert "(this project has: none)" in refused.get_json()["error"]


@pytest.mark.parametrize("names", [["Bad Name"], ["a", "a"], "source"])
def test_a_schema_of_bad_names_is_refused(project, users, names):
    with pytest.raises(ServiceError, match="attribute"):
        set_attribute_names(db.session, project, names, users["padmin"])
    db.session.refresh(project)
    assert project.attribute_names == ["source"]


def _jsonl(*spans_per_line):
    lines = [
        {
            "id": f"d{n}",
            "text": "One claim here.",
            "annotations": [{"annotator": "amy", "spans": spans}],
        }
        for n, spans in enumerate(spans_per_line, 1)
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_an_import_with_an_unknown_attribute_names_file_line_and_field(project):
    good = {"start": 0, "end": 3, "label": "claim", "attributes": {"source": "AP"}}
    bad = {"start": 4, "end": 9, "label": "claim", "attributes": {"speaker": "x"}}
    with pytest.raises(ImportRefused) as refused:
        import_files(db.session, project, [("a.jsonl", _jsonl([good], [good, bad]))])
    assert len(refused.value.problems) == 1
    problem = refused.value.problems[0]
    assert problem.startswith("a.jsonl line 2")
    assert "annotations[0].spans[1].attributes.speaker" in problem
    assert "unknown attribute 'speaker'" in problem
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert span_count() == 0


def test_the_cli_sets_the_schema_and_imports_follow_it(runner, project, tmp_path):
    path = tmp_path / "a.jsonl"
    span = {"start": 0, "end": 3, "label": "claim", "attributes": {"speaker": "x"}}
    path.write_bytes(_jsonl([span]))
    refused = runner.invoke(cli, ["import", project.name, str(path)])
    assert refused.exit_code == 1
    assert "line 1" in refused.output
    assert "attributes.speaker" in refused.output
    result = runner.invoke(cli, ["set-attributes", project.name, "source", "speaker"])
    assert result.exit_code == 0, result.output
    assert f"Span attributes of {project.name}: source, speaker." in result.output
    assert runner.invoke(cli, ["import", project.name, str(path)]).exit_code == 0
    stored = db.session.scalar(select(Span.attributes))
    assert stored == {"speaker": "x"}


def test_annotator_names_differing_only_in_case_are_refused_not_merged(project):
    lines = [
        {
            "id": "d1",
            "text": "A b.",
            "annotations": [{"annotator": "Amy", "spans": []}],
        },
        {
            "id": "d2",
            "text": "C d.",
            "annotations": [{"annotator": "amy", "spans": []}],
        },
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    with pytest.raises(ImportRefused, match="'Amy' and 'amy' differ only in case"):
        import_files(db.session, project, [("a.jsonl", data)])
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
