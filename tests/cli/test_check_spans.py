"""``annotator check-spans``: lists stored spans (annotators' and gold) that
split a character, reads only, and exits 1 when it finds any."""

import json

import pytest
from sqlalchemy import func, select, update

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Document, GoldDecision, GoldSpan, Span
from annotator.services import projects
from annotator.services.documents import import_files

TEXT = "Cafe\u0301 owners 👨\u200d👩\u200d👧 said no.\r\nOthers agreed."
FAMILY = TEXT.index("👨")
ACCENT = TEXT.index("e\u0301")
CRLF = TEXT.index("\r\n")


def run(runner, *args):
    return runner.invoke(cli, ["check-spans", *args])


def import_into(project, external_id, spans):
    record = {
        "id": external_id,
        "text": TEXT,
        "annotations": [{"annotator": "ann", "spans": spans}],
    }
    import_files(db.session, project, [("a.jsonl", json.dumps(record).encode())])
    return db.session.scalar(
        select(Document).where(
            Document.project_id == project.id, Document.external_id == external_id
        )
    )


@pytest.fixture
def stored(project):
    """A document whose spans were all valid when imported, two of them then
    moved inside characters as an older version could have stored them."""
    document = import_into(
        project,
        "d1",
        [
            {"start": 0, "end": ACCENT + 2, "label": "claim"},
            {"start": FAMILY, "end": FAMILY + 5, "label": "hedge"},
            {"start": ACCENT + 3, "end": ACCENT + 9, "label": "denial"},
        ],
    )
    ids = list(db.session.scalars(select(Span.id).order_by(Span.id)))
    db.session.execute(update(Span).where(Span.id == ids[0]).values(end=ACCENT + 1))
    db.session.execute(
        update(Span).where(Span.id == ids[1]).values(start=FAMILY + 2, end=CRLF + 1)
    )
    label = project.labels[0]
    gold = GoldSpan(
        document_id=document.id,
        label_id=label.id,
        start=CRLF + 1,
        end=CRLF + 8,
        decision=GoldDecision.ADDED,
    )
    db.session.add(gold)
    db.session.commit()
    return document, ids, gold.id


def test_lists_every_span_that_splits_a_character_and_exits_1(runner, stored):
    document, ids, gold_id = stored
    before = db.session.execute(select(Span.start, Span.end).order_by(Span.id)).all()
    result = run(runner)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"Alpha: document {document.id}, span {ids[0]} by ann, offsets 0-"
        f"{ACCENT + 1}: end {ACCENT + 1} is inside the character at "
        f"{ACCENT}-{ACCENT + 2}",
        f"Alpha: document {document.id}, span {ids[1]} by ann, offsets "
        f"{FAMILY + 2}-{CRLF + 1}: start {FAMILY + 2} is inside the character at "
        f"{FAMILY}-{FAMILY + 5}, end {CRLF + 1} is inside the character at "
        f"{CRLF}-{CRLF + 2}",
        f"Alpha: document {document.id}, gold span {gold_id}, offsets "
        f"{CRLF + 1}-{CRLF + 8}: start {CRLF + 1} is inside the character at "
        f"{CRLF}-{CRLF + 2}",
    ]
    assert "3 spans split a character (left as stored)." in result.stderr
    db.session.expire_all()
    after = db.session.execute(select(Span.start, Span.end).order_by(Span.id)).all()
    assert after == before  # read-only
    assert db.session.scalar(select(func.count()).select_from(GoldSpan)) == 1


def test_a_clean_project_says_so_and_exits_0(runner, project, stored, users):
    clean = projects.create_project(db.session, "Beta")
    import_into(clean, "d2", [{"start": ACCENT, "end": ACCENT + 2, "label": "claim"}])
    result = run(runner, "Beta")
    assert result.exit_code == 0, result.output
    assert result.output == "Checked: no span splits a character.\n"
    assert run(runner, "Alpha").exit_code == 1


def test_an_unknown_project_is_an_error(runner, project):
    result = run(runner, "Nope")
    assert result.exit_code == 1
    assert "no project named 'Nope'" in result.output
    assert "Traceback" not in result.output
