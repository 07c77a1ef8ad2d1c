"""Every page type has a <title> of its own, so that tabs, bookmarks and the
browser history tell pages apart: "<page> · <project> · Framing annotator"."""

import html
import io
import re

from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services import assignments
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _title(response, path):
    assert response.status_code in (200, 400, 404), (path, response.status_code)
    found = TITLE.search(response.get_data(as_text=True))
    assert found, path
    return html.unescape(" ".join(found.group(1).split()))


def test_every_page_type_has_a_distinct_title(app, client, project, users):
    import_files(db.session, project, [("a.txt", b"Moscow denied the attack.")])
    document = db.session.scalar(select(Document))
    assignments.next_document(db.session, project, users["annotator"])
    p, d, u = project.id, document.id, users["annotator"].id
    titles = {"login": _title(client.get("/login"), "/login")}

    login(client, "annotator")
    path = f"/projects/{p}/documents/{d}/annotate"
    titles["annotate"] = _title(client.get(path), path)

    login(client, "siteadmin")
    pages = {
        "projects": "/",
        "new project": "/projects/new",
        "overview": f"/projects/{p}",
        "documents": f"/projects/{p}/documents",
        "document": f"/projects/{p}/documents/{d}",
        "queue": f"/projects/{p}/queue",
        "review queue": f"/projects/{p}/review",
        "review document": f"/projects/{p}/review/documents/{d}",
        "quality": f"/projects/{p}/review/quality",
        "agreement": f"/projects/{p}/agreement",
        "agreement document": f"/projects/{p}/agreement/documents/{d}",
        "exports": f"/projects/{p}/exports",
        "members": f"/projects/{p}/members",
        "remove member": f"/projects/{p}/members/{u}/remove",
        "labels": f"/projects/{p}/labels",
        "import": f"/projects/{p}/import",
        "users": "/users",
        "user": f"/users/{u}",
        "deactivate": f"/users/{u}/deactivate",
        "reactivate": f"/users/{u}/reactivate",
        "not found": "/projects/999999",
    }
    for kind, path in pages.items():
        titles[kind] = _title(client.get(path), path)
    url = f"/projects/{p}/import"
    preview = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "files": [(io.BytesIO(b"Another article."), "b.txt")],
        },
        content_type="multipart/form-data",
    )
    titles["import preview"] = _title(preview, url)

    by_title = {}
    for kind, title in titles.items():
        by_title.setdefault(title, []).append(kind)
    shared = {title: kinds for title, kinds in by_title.items() if len(kinds) > 1}
    assert shared == {}
    # The labels page belongs to the labels/guideline work (issue 13 point 7),
    # which gives it its "Labels · <project>" title; until then it is the
    # only page with the bare site name, which is still distinct.
    for kind, title in titles.items():
        if kind != "labels":
            assert title.endswith(" · Framing annotator"), (kind, title)
    admin_pages = ("exports", "members", "remove member", "import", "import preview")
    for kind in admin_pages:
        assert " · Alpha · " in titles[kind], (kind, titles[kind])
    assert titles["members"].startswith("Members · Alpha")
    assert titles["user"] == "annotator · Users · Framing annotator"
