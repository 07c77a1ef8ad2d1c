"""The JSON API for scripts under /api/v1: who may read and write what, the
shapes scripts rely on, pagination bounds, and imports all or nothing."""

import io
import json

import pytest
from sqlalchemy import func, select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Document, Membership
from annotator.services import assignments
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login

V1 = "/api/v1"


def _docs(project, count=3):
    import_files(
        db.session,
        project,
        [
            (f"d{i}.txt", f"Moscow denied attack number {i}.".encode())
            for i in range(count)
        ],
    )
    return list(db.session.scalars(select(Document.id).order_by(Document.id)))


def _as(client, username):
    login(client, username)
    return csrf_token(client, "/")


def _documents_stored():
    return db.session.scalar(select(func.count()).select_from(Document))


def _is_json_error(response, status):
    assert response.status_code == status, response.data
    assert response.is_json, response.data
    assert isinstance(response.get_json()["error"], str)
    return response.get_json()


# --- projects, labels ------------------------------------------------------


def test_anonymous_callers_get_401_json(client, project):
    _is_json_error(client.get(f"{V1}/projects"), 401)
    _is_json_error(client.get(f"{V1}/projects/{project.id}"), 401)


def test_projects_lists_only_the_callers_projects_with_the_role(
    client, project, other_project
):
    _as(client, "annotator")
    found = client.get(f"{V1}/projects").get_json()
    assert [(p["name"], p["role"]) for p in found] == [("Alpha", "annotator")]
    _as(client, "siteadmin")
    found = client.get(f"{V1}/projects").get_json()
    assert [(p["name"], p["role"]) for p in found] == [
        ("Alpha", "admin"),
        ("Beta", "admin"),
    ]


def test_project_carries_its_labels_and_labels_list_them_in_order(client, project):
    _as(client, "annotator")
    found = client.get(f"{V1}/projects/{project.id}").get_json()
    names = [label.name for label in project.labels]
    assert found["name"] == "Alpha"
    assert [label["name"] for label in found["labels"]] == names
    labels = client.get(f"{V1}/projects/{project.id}/labels").get_json()
    assert [label["name"] for label in labels] == names
    assert {"display_name", "color", "definition", "examples"} <= set(labels[0])


@pytest.mark.parametrize("path", ["", "/labels", "/documents", "/members", "/review"])
def test_non_members_and_unknown_ids_get_404_json(client, project, other_project, path):
    _as(client, "annotator")
    _is_json_error(client.get(f"{V1}/projects/{other_project.id}{path}"), 404)
    _is_json_error(client.get(f"{V1}/projects/999999{path}"), 404)
    _is_json_error(client.get(f"{V1}/projects/99999999999999{path}"), 404)


def test_wrong_method_and_unknown_path_answer_json(client, project):
    _as(client, "annotator")
    _is_json_error(client.put(f"{V1}/projects"), 405)
    _is_json_error(client.get(f"{V1}/nothing-here"), 404)


# --- members --------------------------------------------------------------


def test_members_are_for_project_admins(client, project):
    _as(client, "reviewer")
    _is_json_error(client.get(f"{V1}/projects/{project.id}/members"), 403)
    _as(client, "padmin")
    found = client.get(f"{V1}/projects/{project.id}/members").get_json()
    assert [(m["username"], m["role"]) for m in found] == [
        ("annotator", "annotator"),
        ("padmin", "admin"),
        ("reviewer", "reviewer"),
    ]


def test_a_project_admin_cannot_add_or_probe_accounts_from_elsewhere(
    client, project, other_project
):
    token = _as(client, "padmin")
    url = f"{V1}/projects/{project.id}/members"
    headers = {"X-CSRFToken": token}
    foreign = client.post(
        url, json={"username": "outsider", "role": "annotator"}, headers=headers
    )
    unknown = client.post(
        url, json={"username": "nobody", "role": "annotator"}, headers=headers
    )
    assert _is_json_error(foreign, 400)["field"] == "username"
    assert foreign.get_json()["error"].replace("outsider", "X") == unknown.get_json()[
        "error"
    ].replace("nobody", "X")
    role = client.post(
        url, json={"username": "reviewer", "role": "boss"}, headers=headers
    )
    assert _is_json_error(role, 400)["field"] == "role"


