"""services.importing: preview and import from other tools, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Document, Span, SpanLink, User
from annotator.services import importing
from annotator.services.documents import ImportRefused

DATA = Path(__file__).parents[1] / "data" / "imports"
TITLE = {"Claim": "claim", "Denial": "denial", "Hedge": "hedge", "refutes": "denies"}
UPPER = {"CLAIM": "claim", "DENIAL": "denial", "HEDGE": "hedge"}


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(Path(name).name, (DATA / name).read_bytes()) for name in names]


def count(model: type) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_preview_says_what_would_be_stored_and_stores_nothing(project, users):
    options = importing.ImportOptions(
        "labelstudio",
        label_map=TITLE,
        annotator_map={"labelstudio-user-1": "annotator"},
    )
    shown = importing.preview(
        db.session, project, files("labelstudio/tasks.json"), options
    )
    assert (shown.documents, shown.new_documents, shown.already_stored) == (2, 2, 0)
    assert shown.spans[("annotator", "claim")] == 3
    assert shown.spans[("bob@example.org", "denial")] == 1
    assert shown.links == 1
    assert shown.annotators == {
        "annotator": "project member",
        "bob@example.org": "new import identity (cannot log in)",
    }
    assert shown.report.skipped["cancelled annotation"] == 1
    assert count(Document) == 0
    assert (
        db.session.scalar(select(User).where(User.username == "bob@example.org"))
        is None
    )


def test_import_stores_spans_links_and_identities_that_cannot_log_in(project, users):
    options = importing.ImportOptions("labelstudio", label_map=TITLE)
    outcome = importing.import_files(
        db.session, project, files("labelstudio/tasks_utf16.json"), options
    )
    assert outcome.result.added == 2
    assert outcome.result.spans == 8
    assert outcome.report.offsets["UTF-16 code units"] == 2
    texts = dict(db.session.execute(select(Document.id, Document.text)).all())
    stored = {
        (texts[span.document_id][span.start : span.end], span.label.name)
        for span in db.session.scalars(select(Span))
    }
    assert ("Vaccines 💉 work.", "claim") in stored
    assert ("cafe\u0301 owner denies it", "denial") in stored
    assert count(SpanLink) == 1
    identity = db.session.scalar(select(User).where(User.username == "bob@example.org"))
    assert identity is not None
    assert identity.password_hash is None


def test_a_refused_file_stores_nothing_of_the_others(project):
    good = files("doccano/alice.jsonl")
    bad = [("broken.jsonl", b'{"text": "A claim.", "label": [[0, 99, "CLAIM"]]}\n')]
    options = importing.ImportOptions("doccano", label_map=UPPER)
    with pytest.raises(ImportRefused) as caught:
        importing.import_files(db.session, project, good + bad, options)
    assert caught.value.problems == [
        'broken.jsonl line 1, field "label[0]": offset 99 is outside 0..8 '
        "(offsets read as code points)"
    ]
    assert count(Document) == 0


def test_preview_refuses_a_changed_text_under_a_stored_id(project):
    options = importing.ImportOptions("doccano", label_map=UPPER)
    importing.import_files(db.session, project, files("doccano/alice.jsonl"), options)
    changed = b'{"id": 1, "text": "Another text.", "label": []}\n'
    with pytest.raises(ImportRefused, match="already exists with a different text"):
        importing.preview(db.session, project, [("alice.jsonl", changed)], options)
    again = importing.preview(db.session, project, files("doccano/bob.jsonl"), options)
    assert again.already_stored == 2


def test_parse_mapping_reads_pairs_and_refuses_malformed_ones():
    assert importing.parse_mapping("A=x, B = y", "--label-map") == {"A": "x", "B": "y"}
    with pytest.raises(Exception, match="--label-map 'A': expected SOURCE=TARGET"):
        importing.parse_mapping("A", "--label-map")
    with pytest.raises(Exception, match="'A' is mapped twice"):
        importing.parse_mapping("A=x,A=y", "--label-map")


def test_the_native_import_of_the_web_page_sniffs_too(project):
    from annotator.services.documents import import_files

    conll = (DATA / "conll" / "bob.txt").read_bytes()
    with pytest.raises(ImportRefused) as caught:
        import_files(db.session, project, [("notes.txt", conll)])
    assert caught.value.problems == [
        "notes.txt: looks like a CoNLL/BIO token file (columns of tokens and "
        "B-/I-/O tags): use --from conll"
    ]
    assert count(Document) == 0
