"""Every page and the API show a project's labels in one shape: the
annotation page, the review page and /api/v1 agree on each label's colour,
key, underline, definition and examples (one a line, trimmed)."""

import json
import re

from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document
from annotator.services import assignments
from annotator.services.documents import import_files
from annotator.services.review import document_review
from tests.conftest import login

CLAIM = {
    "name": "claim",
    "display_name": "Claim",
    "color": "#1f77b4",
    "hotkey": "1",
    "underline": "wavy",
    "definition": "A checkable statement.",
    "examples": ["Russia moved troops", "NATO said so"],
}


def test_the_annotation_and_review_pages_and_the_api_show_labels_alike(
    client, project, users
):
    import_files(db.session, project, [("a.txt", b"Moscow denied the attack.")])
    assignments.next_document(db.session, project, users["annotator"])
    document = db.session.scalar(select(Document))
    claim = project.labels[0]
    # As a script or an import may store them: untrimmed, with a blank line.
    claim.underline, claim.definition = "wavy", "A checkable statement."
    claim.examples = "  Russia moved troops \n\nNATO said so"
    db.session.commit()

    login(client, "annotator")
    html = client.get(
        f"/projects/{project.id}/documents/{document.id}/annotate"
    ).get_data(as_text=True)
    payload = json.loads(
        re.search(r'id="annotate-payload">(.*?)</script>', html, re.S).group(1)
    )
    api = client.get(f"/api/v1/projects/{project.id}/labels").get_json()
    review = document_review(db.session, project, document)["labels"]

    assert payload["labels"][0] == CLAIM
    assert api == payload["labels"] == review
    assert [label["name"] for label in api] == [label.name for label in project.labels]
