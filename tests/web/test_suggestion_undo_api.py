"""Undoing an accept or a reject through the API: the suggestion is offered
again, the accepted span goes with its links and audit row, in one
transaction named by the assignment version like every write."""

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import AuditEvent, Span, SpanLink, SuggestionDecision
from annotator.services.suggestions import settings
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


def undo(api, suggestion_id, version, **options):
    return api.send(
        "DELETE",
        f"/suggestions/{suggestion_id}/decision",
        {"version": version},
        **options,
    )


def test_undoing_an_accept_deletes_the_span_and_offers_it_again(api):
    offered = denial(api)
    accepted = api.send("POST", f"/suggestions/{offered['id']}/accept", {"version": 0})
    span_id = accepted.get_json()["span"]["id"]
    claim = api.add(36, 53).get_json()["span"]
    assert TEXT[36:53] == "Russia was blamed"  # code points: the emoji count 1
    linked = api.send(
        "POST",
        "/links",
        {"version": 2, "source": span_id, "target": claim["id"], "kind": "denies"},
    )
    assert linked.status_code == 201
    response = undo(api, offered["id"], 3)
    assert response.status_code == 200
    assert response.get_json() == {
        "version": 4,
        "deleted_span": span_id,
        "deleted_links": [linked.get_json()["link"]["id"]],
    }
    assert db.session.get(Span, span_id) is None
    assert db.session.scalar(select(SpanLink)) is None
    assert db.session.scalar(select(SuggestionDecision)) is None
    assert offered in listed(api)  # the same id, offsets and label again
    assert [s["id"] for s in api.get().get_json()["spans"]] == [claim["id"]]
    actions = [
        (e.entity, e.action)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if e.entity in {"span", "suggestion"}
    ]
    assert actions[-2:] == [("span", "delete"), ("suggestion", "undo")]


def test_undoing_a_reject_offers_it_again_and_makes_no_span(api):
    offered = denial(api)
    api.send("POST", f"/suggestions/{offered['id']}/reject", {"version": 0})
    assert offered not in listed(api)
    response = undo(api, offered["id"], 1)
    assert response.get_json() == {
        "version": 2,
        "deleted_span": None,
        "deleted_links": [],
    }
    assert offered in listed(api)
    assert span_count() == 0
    again = api.send("POST", f"/suggestions/{offered['id']}/accept", {"version": 2})
    assert again.status_code == 201


def test_a_stale_undo_is_a_conflict_and_changes_nothing(api):
    offered = denial(api)
    api.send("POST", f"/suggestions/{offered['id']}/accept", {"version": 0})
    api.add(0, 2)
    response = undo(api, offered["id"], 1)
    assert response.status_code == 409
    assert response.get_json()["annotation"]["version"] == 2
    assert span_count() == 2
    assert db.session.scalar(select(SuggestionDecision)) is not None
    assert offered not in listed(api)


def test_undo_without_a_decision_is_404_and_without_a_version_400(api):
    offered = denial(api)
    assert undo(api, offered["id"], 0).status_code == 404
    api.send("POST", f"/suggestions/{offered['id']}/reject", {"version": 0})
    response = api.send("DELETE", f"/suggestions/{offered['id']}/decision", {})
    assert response.status_code == 400
    assert response.get_json()["field"] == "version"
    assert undo(api, offered["id"], 1).status_code == 200
    assert undo(api, offered["id"], 2).status_code == 404  # undone already


def test_undo_needs_the_csrf_token_and_is_the_callers_own(
    client, api, project, document
):
    offered = denial(api)
    api.send("POST", f"/suggestions/{offered['id']}/reject", {"version": 0})
    assert undo(api, offered["id"], 1, token=False).status_code == 400
    client.post("/logout")
    second = Api(client, project, document, username="second")
    assert undo(second, offered["id"], 0).status_code == 404  # not assigned
    assert db.session.scalar(select(SuggestionDecision)) is not None


def test_a_submitted_document_refuses_undo_until_reopened(api):
    offered = denial(api)
    api.send("POST", f"/suggestions/{offered['id']}/accept", {"version": 0})
    api.send("POST", "/status", {"version": 1, "status": "submitted"})
    response = undo(api, offered["id"], 2)
    assert response.status_code == 400
    assert response.get_json()["field"] == "status"
    assert span_count() == 1


def test_undoing_an_accept_whose_span_was_deleted_deletes_nothing_else(api):
    offered = denial(api)
    accepted = api.send("POST", f"/suggestions/{offered['id']}/accept", {"version": 0})
    span_id = accepted.get_json()["span"]["id"]
    assert api.send("DELETE", f"/spans/{span_id}", {"version": 1}).status_code == 200
    # The same place drawn again by hand: a span of the annotator's own.
    drawn = api.send(
        "POST",
        "/spans",
        {
            "start": offered["start"],
            "end": offered["end"],
            "label": "denial",
            "version": 2,
        },
    )
    assert drawn.status_code == 201
    response = undo(api, offered["id"], 3)
    assert response.status_code == 200
    assert response.get_json() == {
        "version": 4,
        "deleted_span": None,
        "deleted_links": [],
    }
    assert [s["id"] for s in api.get().get_json()["spans"]] == [
        drawn.get_json()["span"]["id"]
    ]
