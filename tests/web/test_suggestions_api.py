"""The suggestions API: the caller's suggestions in code points, accept and
reject with the assignment version (answered as the span API does), CSRF,
membership."""

import pytest

from annotator.extensions import db
from annotator.models import Span
from annotator.services.suggestions import settings
from tests.conftest import login
from tests.web.conftest import TEXT, Api, span_count


@pytest.fixture
def api(client, project, document):
    settings.set_suggestions(db.session, project, "on")
    return Api(client, project, document)


def listed(api):
    response = api.client.get(f"{api.base}/suggestions")
    assert response.status_code == 200
    return response.get_json()["suggestions"]


def denial(api):
    return next(s for s in listed(api) if s["label"] == "denial")


def test_suggestions_are_code_points_with_their_suggester(api):
    found = listed(api)
    first = denial(api)
    assert TEXT[first["start"] : first["end"]] == "denied the attack"
    assert (first["start"], first["end"]) == (16, 33)  # UTF-16 would say 21
    assert set(first) == {
        "id",
        "start",
        "end",
        "label",
        "score",
        "suggester",
        "version",
    }
    assert (first["suggester"], first["version"]) == ("rules", "1")
    assert listed(api) == found  # ids and order stay put


def test_accept_answers_like_the_span_api_and_makes_a_span(api):
    first = denial(api)
    response = api.send("POST", f"/suggestions/{first['id']}/accept", {"version": 0})
    assert response.status_code == 201
    body = response.get_json()
    assert body["version"] == 1
    assert (body["span"]["start"], body["span"]["end"]) == (16, 33)
    assert body["span"]["label"] == "denial"
    assert api.get().get_json()["spans"][0]["id"] == body["span"]["id"]
    stored = db.session.get(Span, body["span"]["id"])
    assert (stored.origin, stored.suggester, stored.suggester_version) == (
        "suggested",
        "rules",
        "1",
    )
    assert first["id"] not in {s["id"] for s in listed(api)}


def test_a_stale_accept_is_a_conflict_with_the_current_annotation(api):
    first = denial(api)
    api.add(0, 2)
    response = api.send("POST", f"/suggestions/{first['id']}/accept", {"version": 0})
    assert response.status_code == 409
    assert response.get_json()["annotation"]["version"] == 1
    assert span_count() == 1


def test_accept_without_a_version_names_the_field(api):
    first = denial(api)
    response = api.send("POST", f"/suggestions/{first['id']}/accept", {})
    assert response.status_code == 400
    assert response.get_json()["field"] == "version"


def test_reject_is_remembered_and_makes_no_span(api):
    first = denial(api)
    response = api.send("POST", f"/suggestions/{first['id']}/reject", {"version": 0})
    assert response.status_code == 200
    assert response.get_json() == {"version": 1}
    assert first["id"] not in {s["id"] for s in listed(api)}
    assert span_count() == 0
    again = api.send("POST", f"/suggestions/{first['id']}/accept", {"version": 1})
    assert again.status_code == 404


def test_an_unknown_suggestion_is_404(api):
    response = api.send("POST", "/suggestions/" + "0" * 24 + "/accept", {"version": 0})
    assert response.status_code == 404


def test_writes_need_the_csrf_token(api):
    first = denial(api)
    for action in ("accept", "reject"):
        response = api.send(
            "POST", f"/suggestions/{first['id']}/{action}", {"version": 0}, token=False
        )
        assert response.status_code == 400
    assert span_count() == 0


def test_none_when_off_or_on_a_calibration_document(api, project):
    settings.set_suggestions(db.session, project, "off")
    assert listed(api) == []
    settings.set_suggestions(db.session, project, "calibrate", 1.0)
    assert listed(api) == []


def test_outsiders_and_the_unassigned_get_404(client, project, document, users):
    settings.set_suggestions(db.session, project, "on")
    path = f"/api/projects/{project.id}/documents/{document.id}/suggestions"
    login(client, "outsider")
    assert client.get(path).status_code == 404
    client.post("/logout")
    login(client, "reviewer")  # a member, but the document is not assigned
    assert client.get(path).status_code == 404


def test_anonymous_gets_401(client, project, document):
    path = f"/api/projects/{project.id}/documents/{document.id}/suggestions"
    assert client.get(path).status_code == 401
