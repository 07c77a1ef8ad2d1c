"""Complete means complete, as reviewers see it: the queue and the Agreement
page wait for the project's annotators per document, say why in words, and
leave out what the viewer has open to annotate."""

import html as html_module
import json
import re

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document, GoldSpan
from annotator.services import agreement, assignments, projects
from annotator.services.annotations import assignment_for, create_span, set_status
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login

TEXT = "Officials said the strike was staged, and the other side denied it all."
NEEDS = "fewer annotators have submitted it than the project needs (2)"


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
                "spans": [
                    {"start": s, "end": e, "label": label} for s, e, label in spans
                ],
            }
            for name, spans in spans_by_annotator.items()
        ],
    }


def import_records(project, *records):
    data = "\n".join(json.dumps(r) for r in records).encode()
    import_files(db.session, project, [("docs.jsonl", data)])


def document(external_id):
    return db.session.scalar(
        select(Document).where(Document.external_id == external_id)
    )


def shown_text(page):
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def shown(client, url):
    """The text of the page at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, url
    return shown_text(response.get_data(as_text=True))


def submit(project, user, expected, label="claim"):
    """``user`` takes the next document (``expected``), tags it and submits."""
    doc = assignments.next_document(db.session, project, user)
    assert doc.external_id == expected
    version = assignment_for(db.session, doc, user).version
    data = {"start": 0, "end": 14, "label": label, "version": version}
    _, version = create_span(db.session, project, doc.id, user, data)
    set_status(db.session, doc, user, {"version": version, "status": "submitted"})


@pytest.fixture
def half(project):
    """Two annotators per document: "full" submitted by two, "half" by one."""
    import_records(
        project,
        record("full", ann=[(0, 14, "claim")], bob=[(0, 14, "claim")]),
        record("half", ann=[(0, 14, "claim")]),
    )
    return document("half")


def test_the_queue_waits_for_the_second_annotator_and_says_so(
    client, project, half, users
):
    login(client, "reviewer")
    queue = f"/projects/{project.id}/review"
    page = shown(client, queue)
    assert (
        "1 document waits for a second annotator: the project needs 2 "
        "annotators per document. Until then it is not reviewed" in page
    )
    assert "full" in page
    assert "half" not in page
    submit(project, users["annotator"], "half")
    page = shown(client, queue)
    assert "half" in page
    assert "waits for" not in page


def test_decisions_on_a_waiting_document_are_refused(client, project, half):
    login(client, "reviewer")
    url = f"/api/projects/{project.id}/review/documents/{half.id}"
    state = client.get(url).get_json()
    refused = client.post(
        f"{url}/accept",
        json={"version": 0, "span_ids": state["groups"][0]["span_ids"]["A"]},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "status"
    assert "not complete" in refused.get_json()["error"]
    assert db.session.scalars(select(GoldSpan)).all() == []


def test_the_agreement_page_counts_only_complete_documents(client, project, half):
    login(client, "reviewer")
    page = shown(client, f"/projects/{project.id}/agreement")
    assert "1 of 2 documents compared (those at least 2 annotators submitted)" in page
    assert f"1 of 2 documents left out (1: {NEEDS})" in page
    assert "1 document waits for a second annotator" in page
    side = shown(client, f"/projects/{project.id}/agreement/documents/{half.id}")
    assert f"Not in the agreement figures: {NEEDS}." in side


def test_too_few_members_who_can_annotate_on_both_pages(client, users):
    solo = projects.create_project(db.session, "Solo")
    import_records(solo, record("one", solo=[(0, 14, "claim")]))
    sentence = (
        "1 document waits for a second annotator: the project needs 2 annotators "
        "per document and has 1 who can annotate; add members who can annotate "
        "to complete it."
    )
    login(client, "siteadmin")  # not a member: does not count
    assert sentence in shown(client, f"/projects/{solo.id}/review")
    assert sentence in shown(client, f"/projects/{solo.id}/agreement")


@pytest.fixture
def opened(project, users):
    """Two complete documents; the reviewer has "clash" open to annotate (a
    third place taken while the project asked for three)."""
    import_records(
        project,
        record("clash", ann=[(0, 14, "claim")], bob=[(0, 14, "hedge")]),
        record("calm", ann=[(0, 14, "claim")], bob=[(0, 14, "claim")]),
    )
    project.annotators_per_document = 3
    db.session.commit()
    taken = assignments.next_document(db.session, project, users["reviewer"])
    assert taken.external_id == "clash"
    project.annotators_per_document = 2
    db.session.commit()
    return taken.id


def test_the_agreement_page_leaves_out_what_the_viewer_has_open(
    client, project, opened, users
):
    url = f"/projects/{project.id}/agreement"
    link = f'href="/projects/{project.id}/agreement/documents/{opened}"'
    login(client, "reviewer")
    theirs = client.get(url).get_data(as_text=True)
    login(client, "padmin")
    others = client.get(url).get_data(as_text=True)
    assert link not in theirs
    assert link in others
    assert "1 of 2 documents compared" in shown_text(theirs)
    assert "2 of 2 documents compared" in shown_text(others)
    assert "(1: you have it open to annotate)" in shown_text(theirs)
    assert "you have it open" not in others
    exact = re.compile(r'id="figure-f1_exact".*?<p class="value">([^<]+)<', re.S)
    assert exact.search(theirs).group(1) == "1.000"  # calm only
    assert exact.search(others).group(1) == "0.500"  # calm and clash
    login(client, "reviewer")  # the cached report of padmin is not reused
    assert link not in client.get(url).get_data(as_text=True)