def test_admins_add_change_and_remove_members(client, project, users):
    token = _as(client, "siteadmin")
    url = f"{V1}/projects/{project.id}/members"
    headers = {"X-CSRFToken": token}
    added = client.post(
        url, json={"username": "outsider", "role": "reviewer"}, headers=headers
    )
    assert added.status_code == 200
    assert added.get_json() == {
        "id": users["outsider"].id,
        "username": "outsider",
        "role": "reviewer",
    }
    removed = client.delete(f"{url}/{users['outsider'].id}", headers=headers)
    assert removed.get_json()["removed"]["username"] == "outsider"
    assert (
        db.session.scalar(
            select(Membership).where(Membership.user_id == users["outsider"].id)
        )
        is None
    )
    _is_json_error(client.delete(f"{url}/{users['outsider'].id}", headers=headers), 404)


def test_member_writes_need_the_csrf_header(client, project):
    _as(client, "padmin")
    url = f"{V1}/projects/{project.id}/members"
    response = client.post(url, json={"username": "reviewer", "role": "admin"})
    _is_json_error(response, 400)
    assert "security token" in response.get_json()["error"]


# --- documents ------------------------------------------------------------


def test_documents_list_each_status_and_paginate(client, project):
    ids = _docs(project, 3)
    _as(client, "reviewer")
    url = f"{V1}/projects/{project.id}/documents"
    page = client.get(f"{url}?per_page=2&page=2").get_json()
    assert [d["id"] for d in page["documents"]] == ids[2:]
    assert page["page"] == {"page": 2, "per_page": 2, "pages": 2, "total": 3}
    assert page["documents"][0]["status"] == "waiting"
    assert page["counts"]["waiting"] == 3
    first = client.get(url).get_json()
    assert [d["id"] for d in first["documents"]] == ids


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("per_page=-1", "per_page"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("status=lost", "status"),
        ("label=rumour", "label"),
    ],
)
def test_bad_query_parameters_are_400_naming_them(client, project, query, field):
    _as(client, "reviewer")
    response = client.get(f"{V1}/projects/{project.id}/documents?{query}")
    assert _is_json_error(response, 400)["field"] == field


def test_annotators_may_not_list_documents(client, project):
    _as(client, "annotator")
    _is_json_error(client.get(f"{V1}/projects/{project.id}/documents"), 403)


def _upload(client, token, project, files, **fields):
    data = {"files": [(io.BytesIO(body), name) for name, body in files], **fields}
    return client.post(
        f"{V1}/projects/{project.id}/documents",
        data=data,
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )


def _line(doc_id, label="claim"):
    spans = [{"start": 0, "end": 6, "label": label}]
    row = {
        "id": doc_id,
        "text": "Moscow denied it.",
        "annotations": [{"annotator": "ann", "spans": spans}],
    }
    return json.dumps(row).encode()


def test_import_stores_documents_and_answers_201_with_counts(client, project):
    token = _as(client, "padmin")
    response = _upload(client, token, project, [("a.txt", b"One."), ("b.txt", b"Two.")])
    assert response.status_code == 201, response.data
    assert response.get_json() | {"report": None} == {
        "added": 2,
        "skipped": 0,
        "spans": 0,
        "annotators": [],
        "report": None,
    }
    assert _documents_stored() == 2


def test_import_dry_run_previews_and_stores_nothing(client, project):
    token = _as(client, "padmin")
    response = _upload(
        client, token, project, [("a.jsonl", _line("d1"))], dry_run="true"
    )
    assert response.status_code == 200, response.data
    found = response.get_json()
    assert found["dry_run"] is True
    assert found["new_documents"] == 1
    assert found["spans"] == [{"annotator": "ann", "label": "claim", "count": 1}]
    assert _documents_stored() == 0


