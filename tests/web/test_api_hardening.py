"""The annotation API against input that used to reach the database, and the
rules that keep submitted work fixed under the review built on it."""

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Adjudication, Assignment, Document
from tests.web.conftest import Api, span_count


def status(api, value, reason=""):
    body = {"version": api.version(), "status": value, "reason": reason}
    return api.send("POST", "/status", body)


def test_spans_of_a_submitted_document_are_frozen_until_reopened(
    client, project, document
):
    api = Api(client, project, document)
    assert api.add(0, 2).status_code == 201
    assert status(api, "submitted").status_code == 200
    refused = api.add(9, 15)
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "status"
    assert "submitted" in refused.get_json()["error"]
    assert span_count() == 1
    assert status(api, "in_progress").status_code == 200
    assert api.add(9, 15).status_code == 201


def test_annotators_cannot_reopen_once_review_has_started(client, project, document):
    api = Api(client, project, document)
    assert status(api, "submitted").status_code == 200
    db.session.add(Adjudication(document_id=document.id, version=1))
    db.session.commit()
    refused = status(api, "in_progress")
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "status"
    assignment = db.session.scalar(select(Assignment))
    db.session.refresh(assignment)
    assert assignment.status == "submitted"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"note": "a\x00b"}, "note"),
        ({"note": "a\ud800b"}, "note"),
        ({"attributes": {"source": "Mos\x00cow"}}, "attributes.source"),
        ({"attributes": {"": "x"}}, "attributes"),
        ({"attributes": {"x" * 41: "x"}}, "attributes"),
    ],
)
def test_unstorable_text_is_refused_naming_the_field(
    client, project, document, extra, field
):
    api = Api(client, project, document)
    response = api.add(0, 2, **extra)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == field
    assert span_count() == 0


