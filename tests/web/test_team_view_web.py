"""The team view in the browser's eyes: who may open the documents list and a
document page, the filters, names kept hidden, and text drawn as text with
each label's colour slot and underline style."""

import html
import re

import pytest

from annotator.extensions import db
from annotator.services import assignments
from annotator.services.documents import import_files
from tests.conftest import login
from tests.services.test_progress import (
    CLAIM,
    DENIAL,
    add_documents,
    close,
    doc,
    take,
)

ROW = re.compile(r'<tr data-document="(\d+)" data-status="([a-z_]+)">')


@pytest.fixture
def team(project, users):
    """d1 waiting, d2 submitted by amy and zed, d3 half done by amy."""
    add_documents(
        project,
        "d1",
        annotated={
            "d2": {"zed": [CLAIM, DENIAL], "amy": [CLAIM]},
            "d3": {"amy": [CLAIM]},
        },
    )
    return project


def get(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def rows(page):
    return [(int(doc_id), status) for doc_id, status in ROW.findall(page)]


def documents_url(project, query=""):
    return f"/projects/{project.id}/documents{query}"


def document_url(project, name, query=""):
    return f"/projects/{project.id}/documents/{doc(name).id}{query}"


# --------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [("reviewer", 200), ("padmin", 200), ("annotator", 403), ("outsider", 404)],
)
def test_who_may_open_the_list_and_a_document(
    client, team, other_project, username, expected
):
    login(client, username)
    assert client.get(documents_url(team)).status_code == expected
    assert client.get(document_url(team, "d2")).status_code == expected


def test_another_projects_document_is_not_found(client, team, other_project):
    import_files(db.session, other_project, [("b.txt", b"Beta's secret.")])
    login(client, "padmin")
    status, _ = get(client, document_url(team, "b"))
    assert status == 404


def test_a_reviewer_annotating_a_document_may_not_open_its_layers(client, team, users):
    take(team, users["reviewer"], "d1")
    login(client, "reviewer")
    status, page = get(client, document_url(team, "d1"))
    assert status == 403
    assert "annotation is blind" in page


# --------------------------------------------------------------------------
# The list and its filters
# --------------------------------------------------------------------------


def test_the_list_says_each_status_and_links_review_where_it_can(client, team):
    login(client, "reviewer")
    status, page = get(client, documents_url(team))
    assert status == 200
    ids = {name: doc(name).id for name in ("d1", "d2", "d3")}
    assert rows(page) == [
        (ids["d1"], "waiting"),
        (ids["d2"], "submitted"),
        (ids["d3"], "waiting"),
    ]
    assert "submitted by 2 of 2" in page
    assert "waiting, submitted by 1 of 2" in page
    review = f'/projects/{team.id}/review/documents/{{}}"'
    assert review.format(ids["d2"]) in page
    assert review.format(ids["d3"]) not in page
    assert "amy" in page
    assert "zed" in page
    assert "1 document waits for a second annotator" in page


def test_filters_by_status_and_label(client, team):
    login(client, "reviewer")
    d2, d3 = doc("d2").id, doc("d3").id
    _, page = get(client, documents_url(team, "?status=submitted"))
    assert rows(page) == [(d2, "submitted")]
    _, page = get(client, documents_url(team, "?label=claim"))
    assert rows(page) == [(d2, "submitted"), (d3, "waiting")]
    _, page = get(client, documents_url(team, "?label=denial&status=waiting"))
    assert rows(page) == []
    assert "No document matches these filters." in page
    _, page = get(client, documents_url(team, "?label=denial"))
    assert rows(page) == [(d2, "submitted")]
    assert 'aria-current="page">all <span class="count">1</span>' in page


@pytest.mark.parametrize(
    ("query", "named"),
    [("?status=finished", "status"), ("?label=rumour", "label")],
)
def test_unknown_filters_get_400_naming_them(client, team, query, named):
    login(client, "reviewer")
    status, page = get(client, documents_url(team, query))
    assert status == 400
    assert f"unknown {named}" in html.unescape(page)


