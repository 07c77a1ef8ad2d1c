"""The annotation API: code-point offsets, validation naming the field, stale
writes refused with 409, blind annotation."""

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import AuditEvent, Document, Span
from annotator.services import assignments
from annotator.services.accounts import create_user
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from tests.conftest import PASSWORD, login
from tests.web.conftest import TEXT, Api, span_count


def test_span_offsets_are_code_points(client, project, document):
    api = Api(client, project, document)
    start = TEXT.index("Moscow")
    response = api.add(start, start + len("Moscow"), attributes={"source": "TASS"})
    assert response.status_code == 201
    body = response.get_json()
    assert (
        body["span"]["start"] == 9
    )  # 👍🏽 is 2 code points, 👨‍👩‍👧 is 5; UTF-16 says 14
    assert TEXT[body["span"]["start"] : body["span"]["end"]] == "Moscow"
    stored = db.session.scalar(select(Span))
    assert (stored.start, stored.end) == (9, 15)
    assert stored.attributes == {"source": "TASS"}


@pytest.mark.parametrize(
    ("start", "end", "label", "field"),
    [
        (0, len(TEXT) + 1, "claim", "end"),
        (5, 5, "claim", "end"),
        (-1, 3, "claim", "start"),
        (0, 3, "rumour", "label"),
        ("0", 3, "claim", "start"),
    ],
)
def test_invalid_spans_are_refused_naming_the_field(
    client, project, document, start, end, label, field
):
    api = Api(client, project, document)
    response = api.add(start, end, label)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert span_count() == 0


def test_label_of_another_project_is_refused(client, project, other_project, document):
    from annotator.core.labels import DEFAULT_LABELS, LabelSpec
    from annotator.services.projects import replace_labels

    rumour = LabelSpec("rumour", "Rumour", "#555555", "r", "dashed")
    replace_labels(
        db.session, other_project, [*DEFAULT_LABELS, rumour], other_project_admin()
    )
    api = Api(client, project, document)
    refused = api.add(0, 2, label="rumour")
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "label"
    assert "unknown label 'rumour'" in refused.get_json()["error"]
    assert span_count() == 0
    response = api.add(0, 2, label="claim", label_id=other_project.labels[0].id)
    assert response.status_code == 201  # label_id is ignored: labels go by name
    assert db.session.scalar(select(Span.label_id)) == project.labels[0].id


def other_project_admin():
    from annotator.services.accounts import find_user

    return find_user(db.session, "outsider")


def test_stale_write_gets_409_with_the_current_state(client, project, document):
    api = Api(client, project, document)
    stale = api.version()
    assert api.add(0, 2).status_code == 201
    response = api.send(
        "POST", "/spans", {"version": stale, "start": 3, "end": 8, "label": "hedge"}
    )
    assert response.status_code == 409
    current = response.get_json()["annotation"]
    assert [span["label"] for span in current["spans"]] == ["claim"]
    assert span_count() == 1


def test_api_needs_the_csrf_header(client, project, document):
    api = Api(client, project, document)
    body = {"version": api.version(), "start": 0, "end": 2, "label": "claim"}
    response = api.send("POST", "/spans", body, token=False)
    assert response.status_code == 400
    assert span_count() == 0


def test_annotation_is_blind(app, project, document, users):
    first = Api(app.test_client(), project, document)
    first.add(0, 2)
    assignments.next_document(db.session, project, users["annotator"])
    from annotator.services.accounts import find_user

    assignments.next_document(db.session, project, find_user(db.session, "second"))
    second = Api(app.test_client(), project, document, "second")
    assert second.get().get_json()["spans"] == []
    span_id = db.session.scalar(select(Span.id))
    response = second.send(
        "PATCH", f"/spans/{span_id}", {"version": second.version(), "label": "hedge"}
    )
    assert response.status_code == 404
    response = second.send("DELETE", f"/spans/{span_id}", {"version": second.version()})
    assert response.status_code == 404
    assert span_count() == 1


def test_relabel_link_and_delete(client, project, document):
    api = Api(client, project, document)
    claim = api.add(TEXT.index("Russia"), TEXT.index(","), "claim").get_json()
    denial = api.add(TEXT.index("denied"), TEXT.index("attack") + 6, "denial")
    denial = denial.get_json()
    link = api.send(
        "POST",
        "/links",
        {
            "version": api.version(),
            "source": denial["span"]["id"],
            "target": claim["span"]["id"],
            "kind": "denies",
        },
    )
    assert link.status_code == 201
    backwards = api.send(
        "POST",
        "/links",
        {
            "version": api.version(),
            "source": claim["span"]["id"],
            "target": denial["span"]["id"],
            "kind": "denies",
        },
    )
    assert backwards.status_code == 400
    assert backwards.get_json()["field"] == "kind"
    relabel = api.send(
        "PATCH",
        f"/spans/{claim['span']['id']}",
        {"version": api.version(), "label": "hedge"},
    )
    assert relabel.status_code == 400  # the link forbids it
    note = api.send(
        "PATCH",
        f"/spans/{claim['span']['id']}",
        {"version": api.version(), "note": "checkable?"},
    )
    assert note.get_json()["span"]["note"] == "checkable?"
    deleted = api.send(
        "DELETE", f"/spans/{claim['span']['id']}", {"version": api.version()}
    )
    assert deleted.get_json()["deleted_links"] == [link.get_json()["link"]["id"]]
    assert api.get().get_json()["links"] == []
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity.in_(["span", "link"]))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "create", "create", "update", "delete"]