def test_import_is_all_or_nothing_and_names_file_and_line(client, project):
    token = _as(client, "padmin")
    files = [
        ("good.txt", b"Fine text."),
        ("bad.jsonl", _line("d1") + b"\n{oops}\n"),
        ("worse.jsonl", _line("d9", label="nope")),
    ]
    response = _upload(client, token, project, files)
    problems = _is_json_error(response, 400)["problems"]
    assert any("bad.jsonl line 2" in problem for problem in problems)
    assert any("worse.jsonl line 1" in problem for problem in problems)
    assert _documents_stored() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"format": "excel"}, "format"),
        ({"offsets": "bytes"}, "offsets"),
        ({"label_map": "no-equals"}, "label_map"),
        ({"dry_run": "maybe"}, "dry_run"),
    ],
)
def test_bad_import_options_are_400_naming_the_field(client, project, fields, field):
    token = _as(client, "padmin")
    response = _upload(client, token, project, [("a.txt", b"One.")], **fields)
    assert _is_json_error(response, 400)["field"] == field
    assert _documents_stored() == 0


def test_import_without_files_and_by_a_reviewer_is_refused(client, project):
    token = _as(client, "padmin")
    assert _is_json_error(_upload(client, token, project, []), 400)["field"] == "files"
    token = _as(client, "reviewer")
    _is_json_error(_upload(client, token, project, [("a.txt", b"x")]), 403)
    assert _documents_stored() == 0


# --- assignments and annotations -----------------------------------------


@pytest.fixture
def assigned(project, users):
    ids = _docs(project, 2)
    assignments.next_document(db.session, project, users["annotator"])
    return ids


def test_annotators_see_their_own_assignments_reviewers_everyone(
    client, project, assigned, users
):
    assignments.next_document(db.session, project, users["padmin"])
    _as(client, "annotator")
    mine = client.get(f"{V1}/projects/{project.id}/assignments").get_json()
    assert [(a["username"], a["status"]) for a in mine] == [
        ("annotator", "in_progress")
    ]
    _as(client, "reviewer")
    everyone = client.get(f"{V1}/projects/{project.id}/assignments").get_json()
    assert sorted(a["username"] for a in everyone) == ["annotator", "padmin"]


def test_blind_reviewers_see_only_themselves_on_documents_they_annotate(
    client, project, assigned, users
):
    assignments.next_document(db.session, project, users["padmin"])
    _as(client, "padmin")
    found = client.get(f"{V1}/projects/{project.id}/assignments").get_json()
    mine = next(a["document_id"] for a in found if a["username"] == "padmin")
    on_mine = [a["username"] for a in found if a["document_id"] == mine]
    assert on_mine == ["padmin"]


def test_annotators_read_their_own_annotation_only(client, project, assigned):
    _as(client, "annotator")
    url = f"{V1}/projects/{project.id}/documents"
    own = client.get(f"{url}/{assigned[0]}/annotations").get_json()
    assert own["view"] == "own"
    assert own["own"]["spans"] == []
    assert own["own"]["status"] == "in_progress"
    _is_json_error(client.get(f"{url}/{assigned[1]}/annotations"), 404)


def test_reviewers_read_layers_but_not_while_annotating(
    client, project, assigned, users
):
    _as(client, "reviewer")
    url = f"{V1}/projects/{project.id}/documents/{assigned[0]}/annotations"
    found = client.get(url).get_json()
    assert found["view"] == "layers"
    assert [(layer["key"], layer["readable"]) for layer in found["layers"]] == [
        ("A", False)
    ]
    named = client.get(f"{url}?names=shown").get_json()
    assert named["layers"][0]["name"] == "annotator"
    assert _is_json_error(client.get(f"{url}?names=all"), 400)["field"] == "names"
    assignments.next_document(db.session, project, users["padmin"])
    _as(client, "padmin")
    held = client.get(f"{V1}/projects/{project.id}/assignments").get_json()
    mine = next(a["document_id"] for a in held if a["username"] == "padmin")
    blind = client.get(f"{V1}/projects/{project.id}/documents/{mine}/annotations")
    assert "annotating this document yourself" in _is_json_error(blind, 403)["error"]


