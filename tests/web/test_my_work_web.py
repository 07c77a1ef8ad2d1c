"""My work: the queue lists open, submitted and skipped documents with Reopen
where the reopen rule allows it, ends honestly, and the project overview
speaks to each role."""

import html as html_module
import re

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services import assignments
from annotator.services.accounts import create_user
from annotator.services.annotations import assignment_for, set_status
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from tests.conftest import PASSWORD, csrf_token, login


def shown(client, url):
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    page = client.get(url)
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", " ", page.get_data(as_text=True))
    return " ".join(html_module.unescape(text).split())


def finish(project, user, status="submitted"):
    """``user`` takes their next document and submits (or skips) it."""
    document = assignments.next_document(db.session, project, user)
    version = assignment_for(db.session, document, user).version
    set_status(
        db.session,
        document,
        user,
        {"version": version, "status": status, "reason": "Not news"},
    )
    return document


@pytest.fixture
def docs(project):
    files = [(f"d{i}.txt", f"Document number {i}.".encode()) for i in range(3)]
    import_files(db.session, project, files)
    return list(db.session.scalars(select(Document).order_by(Document.id)))


def others(project, count):
    made = []
    for index in range(count):
        user = create_user(db.session, f"other{index}", PASSWORD)
        add_member(db.session, project, user, "annotator", None)
        made.append(user)
    return made


def test_queue_lists_open_submitted_and_skipped_with_reopen(
    client, project, users, docs
):
    annotator = users["annotator"]
    finish(project, annotator)  # d0 submitted
    finish(project, annotator, "skipped")  # d1 skipped: place still free
    assignments.next_document(db.session, project, annotator)  # d2 open
    login(client, "annotator")
    url = f"/projects/{project.id}/queue"
    text = shown(client, url)
    assert "2 of 3 documents done · 1 open · 1 of them skipped" in text
    assert "Open documents" in text
    assert "Submitted 1" in text
    assert "Skipped 1" in text
    page = client.get(url).get_data(as_text=True)
    for doc in docs[:2]:
        status_url = f"/api/projects/{project.id}/documents/{doc.id}/status"
        assert f'data-url="{status_url}"' in page
    assert page.count('class="reopen-button"') == 2
    assert "Continue annotating (1 left)" in text


def test_reopen_is_offered_only_where_the_rule_allows(client, project, users, docs):
    annotator = users["annotator"]
    skipped = finish(project, annotator, "skipped")
    for other in others(project, 2):  # both places on d0 go to others
        assignments.next_document(db.session, project, other)
    login(client, "annotator")
    text = shown(client, f"/projects/{project.id}/queue")
    assert skipped.external_id in text
    assert "Final: your place on this document went to someone else" in text
    page = client.get(f"/projects/{project.id}/queue").get_data(as_text=True)
    assert "reopen-button" not in page


def test_the_end_of_the_queue_says_so_without_a_next_button(
    client, project, users, docs
):
    for _ in docs:
        finish(project, users["annotator"])
    login(client, "annotator")
    url = f"/projects/{project.id}/queue"
    text = shown(client, url)
    assert "All your documents are done; nothing left to assign." in text
    assert "3 of 3 documents done" in text
    page = client.get(url).get_data(as_text=True)
    assert f"/projects/{project.id}/next" not in page
    assert "press “Next document”" not in text
    overview = shown(client, f"/projects/{project.id}")
    assert "All your documents are done; nothing left to assign." in overview
    assert "Start annotating" not in overview


def test_a_reviewer_without_annotation_work_is_sent_to_the_review_queue(
    client, project, docs
):
    login(client, "reviewer")
    text = shown(client, f"/projects/{project.id}/queue")
    assert "documents done" not in text
    assert "0 of" not in text
    assert "You have no annotation work in this project." in text
    page = client.get(f"/projects/{project.id}/queue").get_data(as_text=True)
    assert f'href="/projects/{project.id}/review"' in page


def test_the_overview_starts_an_annotator_with_the_count_left(
    client, project, users, docs
):
    finish(project, users["annotator"])
    login(client, "annotator")
    text = shown(client, f"/projects/{project.id}")
    assert "Start annotating (2 left)" in text
    assert "1 of 3 documents done" in text
    assert "Review" not in text.split("Labels")[0].replace("Overview", "")
    token = csrf_token(client, f"/projects/{project.id}")
    response = client.post(f"/projects/{project.id}/next", data={"csrf_token": token})
    assert response.headers["Location"].endswith(f"/documents/{docs[1].id}/annotate")


def test_the_overview_tells_a_reviewer_what_waits_for_review(
    client, project, users, docs
):
    finish(project, users["annotator"])
    finish(project, others(project, 1)[0])  # d0 submitted by both: ready
    login(client, "reviewer")
    text = shown(client, f"/projects/{project.id}")
    assert "1 document waits for review." in text
    assert "Open the review queue" in text
    assert "documents done" not in text
    assert "Start annotating" not in text
    assert "Members" not in text


def test_the_overview_gives_an_admin_progress_and_links(client, project, users, docs):
    finish(project, users["annotator"])
    login(client, "padmin")
    text = shown(client, f"/projects/{project.id}")
    assert "Waiting 3" in text
    assert "Submitted 0" in text
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    for path in ("documents", "members", "exports", "labels", "guideline"):
        assert f'href="/projects/{project.id}/{path}"' in page
    assert f'href="/projects/{project.id}/documents?status=waiting"' in page


def test_a_submitted_document_hides_submit_and_skip(client, project, users, docs):
    document = finish(project, users["annotator"])
    login(client, "annotator")
    page = client.get(
        f"/projects/{project.id}/documents/{document.id}/annotate"
    ).get_data(as_text=True)
    assert re.search(r'<button[^>]*id="submit-button"[^>]* hidden[ >]', page)
    assert re.search(r'<button[^>]*id="skip-open"[^>]* hidden[ >]', page)
    assert re.search(r'<button type="button" id="reopen-button">', page)
    open_doc = assignments.next_document(db.session, project, users["annotator"])
    page = client.get(
        f"/projects/{project.id}/documents/{open_doc.id}/annotate"
    ).get_data(as_text=True)
    submit = re.search(r'<button[^>]*id="submit-button"[^>]*>', page)
    assert submit
    assert " hidden" not in submit.group(0)
    assert re.search(r'<button type="button" id="reopen-button" hidden>', page)


def test_the_overview_shows_label_swatches_not_hex_codes(client, project, users):
    login(client, "annotator")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    colours = [label.color for label in project.labels]
    for colour in colours:
        assert f'fill="{colour}"' in page
    listed = page.split('class="labels label-definitions-list"')[1].split("</ul>")[0]
    assert not any(
        f">{colour}<" in listed or f" {colour}" in listed for colour in colours
    )
