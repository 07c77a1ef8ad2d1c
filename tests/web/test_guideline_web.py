"""The guideline page and drawer: who may edit, versions, the once-only
notice, label definitions, and Markdown that cannot run script."""

import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services import assignments, guideline
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login

ATTACKS = "\n\n".join(
    [
        "# Rules",
        "<script>alert('raw')</script>",
        '<img src="x" onerror="alert(1)">',
        "[click me](javascript:alert(2)) and [ok](https://example.org/rules)",
        '<a href="javascript:alert(3)">raw link</a>',
        '<div style="position:fixed" onclick="alert(4)">raw div</div>',
        "![image](javascript:alert(5))",
        "<iframe src=https://example.org></iframe>",
        "Plain **bold** text",
    ]
)


def save(client, project, text, token=None):
    token = token or csrf_token(client, f"/projects/{project.id}/guideline")
    return client.post(
        f"/projects/{project.id}/guideline",
        data={"guideline": text, "csrf_token": token},
    )


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, as a browser parses it."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html):
    """Nothing from the attacks is live markup: no inline script, no event
    handler attribute, no javascript: URL, no image, frame or styled div;
    the raw HTML shows as text."""
    for tag, attributes in Elements(html).tags:
        assert tag not in ("img", "iframe"), (tag, attributes)
        assert not (tag == "div" and "style" in attributes), attributes
        if tag == "script":
            assert "src" in attributes or attributes.get("type") in (
                "application/json",
                "importmap",  # ours: checked below
            )
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:")
    # The one inline script a page may have: the import map of its modules,
    # static URLs only (web/assets.py), nothing from what a user wrote.
    maps = re.findall(r'<script type="importmap">(.*?)</script>', html, re.S)
    assert len(maps) <= 1
    for text in maps:
        imports = json.loads(text)["imports"]
        for plain, versioned in imports.items():
            assert re.fullmatch(r"/static/js/[\w/]+\.js", plain), plain
            assert re.fullmatch(re.escape(plain) + r"\?v=[0-9a-f]{16}", versioned)
    assert "&lt;script&gt;alert(&#39;raw&#39;)&lt;/script&gt;" in html or (
        "&lt;script&gt;alert('raw')&lt;/script&gt;" in html
    )
    assert "&lt;img" in html


@pytest.fixture
def doc(project, users):
    import_files(db.session, project, [("a.txt", b"Moscow denied the attack.")])
    assignments.next_document(db.session, project, users["annotator"])
    return db.session.scalar(select(Document))


def annotate_page(client, project, doc):
    return client.get(f"/projects/{project.id}/documents/{doc.id}/annotate")


@pytest.mark.parametrize("username", ["padmin", "siteadmin"])
def test_project_admins_save_a_new_version(client, project, username):
    login(client, username)
    response = save(client, project, "# Rules\n\nTag *claims*.")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Guideline saved as version 2." in page
    assert "<h1>Rules</h1>" in page
    assert "<em>claims</em>" in page
    assert f"by {username}" in page
    assert "Version 1</a>" in page
    assert "Edit the guideline" in page


@pytest.mark.parametrize("username", ["annotator", "reviewer"])
def test_annotators_and_reviewers_read_but_cannot_edit(client, project, username):
    login(client, username)
    page = client.get(f"/projects/{project.id}/guideline")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Tag claims." in body
    assert "Edit the guideline" not in body
    assert "<textarea" not in body
    token = csrf_token(client, "/")
    assert save(client, project, "Hijacked", token).status_code == 403
    assert guideline.newest(db.session, project).text == "Tag claims."


def test_a_non_member_gets_404(client, project):
    login(client, "outsider")
    assert client.get(f"/projects/{project.id}/guideline").status_code == 404
    token = csrf_token(client, "/")
    assert save(client, project, "Hijacked", token).status_code == 404