def test_submit_and_skip(client, project, document):
    api = Api(client, project, document)
    skip = api.send("POST", "/status", {"version": api.version(), "status": "skipped"})
    assert skip.status_code == 400
    assert skip.get_json()["field"] == "reason"
    done = api.send(
        "POST", "/status", {"version": api.version(), "status": "submitted"}
    )
    assert done.get_json()["status"] == "submitted"
    assert api.get().get_json()["status"] == "submitted"


def test_non_members_and_anonymous_users_are_refused(
    app, project, other_project, document
):
    anonymous = app.test_client()
    url = f"/api/projects/{project.id}/documents/{document.id}/annotation"
    assert anonymous.get(url).status_code == 401
    outsider = app.test_client()
    login(outsider, "outsider")
    assert outsider.get(url).status_code == 404
    wrong_project = (
        f"/api/projects/{other_project.id}/documents/{document.id}/annotation"
    )
    assert outsider.get(wrong_project).status_code == 404


def test_each_document_gets_n_different_annotators(project, users):
    import_files(db.session, project, [("a.txt", b"One."), ("b.txt", b"Two.")])
    people = [users["annotator"]]
    for name in ("x1", "x2"):
        user = create_user(db.session, name, PASSWORD)
        add_member(db.session, project, user, "annotator", None)
        people.append(user)
    seen = {}
    for user in people * 3:
        document = assignments.next_document(db.session, project, user)
        if document is None:
            continue
        seen.setdefault(document.id, []).append(user.username)
        from annotator.services.annotations import assignment_for, set_status

        version = assignment_for(db.session, document, user).version
        set_status(
            db.session, document, user, {"version": version, "status": "submitted"}
        )
    assert sorted(len(names) for names in seen.values()) == [2, 2]
    for names in seen.values():
        assert len(set(names)) == len(names)
    progress = assignments.progress(db.session, project, users["annotator"])
    assert (progress.done, progress.total) == (2, 2)


@pytest.mark.parametrize(
    "body",
    [
        {"start": 0, "end": 4, "label": "claim"},
        {"start": 0, "end": 2**40, "label": "claim"},
        {"start": -(2**40), "end": 4, "label": "claim"},
        {"start": "0", "end": 4, "label": "claim"},
        {"start": 0, "end": 4, "label": "rumour"},
    ],
    ids=["valid", "end-past-int", "start-below-int", "start-a-string", "label"],
)
def test_a_save_on_another_projects_document_is_404_whatever_the_body(
    client, project, other_project, document, body
):
    """The document is looked up in the same query as the rest of the save:
    one outside the caller's project is still not found (never a 400 that
    would tell a bad body from a foreign document), and nothing is stored."""
    import_files(db.session, other_project, [("b.txt", b"Beta's secret text.")])
    beta = db.session.scalar(
        select(Document.id).where(Document.project_id == other_project.id)
    )
    api = Api(client, project, document)
    for target in (beta, 2**31 - 1):
        response = client.post(
            f"/api/projects/{project.id}/documents/{target}/spans",
            json={"version": 0, **body},
            headers={"X-CSRFToken": api.token},
        )
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["error"] == f"no document {target} in {project.name}"
        assert b"Beta" not in response.data
    assert span_count() == 0


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'{"start": 0, "start": 1}', b"\xff"],
    ids=["not-json", "not-an-object", "key-twice", "not-utf8"],
)
def test_a_malformed_body_on_another_projects_document_is_404(
    client, project, other_project, document, raw
):
    """The document is looked up before the body is read, as it was when the
    view loaded it first: a body that is not a JSON object does not turn a
    foreign document's 404 into a 400."""
    import_files(db.session, other_project, [("b.txt", b"Beta's secret text.")])
    beta = db.session.scalar(
        select(Document.id).where(Document.project_id == other_project.id)
    )
    api = Api(client, project, document)
    for target in (beta, 2**31 - 1):
        response = client.post(
            f"/api/projects/{project.id}/documents/{target}/spans",
            data=raw,
            content_type="application/json",
            headers={"X-CSRFToken": api.token},
        )
        assert response.status_code == 404, response.get_json()
        # The same answer as for a body that parses.
        assert response.get_json()["error"] == f"no document {target} in {project.name}"
    assert span_count() == 0