@pytest.mark.parametrize("query", ["?page=abc", "?page=-3", "?page=99999999999"])
def test_odd_page_numbers_show_a_page(client, team, query):
    login(client, "reviewer")
    status, page = get(client, documents_url(team, query))
    assert status == 200
    assert len(rows(page)) == 3


def test_a_reviewer_annotating_a_document_does_not_learn_who_else_does(
    client, team, users
):
    annotator, reviewer = users["annotator"], users["reviewer"]
    d1 = take(team, annotator, "d1")
    close(team, d1, annotator, "submitted")
    assert assignments.next_document(db.session, team, reviewer).external_id == "d1"
    login(client, "reviewer")
    _, page = get(client, documents_url(team))
    row = page[page.index(f'data-document="{d1.id}"') :].split("</tr>")[0]
    assert ">annotator<" not in row
    assert "and 1 other, unnamed while you annotate it" in row
    assert f"/projects/{team.id}/documents/{d1.id}/annotate" in row
    assert f"/review/documents/{d1.id}" not in row


# --------------------------------------------------------------------------
# A document's layers
# --------------------------------------------------------------------------


def test_names_stay_hidden_unless_asked(client, team):
    login(client, "reviewer")
    _, page = get(client, document_url(team, "d2"))
    assert "amy" not in page
    assert "zed" not in page
    assert "Annotator A" in page
    _, page = get(client, document_url(team, "d2", "?layer=B"))
    assert "Annotator B · 2 spans" in page
    assert "zed" not in page
    _, page = get(client, document_url(team, "d2", "?layer=B&names=shown"))
    assert "Annotator zed · 2 spans" in page
    assert "amy" in page


def test_an_unknown_layer_is_a_400(client, team):
    login(client, "reviewer")
    status, page = get(client, document_url(team, "d2", "?layer=Q"))
    assert status == 400
    assert "no layer 'Q'" in html.unescape(page)


def test_marks_carry_colour_slot_and_underline_style_with_a_legend(client, team):
    login(client, "reviewer")
    _, page = get(client, document_url(team, "d2", "?layer=B"))
    claim = '<span class="mark lane-0 lbl-0 u-solid" title="Claim">Officials said'
    denial = 'lbl-1 u-double" title="Denial">other side denied it all</span>'
    assert claim in page
    assert denial in page
    for words in ("solid underline", "double underline", "dotted underline"):
        assert words in page
    assert '"color": "#1f77b4"' in page


def test_document_text_and_notes_are_rendered_as_text(client, project, users):
    text = '<b onmouseover="x()">bold</b> & {{ 7*7 }} said'
    span = {"start": 0, "end": 29, "label": "claim", "note": "<i>n</i>"}
    record = {
        "id": "xss",
        "text": text,
        "annotations": [{"annotator": "ann", "spans": [span]}],
    }
    import json

    import_files(db.session, project, [("x.jsonl", json.dumps(record).encode())])
    login(client, "reviewer")
    _, page = get(client, document_url(project, "xss"))
    assert "<b onmouseover" not in page
    assert "<i>n</i>" not in page
    assert "&lt;b onmouseover=&#34;x()&#34;&gt;bold&lt;/b&gt;" in page
    assert "note: &lt;i&gt;n&lt;/i&gt;" in page


def test_pages_of_fifty_keep_the_filters_in_their_links(client, project):
    add_documents(project, *[f"doc-{i:02}" for i in range(51)])
    login(client, "reviewer")
    _, page = get(client, documents_url(project, "?status=waiting"))
    assert len(rows(page)) == 50
    assert "51 documents · page 1 of 2" in page
    following = f"/projects/{project.id}/documents?status=waiting&amp;page=2"
    assert f'href="{following}" rel="next"' in page
    _, page = get(client, documents_url(project, "?status=waiting&page=2"))
    assert rows(page) == [(doc("doc-50").id, "waiting")]
    assert 'rel="next"' not in page
    assert 'rel="prev"' in page
