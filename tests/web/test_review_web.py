"""The review pages and API: who may reach each route, CSRF, 400 with the
field, 409 on a stale version, and what a reviewer sees."""

import html as html_module
import json
import re

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document, GoldSpan
from annotator.services import adjudication
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login

TEXT = "Moscow says the attack was staged. Kyiv denies it. Maybe so."
SPANS = {
    "ann": [(0, 33, "claim"), (35, 49, "denial"), (51, 56, "hedge")],
    "bob": [(0, 33, "claim"), (35, 44, "denial"), (51, 56, "claim")],
}


def record(doc_id, spans_by_annotator):
    return {
        "id": doc_id,
        "text": TEXT,
        "annotations": [
            {
                "annotator": name,
                "spans": [{"start": s, "end": e, "label": x} for s, e, x in spans],
            }
            for name, spans in spans_by_annotator.items()
        ],
    }


@pytest.fixture
def doc(project):
    data = "\n".join(
        json.dumps(r) for r in [record("d1", SPANS), record("d2", SPANS)]
    ).encode()
    import_files(db.session, project, [("docs.jsonl", data)])
    return db.session.scalar(select(Document.id).where(Document.external_id == "d1"))


def review_rules(app):
    return [
        rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("review.")
    ]


def url_of(rule, project_id, document_id):
    values = {"project_id": project_id, "document_id": document_id}
    return rule.build({k: values[k] for k in rule.arguments})[1]


def method_of(rule):
    return "POST" if "POST" in rule.methods else "GET"


def call(client, rule, project_id, document_id, token=None, body=None):
    method = method_of(rule)
    headers = {"X-CSRFToken": token} if token else {}
    kwargs = {"json": body or {"version": 0}} if method == "POST" else {}
    return client.open(
        url_of(rule, project_id, document_id), method=method, headers=headers, **kwargs
    )


def api(project_id, document_id, name=""):
    base = f"/api/projects/{project_id}/review/documents/{document_id}"
    return f"{base}/{name}" if name else base


def text_of(page):
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# ------------------------------------------------------------------ access


def test_every_decision_has_its_route(app):
    posts = {
        rule.rule.rsplit("/", 1)[1]
        for rule in review_rules(app)
        if "POST" in rule.methods
    }
    assert posts == set(adjudication.DECISIONS)


def test_annotators_get_403_on_every_review_route(app, client, project, doc):
    login(client, "annotator")
    token = csrf_token(client, "/")
    for rule in review_rules(app):
        response = call(client, rule, project.id, doc, token)
        assert response.status_code == 403, rule.rule
    assert db.session.scalar(select(GoldSpan.id)) is None


def test_non_members_get_404_on_every_review_route(
    app, client, project, other_project, doc
):
    login(client, "outsider")
    token = csrf_token(client, "/")
    for rule in review_rules(app):
        assert call(client, rule, project.id, doc, token).status_code == 404
    login(client, "reviewer")
    token = csrf_token(client, "/")
    for rule in review_rules(app):
        response = call(client, rule, other_project.id, doc, token)
        assert response.status_code == 404, rule.rule


def test_anonymous_users_are_redirected_or_get_401(app, client, project, doc):
    token = csrf_token(client)
    for rule in review_rules(app):
        response = call(client, rule, project.id, doc, token)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("who", ["reviewer", "padmin", "siteadmin"])
def test_reviewers_and_admins_reach_every_page(app, client, project, doc, who):
    login(client, who)
    for rule in review_rules(app):
        if method_of(rule) == "GET":
            response = call(client, rule, project.id, doc)
            assert response.status_code == 200, rule.rule


def test_decisions_need_the_csrf_token(client, project, doc):
    login(client, "reviewer")
    response = client.post(api(project.id, doc, "accept-agreed"), json={"version": 0})
    assert response.status_code == 400
    assert db.session.scalar(select(GoldSpan.id)) is None


def test_a_document_of_another_project_is_404_in_the_api(
    client, project, other_project, doc
):
    import_files(db.session, other_project, [("b.txt", b"Beta's secret article.")])
    beta = db.session.scalar(
        select(Document.id).where(Document.project_id != project.id)
    )
    login(client, "reviewer")
    assert client.get(api(project.id, beta)).status_code == 404
    assert (
        client.get(f"/projects/{project.id}/review/documents/{beta}").status_code == 404
    )


