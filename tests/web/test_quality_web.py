"""The quality page's figures as JSON: undefined ones say why."""

import json

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login
from tests.web.test_review_web import SPANS, api, record


@pytest.fixture
def doc(project):
    data = json.dumps(record("d1", SPANS)).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    return db.session.scalar(select(Document.id).where(Document.external_id == "d1"))


def test_quality_json_names_the_reason_of_each_undefined_figure(client, project, doc):
    login(client, "reviewer")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    client.post(
        api(project.id, doc, "accept-agreed"), json={"version": 0}, headers=headers
    )
    client.post(
        api(project.id, doc, "adjudicate"),
        json={"version": 1, "undecided": 2},
        headers=headers,
    )
    url = f"/api/projects/{project.id}/review/quality"
    data = client.get(url).get_json()
    assert data["mode"] == "exact"
    assert [row["n_groups"] for row in data["undecided"]] == [2]
    bob = {row["annotator"]: row for row in data["annotators"]}["bob"]["by_label"]
    assert bob["all"]["precision"] == {"value": 1.0, "reason": None}
    assert bob["hedge"]["recall"] == {"value": None, "reason": "no gold spans"}
    assert bob["hedge"]["precision"]["reason"] == "no spans of this annotator"
    assert client.get(f"{url}?mode=partial").get_json()["mode"] == "partial"
    assert client.get(f"{url}?mode=x").status_code == 400


def test_quality_json_is_for_reviewers_only(client, project, doc):
    login(client, "annotator")
    assert client.get(f"/api/projects/{project.id}/review/quality").status_code == 403