def test_a_document_of_another_project_is_404(client, project, other_project, assigned):
    import_files(db.session, other_project, [("b.txt", b"Beta's secret.")])
    beta = db.session.scalar(
        select(Document.id).where(Document.project_id == other_project.id)
    )
    _as(client, "reviewer")
    response = client.get(f"{V1}/projects/{project.id}/documents/{beta}/annotations")
    _is_json_error(response, 404)
    assert b"Beta" not in response.data


# --- agreement and review -------------------------------------------------


def test_agreement_is_the_json_of_the_cli(client, runner, project, assigned):
    printed = runner.invoke(cli, ["agreement", "Alpha", "--json"])
    assert printed.exit_code == 0, printed.output
    _as(client, "reviewer")
    api = client.get(f"{V1}/projects/{project.id}/agreement")
    page = client.get(f"/projects/{project.id}/agreement?format=json")
    assert api.get_json() == json.loads(printed.output)
    assert page.is_json
    assert page.get_json() == json.loads(printed.output)
    assert (
        _is_json_error(
            client.get(f"{V1}/projects/{project.id}/agreement?unit=word"), 400
        )["field"]
        == "unit"
    )
    refused = client.get(f"/projects/{project.id}/agreement?format=xml")
    assert refused.status_code == 400
    assert b"format" in refused.data


def test_agreement_and_review_are_for_reviewers(client, project):
    _as(client, "annotator")
    _is_json_error(client.get(f"{V1}/projects/{project.id}/agreement"), 403)
    _is_json_error(client.get(f"{V1}/projects/{project.id}/review"), 403)


TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so."
SPANS = {
    "ann": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
    "bob": [(0, 33, "claim"), (35, 44, "denial"), (51, 56, "claim")],
}


@pytest.fixture
def in_review(project):
    """Two documents annotated by two imported annotators: in the queue."""
    rows = [
        {
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
        for doc_id in ("d1", "d2")
    ]
    data = "\n".join(json.dumps(row) for row in rows).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    return list(db.session.scalars(select(Document.id).order_by(Document.id)))


def test_review_state_counts_undecided_groups(client, project, in_review):
    token = _as(client, "reviewer")
    url = f"{V1}/projects/{project.id}/review"
    found = client.get(url).get_json()
    assert sorted(d["document_id"] for d in found["documents"]) == in_review
    entry = found["documents"][0]
    assert (entry["status"], entry["n_groups"], entry["n_undecided"]) == ("open", 3, 3)
    assert (found["in_review"], found["adjudicated"]) == (2, 0)
    assert found["undecided_groups"] == 6
    state = f"/api/projects/{project.id}/review/documents/{in_review[0]}"
    version = client.get(state).get_json()["version"]
    accepted = client.post(
        f"{state}/accept-agreed",
        json={"version": version},
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200, accepted.data
    after = {d["document_id"]: d for d in client.get(url).get_json()["documents"]}
    assert after[in_review[0]]["n_undecided"] == 2
    assert after[in_review[1]]["n_undecided"] == 3


def test_agreement_with_work_is_the_json_of_the_cli(client, runner, project, in_review):
    printed = runner.invoke(cli, ["agreement", "Alpha", "--json"])
    _as(client, "reviewer")
    found = client.get(f"{V1}/projects/{project.id}/agreement").get_json()
    assert found == json.loads(printed.output)
    assert found["coverage"]["n_compared_documents"] == 2


def test_review_state_counts_documents_in_review(client, project, assigned):
    _as(client, "reviewer")
    found = client.get(f"{V1}/projects/{project.id}/review").get_json()
    assert found["documents"] == []
    assert (found["in_review"], found["adjudicated"]) == (0, 0)
    assert "waiting" in found


def test_a_nameless_multipart_part_is_400_not_500(client, project):
    token = _as(client, "padmin")
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n"
    for url in (f"{V1}/projects/{project.id}/documents", "/login"):
        response = client.post(
            url,
            data=body,
            content_type="multipart/form-data; boundary=b",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 400, url
        assert b"has no name" in response.data


def test_the_review_pages_json_names_a_bad_mode(client, project):
    _as(client, "reviewer")
    response = client.get(f"/api/projects/{project.id}/review/quality?mode=fuzzy")
    assert "mode 'fuzzy'" in _is_json_error(response, 400)["error"]