@pytest.mark.parametrize("label", ["cl\x00aim", "\ud800"], ids=["nul", "surrogate"])
@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(0, 2, "label"), (5, 3, "end"), (0, 999, "end")],
    ids=["offsets-fine", "end-before-start", "end-past-text"],
)
def test_an_unstorable_label_is_refused_naming_the_field(
    client, project, document, label, start, end, field
):
    """A label the database cannot take (NUL, a lone surrogate) never
    reaches the save's query: it is an unknown label (400), after any offset
    error, as every other unknown label, not a 500 from the driver."""
    api = Api(client, project, document)
    body = {"version": api.version(), "start": start, "end": end, "label": label}
    response = api.send("POST", "/spans", body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == field
    assert span_count() == 0


def test_unstorable_skip_reason_is_refused(client, project, document):
    api = Api(client, project, document)
    response = status(api, "skipped", "bad\x00reason")
    assert response.status_code == 400
    assert response.get_json()["field"] == "reason"


def test_numbers_too_large_for_the_database_are_input_errors(client, project, document):
    api = Api(client, project, document)
    body = {"start": 0, "end": 2, "label": "claim", "version": 2**64}
    huge_version = api.send("POST", "/spans", body)
    assert huge_version.status_code == 400
    assert huge_version.get_json()["field"] == "version"
    created = api.add(0, 2).get_json()["span"]["id"]
    link = {"source": 2**63, "target": created, "version": api.version()}
    huge_link = api.send("POST", "/links", link)
    assert huge_link.status_code == 400
    assert huge_link.get_json()["field"] == "source"
    assert client.get(f"/projects/{2**31}").status_code == 404
    assert (
        client.get(
            f"/api/projects/{project.id}/documents/{2**40}/annotation"
        ).status_code
        == 404
    )


def test_the_same_span_twice_is_refused(client, project, document):
    api = Api(client, project, document)
    assert api.add(0, 2).status_code == 201
    again = api.add(0, 2)
    assert again.status_code == 400
    assert again.get_json()["field"] == "span"
    assert api.add(0, 2, label="hedge").status_code == 201  # another label is fine
    assert span_count() == 2


def test_source_suggestions_hold_only_the_annotators_own_and_gold(
    client, project, document, users
):
    from annotator.models import GoldSpan
    from annotator.services.annotations import project_sources
    from annotator.services.documents import import_files

    line = (
        '{"id": "other", "text": "Kyiv said so.", "annotations": [{"annotator": '
        '"someone", "spans": [{"start": 0, "end": 4, "label": "claim", '
        '"attributes": {"source": "SECRET-OTHER"}}]}]}'
    )
    import_files(db.session, project, [("o.jsonl", line.encode())])
    api = Api(client, project, document)
    assert api.add(0, 2, attributes={"source": "Mine"}).status_code == 201
    other = db.session.scalar(select(Document).where(Document.external_id == "other"))
    db.session.add(
        GoldSpan(
            document_id=other.id,
            label_id=project.labels[0].id,
            start=5,
            end=9,
            attributes={"source": "Gold source"},
            decision="added",
        )
    )
    db.session.commit()
    assert project_sources(db.session, project, users["annotator"]) == [
        "Gold source",
        "Mine",
    ]
    page = client.get(f"/projects/{project.id}/documents/{document.id}/annotate")
    assert page.status_code == 200
    assert "SECRET-OTHER" not in page.get_data(as_text=True)
    assert "Mine" in page.get_data(as_text=True)


def test_a_refused_review_request_does_not_freeze_the_annotators_work(
    client, project, document
):
    api = Api(client, project, document)
    assert status(api, "submitted").status_code == 200
    db.session.add(Adjudication(document_id=document.id, version=0))
    db.session.commit()
    assert status(api, "in_progress").status_code == 200


def test_first_submit_works_even_after_review_started(client, project, document):
    api = Api(client, project, document)
    db.session.add(Adjudication(document_id=document.id, version=3))
    db.session.commit()
    assert status(api, "submitted").status_code == 200


def test_a_skipped_place_taken_by_someone_else_cannot_be_reopened(
    client, project, document, users
):
    from annotator.services import assignments
    from annotator.services.accounts import find_user

    project.annotators_per_document = 1
    db.session.commit()
    api = Api(client, project, document)
    assert status(api, "skipped", "off topic").status_code == 200
    taken = assignments.next_document(
        db.session, project, find_user(db.session, "second")
    )
    assert taken.id == document.id
    refused = status(api, "in_progress")
    assert refused.status_code == 400
    assert "went to someone else" in refused.get_json()["error"]


def test_moving_a_span_onto_an_identical_one_is_refused(client, project, document):
    api = Api(client, project, document)
    assert api.add(0, 2).status_code == 201
    second = api.add(9, 15).get_json()["span"]["id"]
    moved = api.send(
        "PATCH", f"/spans/{second}", {"version": api.version(), "start": 0, "end": 2}
    )
    assert moved.status_code == 400
    assert moved.get_json()["field"] == "span"


def test_a_reviewer_who_annotates_cannot_reopen_after_others_submitted(
    client, project, document, users
):
    from annotator.services import assignments
    from annotator.services.accounts import find_user
    from annotator.services.annotations import assignment_for, set_status

    second = find_user(db.session, "second")
    assert assignments.next_document(db.session, project, second).id == document.id
    version = assignment_for(db.session, document, second).version
    set_status(
        db.session, document, second, {"version": version, "status": "submitted"}
    )
    project.annotators_per_document = 3
    db.session.commit()
    reviewer = users["reviewer"]
    assert assignments.next_document(db.session, project, reviewer).id == document.id
    api = Api(client, project, document, username="reviewer")
    assert status(api, "submitted").status_code == 200
    refused = status(api, "in_progress")
    assert refused.status_code == 400
    assert "your work on it is final" in refused.get_json()["error"]
    annotator = Api(client, project, document)  # a plain annotator still may
    assert status(annotator, "submitted").status_code == 200
    assert status(annotator, "in_progress").status_code == 200
