"""What the bulk import path stores, read back through the models."""

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Assignment, Span
from annotator.services.documents import import_files


def test_bulk_imported_spans_read_back_whole(project):
    text = "Officials said the blast was an accident 👍🏽; others doubt it."
    start = text.index("the blast")
    line = {
        "id": "doc-1",
        "text": text,
        "annotations": [
            {
                "annotator": "ann-b",
                "spans": [
                    {
                        "start": start,
                        "end": start + 9,
                        "label": "claim",
                        "attributes": {"source": "Officials"},
                        "note": "quoted, not asserted",
                    },
                    {
                        "start": text.index("others"),
                        "end": len(text) - 1,
                        "label": "hedge",
                    },
                ],
            }
        ],
    }
    before = datetime.now(UTC) - timedelta(seconds=5)
    data = json.dumps(line, ensure_ascii=False).encode()
    result = import_files(db.session, project, [("a.jsonl", data)])
    assert (result.added, result.spans) == (1, 2)
    db.session.expire_all()
    claim, hedge = db.session.scalars(select(Span).order_by(Span.start)).all()
    assert text[claim.start : claim.end] == "the blast"
    assert claim.label.name == "claim"
    assert claim.attributes == {"source": "Officials"}
    assert claim.note == "quoted, not asserted"
    assert hedge.attributes == {}
    assert hedge.note == ""
    assert text[hedge.start : hedge.end] == "others doubt it"
    assert {claim.origin, hedge.origin} == {"imported"}
    stamp = claim.created_at.replace(tzinfo=claim.created_at.tzinfo or UTC)
    assert before < stamp < datetime.now(UTC) + timedelta(seconds=5)
    assignment = db.session.scalar(select(Assignment))
    assert (assignment.status, assignment.version, assignment.skip_reason) == (
        "submitted",
        0,
        "",
    )
