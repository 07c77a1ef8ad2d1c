"""The annotation API's test client and a document assigned to "annotator"."""

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Document, Span
from annotator.services import assignments
from annotator.services.accounts import create_user
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from tests.conftest import PASSWORD, csrf_token, login

TEXT = (
    "👍🏽 👨‍👩‍👧 Moscow denied the attack.\r\nRussia was blamed, e\u0301te\u0301 中文."
)


@pytest.fixture
def document(project, users):
    import_files(db.session, project, [("a.txt", TEXT.encode())])
    create_user(db.session, "second", PASSWORD)
    from annotator.services.accounts import find_user

    add_member(db.session, project, find_user(db.session, "second"), "annotator", None)
    doc = db.session.scalar(select(Document))
    assignments.next_document(db.session, project, users["annotator"])
    return doc


class Api:
    def __init__(self, client, project, document, username="annotator"):
        login(client, username)
        self.client = client
        self.token = csrf_token(client, "/")
        self.base = f"/api/projects/{project.id}/documents/{document.id}"

    def get(self):
        return self.client.get(f"{self.base}/annotation")

    def send(self, method, path, body, token=True):
        headers = {"X-CSRFToken": self.token} if token else {}
        return self.client.open(
            f"{self.base}{path}", method=method, json=body, headers=headers
        )

    def version(self):
        return self.get().get_json()["version"]

    def add(self, start, end, label="claim", **extra):
        body = {"version": self.version(), "start": start, "end": end, "label": label}
        return self.send("POST", "/spans", {**body, **extra})


def span_count():
    return db.session.scalar(select(func.count()).select_from(Span))