def test_saving_without_the_csrf_token_is_refused(client, project):
    login(client, "padmin")
    response = client.post(
        f"/projects/{project.id}/guideline", data={"guideline": "No token"}
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert [v.number for v in guideline.history(db.session, project)] == [1]


def test_a_guideline_too_long_is_refused_naming_the_field(client, project):
    login(client, "padmin")
    response = save(client, project, "x" * (guideline.MAX_GUIDELINE_CHARS + 1))
    assert response.status_code == 400
    assert "Field cannot be longer than 200000 characters" in response.get_data(
        as_text=True
    )


def test_an_old_version_can_be_read(client, project, users):
    guideline.save_guideline(db.session, project, "Second rules", users["padmin"])
    login(client, "annotator")
    old = client.get(f"/projects/{project.id}/guideline/versions/1")
    body = old.get_data(as_text=True)
    assert old.status_code == 200
    assert "Tag claims." in body
    assert "Second rules" not in body
    assert "An old version:" in body
    assert client.get(f"/projects/{project.id}/guideline/versions/9").status_code == 404


def test_script_and_html_in_the_guideline_are_inert_everywhere(
    client, project, users, doc
):
    login(client, "padmin")
    assert save(client, project, ATTACKS).status_code == 302
    login(client, "annotator")
    pages = [
        client.get(f"/projects/{project.id}/guideline"),
        client.get(f"/projects/{project.id}/guideline/versions/2"),
        client.get(f"/projects/{project.id}"),
        annotate_page(client, project, doc),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert_inert(html)
        assert '<a href="https://example.org/rules" rel="noopener noreferrer' in html
        assert "<strong>bold</strong>" in html
    # The payload's copy of the source is JSON inside a script element that
    # the HTML parser cannot leave: tojson escapes < and >.
    payload = re.search(
        r'id="annotate-payload">(.*?)</script>', pages[-1].get_data(as_text=True)
    ).group(1)
    assert "<" not in payload
    assert json.loads(payload)["project"]["guideline"] == ATTACKS


def test_updated_notice_shows_once_after_a_change(client, project, users, doc):
    login(client, "annotator")
    first = annotate_page(client, project, doc).get_data(as_text=True)
    assert "Guideline updated" not in first
    assert 'id="guideline-drawer">' in first  # closed: the text comes first
    assert "new to you: read before you start" in first
    second = annotate_page(client, project, doc).get_data(as_text=True)
    assert "new to you" not in second
    guideline.save_guideline(db.session, project, "Tag *denials* too.", users["padmin"])
    changed = annotate_page(client, project, doc).get_data(as_text=True)
    assert "Guideline updated: version 2" in changed
    assert "by padmin" in changed
    assert "<em>denials</em>" in changed
    assert 'id="guideline-drawer" open' in changed
    after = annotate_page(client, project, doc).get_data(as_text=True)
    assert "Guideline updated" not in after


def label_rows(project, **changes):
    """The labels form as the page posts it, with ``changes`` to row 0."""
    data = {}
    for index, label in enumerate(project.labels):
        row = {
            "name": label.name,
            "display_name": label.display_name,
            "color": label.color,
            "hotkey": label.hotkey,
            "underline": label.underline,
            "definition": label.definition,
            "examples": label.examples,
        }
        if index == 0:
            row.update(changes)
        data.update({f"rows-{index}-{key}": value for key, value in row.items()})
    return data


def test_label_definitions_are_edited_on_the_labels_page_and_shown(
    client, project, doc
):
    login(client, "padmin")
    labels_url = f"/projects/{project.id}/labels"
    form = client.get(labels_url).get_data(as_text=True)
    assert "Definition" in form
    assert "Examples (one a line)" in form
    response = client.post(
        labels_url,
        data={
            **label_rows(
                project,
                definition="A <b>checkable</b> statement.",
                examples="Russia moved troops\r\n\r\n  NATO said so  ",
            ),
            "csrf_token": csrf_token(client, labels_url),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    claim = project.labels[0]
    assert claim.definition == "A <b>checkable</b> statement."
    assert claim.examples == "Russia moved troops\nNATO said so"
    login(client, "annotator")
    html = annotate_page(client, project, doc).get_data(as_text=True)
    assert (
        '<dd id="label-definition-claim">\n          A &lt;b&gt;checkable&lt;/b&gt;'
        in html
    )
    assert "<li>NATO said so</li>" in html
    payload = json.loads(
        re.search(r'id="annotate-payload">(.*?)</script>', html, re.S).group(1)
    )
    assert payload["labels"][0]["definition"] == "A <b>checkable</b> statement."
    assert payload["labels"][0]["examples"] == ["Russia moved troops", "NATO said so"]
    overview = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "A &lt;b&gt;checkable&lt;/b&gt; statement." in overview


def test_a_definition_too_long_is_refused(client, project):
    login(client, "padmin")
    labels_url = f"/projects/{project.id}/labels"
    response = client.post(
        labels_url,
        data={
            **label_rows(project, definition="x" * 501),
            "csrf_token": csrf_token(client, labels_url),
        },
    )
    assert response.status_code == 400
    assert "Field cannot be longer than 500 characters" in response.get_data(
        as_text=True
    )


def test_annotators_cannot_edit_labels(client, project):
    login(client, "annotator")
    labels_url = f"/projects/{project.id}/labels"
    assert client.get(labels_url).status_code == 403
    token = csrf_token(client, "/")
    response = client.post(
        labels_url,
        data={**label_rows(project, definition="Mine"), "csrf_token": token},
    )
    assert response.status_code == 403