def test_the_nav_links_to_review_for_reviewers_only(client, project):
    login(client, "annotator")
    assert "/review" not in client.get(f"/projects/{project.id}").get_data(as_text=True)
    login(client, "reviewer")
    assert f"/projects/{project.id}/review" in client.get(
        f"/projects/{project.id}"
    ).get_data(as_text=True)


# ------------------------------------------------------------------ API


def test_accept_then_conflict_then_undo(client, project, doc):
    login(client, "reviewer")
    token = csrf_token(client, "/")
    headers = {"X-CSRFToken": token}
    state = client.get(api(project.id, doc)).get_json()
    assert [a["key"] for a in state["annotators"]] == ["A", "B"]
    ids = state["groups"][0]["span_ids"]["A"]
    accepted = client.post(
        api(project.id, doc, "accept"),
        json={"version": 0, "span_ids": ids},
        headers=headers,
    )
    assert accepted.status_code == 200
    assert accepted.get_json()["version"] == 1
    stale = client.post(
        api(project.id, doc, "reject"),
        json={"version": 0, "span_ids": ids},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.get_json()["current"]["version"] == 1
    undone = client.post(
        api(project.id, doc, "undo"), json={"version": 1}, headers=headers
    )
    assert undone.get_json()["undone"] == "accept"
    assert client.get(api(project.id, doc)).get_json()["gold"] == []


def test_accept_agreed_answers_the_links_it_carried(client, project):
    spans = [
        {"id": "c", "start": 0, "end": 33, "label": "claim"},
        {"id": "d", "start": 35, "end": 49, "label": "denial"},
    ]
    links = [{"source": "d", "target": "c", "kind": "denies"}]
    linked = {
        "id": "linked",
        "text": TEXT,
        "annotations": [{"annotator": "ann", "spans": spans, "links": links}],
    }
    project.annotators_per_document = 1  # one annotator's work is complete
    import_files(db.session, project, [("l.jsonl", json.dumps(linked).encode())])
    doc = db.session.scalar(
        select(Document.id).where(
            Document.project_id == project.id, Document.external_id == "linked"
        )
    )
    login(client, "reviewer")
    before = client.get(api(project.id, doc)).get_json()
    [waiting] = before["annotator_links_not_in_gold"]
    assert (waiting["annotator"], waiting["kind"]) == ("A", "denies")
    answer = client.post(
        api(project.id, doc, "accept-agreed"),
        json={"version": 0},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    ).get_json()
    after = client.get(api(project.id, doc)).get_json()
    assert answer["created_links"] == [link["id"] for link in after["gold_links"]]
    assert len(answer["created_links"]) == 1
    assert after["annotator_links_not_in_gold"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 0, "start": 0, "end": 999, "label": "claim"}, "end"),
        ({"version": 0, "start": 0, "end": 5, "label": "rumour"}, "label"),
        ({"start": 0, "end": 5, "label": "claim"}, "version"),
    ],
)
def test_bad_input_is_400_naming_the_field(client, project, doc, body, field):
    login(client, "reviewer")
    token = csrf_token(client, "/")
    response = client.post(
        api(project.id, doc, "add"), json=body, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_a_body_that_is_not_an_object_is_400(client, project, doc):
    login(client, "reviewer")
    token = csrf_token(client, "/")
    response = client.post(
        api(project.id, doc, "add"), json=[1, 2], headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400


def test_adjudicate_returns_the_next_open_document(client, project, doc):
    login(client, "reviewer")
    token = csrf_token(client, "/")
    response = client.post(
        api(project.id, doc, "adjudicate"),
        json={"version": 0},
        headers={"X-CSRFToken": token},
    )
    refused = response.get_json()
    assert response.status_code == 409
    assert refused["undecided"] == 3
    assert "3 groups are still undecided" in refused["error"]
    response = client.post(
        api(project.id, doc, "adjudicate"),
        json={"version": 0, "undecided": 3},
        headers={"X-CSRFToken": token},
    )
    following = db.session.scalar(
        select(Document.id).where(Document.external_id == "d2")
    )
    assert response.get_json()["next_document_id"] == following


# ------------------------------------------------------------------ pages


def test_queue_page_lists_documents_and_filters_by_label(client, project, doc):
    login(client, "reviewer")
    page = text_of(client.get(f"/projects/{project.id}/review").get_data(as_text=True))
    assert "d1" in page
    assert "d2" in page
    assert "2 of 3" in page
    assert "Review the first open document: d1" in page
    filtered = client.get(f"/projects/{project.id}/review?label=false_flag_warning")
    assert "No document is ready for review" in text_of(filtered.get_data(as_text=True))
    assert client.get(f"/projects/{project.id}/review?label=rumour").status_code == 400


def test_review_page_passes_the_text_as_json_and_hides_names(client, project, doc):
    login(client, "reviewer")
    page = client.get(f"/projects/{project.id}/review/documents/{doc}")
    body = page.get_data(as_text=True)
    data = re.search(r'id="review-data">(.*?)</script>', body, re.S).group(1)
    payload = json.loads(data)
    assert payload["state"]["document"]["text"] == TEXT
    # The one CSRF token is the page's meta tag (static/js/lib/http.js reads it).
    assert "csrf_token" not in payload
    assert re.search(r'<meta name="csrf-token" content="[^"]+"', body)
    assert '"ann"' not in data
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in body
    shown = client.get(f"/projects/{project.id}/review/documents/{doc}?names=shown")
    assert '"ann"' in shown.get_data(as_text=True)


def test_quality_page_shows_figures_per_annotator_and_label(client, project, doc):
    login(client, "reviewer")
    token = csrf_token(client, "/")
    headers = {"X-CSRFToken": token}
    client.post(
        api(project.id, doc, "accept-agreed"), json={"version": 0}, headers=headers
    )
    client.post(
        api(project.id, doc, "adjudicate"),
        json={
            "version": 1,
            "undecided": client.get(api(project.id, doc)).get_json()["undecided"],
        },
        headers=headers,
    )
    page = text_of(
        client.get(f"/projects/{project.id}/review/quality").get_data(as_text=True)
    )
    assert "ann 1 adjudicated document" in page
    # Two groups were left undecided: their spans are not counted (before,
    # they counted as wrong: "all labels 0.333 1.000 0.500 1 3").
    assert "2 groups in 1 adjudicated document were left undecided" in page
    assert "all labels 1.000 1.000 1.000 1 1 2" in page
    assert (
        "denial —, this annotator's spans are all in undecided groups —, no gold spans"
        in page
    )
    assert (
        client.get(f"/projects/{project.id}/review/quality?mode=x").status_code == 400
    )


def test_no_decisions_while_annotators_are_still_at_work(client, project, doc, users):
    from annotator.services import assignments

    project.annotators_per_document = 3
    db.session.commit()
    opened = assignments.next_document(db.session, project, users["annotator"])
    assert opened.id == doc
    login(client, "reviewer")
    state = client.get(api(project.id, doc)).get_json()
    ids = state["groups"][0]["span_ids"]["A"]
    refused = client.post(
        api(project.id, doc, "accept"),
        json={"version": 0, "span_ids": ids},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "status"
    assert db.session.scalars(select(GoldSpan)).all() == []


def test_a_reviewer_annotating_a_document_cannot_review_it(client, project, doc, users):
    from annotator.services import assignments

    project.annotators_per_document = 3
    db.session.commit()
    assert assignments.next_document(db.session, project, users["reviewer"]).id == doc
    login(client, "reviewer")
    page = client.get(f"/projects/{project.id}/review/documents/{doc}")
    assert page.status_code == 403
    assert "annotation is blind" in page.get_data(as_text=True)
    assert client.get(api(project.id, doc)).status_code == 403


@pytest.mark.parametrize(
    ("decision", "body"),
    [
        ("link", {"version": 0, "source": 10**20, "target": 1}),
        ("remove", {"version": 0, "gold_id": 10**20}),
        ("unlink", {"version": 0, "link_id": 10**20}),
        ("accept", {"version": 2**40, "span_ids": [1]}),
        ("remove", {"version": 0, "gold_id": True}),
    ],
)
def test_ids_too_large_for_the_database_are_input_errors(
    client, project, doc, decision, body
):
    login(client, "reviewer")
    response = client.post(
        api(project.id, doc, decision),
        json=body,
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )
    assert response.status_code == 400, response.get_data(as_text=True)


def test_a_document_with_a_decision_takes_no_new_annotators(
    client, project, doc, users
):
    from annotator.services import assignments

    login(client, "reviewer")
    state = client.get(api(project.id, doc)).get_json()
    accepted = client.post(
        api(project.id, doc, "accept"),
        json={"version": 0, "span_ids": state["groups"][0]["span_ids"]["A"]},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )
    assert accepted.status_code == 200
    project.annotators_per_document = 3
    db.session.commit()
    given = assignments.next_document(db.session, project, users["annotator"])
    assert given is not None
    assert given.id != doc  # the other, undecided document


# ------------------------------------------------------------------ undo, redo


def reviewer_posts(client, project_id, doc, name, **body):
    """POST a decision as the logged-in user on the version last loaded."""
    version = client.get(api(project_id, doc)).get_json()["version"]
    return client.post(
        api(project_id, doc, name),
        json={"version": version, **body},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )


@pytest.fixture
def undone(client, project, doc):
    """Two accepted gold spans; the older accept undone, so redo has work."""
    login(client, "reviewer")
    state = client.get(api(project.id, doc)).get_json()
    for group in (0, 2):
        ids = state["groups"][group]["span_ids"]["A"]
        assert (
            reviewer_posts(client, project.id, doc, "accept", span_ids=ids).status_code
            == 200
        )
    history = client.get(api(project.id, doc)).get_json()["history"]
    older = history[-1]["id"]
    response = reviewer_posts(client, project.id, doc, "undo", decision_id=older)
    assert response.status_code == 200
    return older


def gold_count():
    return len(db.session.scalars(select(GoldSpan.id)).all())


@pytest.mark.parametrize("name", ["redo", "undo"])
def test_undo_and_redo_refuse_annotators_outsiders_and_missing_csrf(
    client, project, doc, undone, name
):
    body = {"version": 3, "decision_id": undone} if name == "redo" else {"version": 3}
    login(client, "annotator")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    assert (
        client.post(api(project.id, doc, name), json=body, headers=headers).status_code
        == 403
    )
    login(client, "outsider")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    assert (
        client.post(api(project.id, doc, name), json=body, headers=headers).status_code
        == 404
    )
    login(client, "reviewer")
    assert client.post(api(project.id, doc, name), json=body).status_code == 400
    assert gold_count() == 1
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    response = client.post(api(project.id, doc, name), json=body, headers=headers)
    assert response.status_code == 200
    assert gold_count() == (2 if name == "redo" else 0)


def test_redo_answers_and_a_stale_redo_is_409(client, project, doc, undone):
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    stale = client.post(
        api(project.id, doc, "redo"), json={"version": 2}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.get_json()["current"]["version"] == 3
    redone = client.post(
        api(project.id, doc, "redo"), json={"version": 3}, headers=headers
    )
    assert redone.get_json()["redone_id"] == undone
    assert redone.get_json()["version"] == 4
    state = client.get(api(project.id, doc)).get_json()
    assert state["redo"] is None
    assert state["history"][0]["action"] == "redo accept"


def test_undo_of_a_decision_a_later_one_depends_on_is_409_naming_it(
    client, project, doc
):
    login(client, "reviewer")
    state = client.get(api(project.id, doc)).get_json()
    ids = state["groups"][0]["span_ids"]["A"]
    reviewer_posts(client, project.id, doc, "accept", span_ids=ids)
    accepted = client.get(api(project.id, doc)).get_json()["history"][0]["id"]
    gold_id = client.get(api(project.id, doc)).get_json()["gold"][0]["id"]
    reviewer_posts(client, project.id, doc, "remove", gold_id=gold_id)
    response = reviewer_posts(client, project.id, doc, "undo", decision_id=accepted)
    assert response.status_code == 409
    body = response.get_json()
    assert "undo 'remove' by reviewer at " in body["error"]
    assert body["blocking"] == [accepted + 1]
    entry = client.get(api(project.id, doc)).get_json()["history"][1]
    assert (entry["id"], entry["can_undo"]) == (accepted, False)


def test_the_page_shows_the_history_as_text(client, project, doc, users):
    users["reviewer"].username = "<b>rita</b>"
    db.session.commit()
    login(client, "<b>rita</b>")
    state = client.get(api(project.id, doc)).get_json()
    reviewer_posts(
        client, project.id, doc, "accept", span_ids=state["groups"][0]["span_ids"]["A"]
    )
    page = client.get(f"/projects/{project.id}/review/documents/{doc}").get_data(
        as_text=True
    )
    assert "<b>rita</b>" not in page
    payload = json.loads(
        html_module.unescape(
            re.search(r'id="review-data">(.*?)</script>', page, re.S)[1]
        )
    )
    assert payload["state"]["history"][0]["by"] == "<b>rita</b>"
    assert 'id="history-body"' in page
