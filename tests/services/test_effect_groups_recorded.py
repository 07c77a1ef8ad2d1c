"""The effect of suggestions groups documents by what each annotator was
shown (recorded when their suggestions are listed while the work is open),
not by the project's settings now: changing the mode or the share after
annotating moves no document, looking back at submitted work moves none,
a document where some annotators were shown suggestions and some were not
is in neither group, and one where suggestions were on but nothing was
proposed is counted apart, not as a calibration document."""

import pytest
from sqlalchemy import inspect, select, text

from annotator.extensions import db
from annotator.models import Assignment, Document, Project
from annotator.services import annotations, assignments, suggestions
from annotator.services.accounts import create_user
from annotator.services.annotations.claims import InvalidAnnotation
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from annotator.services.suggestions import serving, settings
from annotator.services.suggestions.effect import suggestion_effect
from tests.conftest import PASSWORD

N = 8
TEXT = "Moscow reportedly denied it, officials said. Document {}."


@pytest.fixture
def second(project):
    user = create_user(db.session, "second", PASSWORD)
    add_member(db.session, project, user, "annotator", None)
    return user


@pytest.fixture
def documents(project, users, second):
    settings.set_suggestions(db.session, project, "off")
    files = [(f"d{i}.txt", TEXT.format(i).encode()) for i in range(N)]
    import_files(db.session, project, files)
    for user in (users["annotator"], second):
        assignments.next_document(db.session, project, user)
    return list(db.session.scalars(select(Document).order_by(Document.id)))


def current(document, user):
    return annotations.load_annotation(db.session, document, user)["version"]


def annotate(project, document, user, *, look=True):
    """Open the document as the page does (it lists the suggestions), draw
    one span and submit."""
    assert assignments.next_document(db.session, project, user).id == document.id
    if look:
        suggestions.suggestions_for(db.session, project, document, user)
    annotations.create_span(
        db.session,
        project,
        document.id,
        user,
        {"version": current(document, user), "start": 0, "end": 6, "label": "claim"},
    )
    annotations.set_status(
        db.session,
        document,
        user,
        {"status": "submitted", "version": current(document, user)},
    )


def groups(project):
    found = suggestion_effect(db.session, project).agreement
    return (
        found.with_suggestions.n_documents,
        found.calibration.n_documents,
        found.n_mixed,
    )


def records(document):
    """(annotator id, shown, withheld) of each assignment on ``document``."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            Assignment.user_id,
            Assignment.suggestions_shown,
            Assignment.suggestions_withheld,
        )
        .where(Assignment.document_id == document.id)
        .order_by(Assignment.user_id)
    )
    return [tuple(row) for row in rows]


def test_changing_the_mode_after_annotating_keeps_the_groups(
    project, users, second, documents
):
    settings.set_suggestions(db.session, project, "on")
    for document in documents:
        for user in (users["annotator"], second):
            annotate(project, document, user)
    assert groups(project) == (N, 0, 0)
    settings.set_suggestions(db.session, project, "off")
    assert groups(project) == (N, 0, 0)
    settings.set_suggestions(db.session, project, "calibrate", 0.5)
    assert groups(project) == (N, 0, 0)
    found = suggestion_effect(db.session, project).agreement
    assert found.with_suggestions.estimate.n_documents == N


def test_suggestions_switched_on_halfway_split_the_documents_as_annotated(
    project, users, second, documents
):
    half = N // 2
    for document in documents[:half]:  # off: listed, but nothing to show
        for user in (users["annotator"], second):
            annotate(project, document, user)
    settings.set_suggestions(db.session, project, "on")
    for document in documents[half:]:
        for user in (users["annotator"], second):
            annotate(project, document, user)
    assert groups(project) == (N - half, half, 0)
    found = suggestion_effect(db.session, project).agreement
    assert found.calibration.estimate.n_documents == half
    assert found.with_suggestions.estimate.n_documents == N - half


def test_a_document_only_one_annotator_was_shown_suggestions_on_is_in_neither(
    project, users, second, documents
):
    settings.set_suggestions(db.session, project, "on")
    first, *rest = documents
    annotate(project, first, users["annotator"])
    annotate(project, first, second, look=False)  # annotated without listing
    for document in rest:
        for user in (users["annotator"], second):
            annotate(project, document, user)
    assert groups(project) == (N - 1, 0, 1)
    found = suggestion_effect(db.session, project).agreement
    assert found.with_suggestions.estimate.n_documents == N - 1
    assert found.to_dict()["mixed"]["n_documents"] == 1


def test_the_record_is_set_once_and_never_unset_nor_an_edit(project, users, documents):
    user, document = users["annotator"], documents[0]

    def assignment():
        db.session.expire_all()
        return db.session.scalar(
            select(Assignment).where(
                Assignment.document_id == document.id, Assignment.user_id == user.id
            )
        )

    before = assignment()
    assert before.suggestions_shown is False
    version, updated = before.version, before.updated_at
    assert suggestions.suggestions_for(db.session, project, document, user) == []
    assert assignment().suggestions_shown is False  # off: nothing shown
    settings.set_suggestions(db.session, project, "on")
    assert suggestions.suggestions_for(db.session, project, document, user) != []
    shown = assignment()
    assert shown.suggestions_shown is True
    # Seeing suggestions is not an edit: the page's version stays valid.
    assert (shown.version, shown.updated_at) == (version, updated)
    settings.set_suggestions(db.session, project, "off")
    assert suggestions.suggestions_for(db.session, project, document, user) == []
    assert assignment().suggestions_shown is True


def test_answering_a_suggestion_records_it_as_shown(project, users, documents):
    user, document = users["annotator"], documents[0]
    settings.set_suggestions(db.session, project, "on")
    [first, *_] = serving.offered_to(db.session, project, document, user)
    db.session.execute(
        Assignment.__table__.update()
        .where(Assignment.document_id == document.id)
        .values(suggestions_shown=False)
    )
    db.session.commit()
    suggestions.reject_suggestion(
        db.session, project, document, user, first.id, {"version": 0}
    )
    db.session.expire_all()
    found = db.session.scalar(
        select(Assignment.suggestions_shown).where(
            Assignment.document_id == document.id, Assignment.user_id == user.id
        )
    )
    assert found is True


def test_migration_0014_fills_the_record_from_decisions_and_suggested_spans(
    project, users, second, documents
):
    from annotator import migrations

    settings.set_suggestions(db.session, project, "on")
    first = documents[0]
    ann = users["annotator"]
    rejected, accepted = serving.offered_to(db.session, project, first, ann)[:2]
    suggestions.reject_suggestion(
        db.session, project, first, ann, rejected.id, {"version": 0}
    )
    suggestions.accept_suggestion(
        db.session, project, first, second, accepted.id, {"version": 0}
    )
    # second's trace is the suggested span alone (the decision forgotten).
    db.session.execute(
        text("DELETE FROM suggestion_decisions WHERE annotator_id = :id"),
        {"id": second.id},
    )
    db.session.commit()
    # A third annotator on another document: no trace of any suggestion.
    other = assignments.next_document(db.session, project, users["padmin"])
    assert other.id != first.id
    keys = {
        (first.id, ann.id): True,
        (first.id, second.id): True,
        (other.id, users["padmin"].id): None,
    }
    db.session.remove()
    migrations.downgrade(db.engine, "0013")
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("assignments")}
        assert "suggestions_shown" not in columns
    finally:
        migrations.upgrade(db.engine)
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT document_id, user_id, suggestions_shown FROM assignments")
        )
        found = {(d, u): None if s is None else bool(s) for d, u, s in rows}
    assert found == keys


def test_imported_work_is_unknown_and_in_neither_group(project, users):
    from tests.gold_data import make_gold_project

    make_gold_project(project, users["reviewer"], documents=6)
    records = set(db.session.scalars(select(Assignment.suggestions_shown)))
    assert records == {None}
    found = suggestion_effect(db.session, project).agreement
    assert groups(project) == (0, 0, 6)
    assert found.n_unknown == 6


def test_looking_back_at_submitted_work_after_the_mode_changed_keeps_its_group(
    project, users, second, documents
):
    """Annotated with suggestions off, submitted; then suggestions are
    switched on and an annotator opens a submitted document again (the page
    lists suggestions on load): the work was done without suggestions, the
    document stays a calibration document. Reopened for editing, the work is
    open again and recorded."""
    ann = users["annotator"]
    for document in documents:
        for user in (ann, second):
            annotate(project, document, user)
    assert groups(project) == (0, N, 0)
    before = records(documents[0])
    settings.set_suggestions(db.session, project, "on")
    offered = suggestions.suggestions_for(db.session, project, documents[0], ann)
    assert offered != []  # the page shows them, but the work is done
    with pytest.raises(InvalidAnnotation):  # nor is answering one recorded
        suggestions.reject_suggestion(
            db.session, project, documents[0], ann, offered[0]["id"], {"version": 2}
        )
    assert records(documents[0]) == before
    assert groups(project) == (0, N, 0)
    # Reopened to edit: in progress again, so what is listed now counts.
    annotations.set_status(
        db.session,
        documents[0],
        ann,
        {"status": "in_progress", "version": current(documents[0], ann)},
    )
    suggestions.suggestions_for(db.session, project, documents[0], ann)
    annotations.set_status(
        db.session,
        documents[0],
        ann,
        {"status": "submitted", "version": current(documents[0], ann)},
    )
    assert groups(project) == (0, N - 1, 1)


def test_in_mode_on_documents_with_nothing_proposed_are_counted_apart(
    project, users, second
):
    """Mode on: a document on which the suggesters proposed nothing was not
    withheld as a calibration document; it is counted apart, and the
    calibration group stays empty as the page's note for mode on says."""
    settings.set_suggestions(db.session, project, "on")
    plain = [
        (f"p{i}.txt", f"The weather was fine on day {i}.".encode()) for i in range(3)
    ]
    cued = [(f"c{i}.txt", TEXT.format(i).encode()) for i in range(3)]
    import_files(db.session, project, plain + cued)
    for user in (users["annotator"], second):
        assignments.next_document(db.session, project, user)
    docs = list(db.session.scalars(select(Document).order_by(Document.id)))
    for document in docs:
        for user in (users["annotator"], second):
            annotate(project, document, user)
    report = suggestion_effect(db.session, project)
    assert "no calibration documents" in (report.setting_note or "")
    found = report.agreement
    assert (found.with_suggestions.n_documents, found.calibration.n_documents) == (
        3,
        0,
    )
    assert (found.n_none_proposed, found.n_mixed) == (3, 0)
    data = report.to_dict()["agreement"]["none_proposed"]
    assert data["n_documents"] == 3
    assert data["note"].startswith("3 documents with submitted work were annotated")
    assert {record[1:] for record in records(docs[0])} == {(False, "none_proposed")}


def test_calibration_documents_and_mode_off_record_why_nothing_was_shown(
    project, users, second, documents
):
    """Withheld by the settings (suggestions off, or a calibration
    document: here a share of 1, every document) is the group without
    suggestions; the last answer while the work is open is what counts."""
    ann = users["annotator"]
    first = documents[0]
    suggestions.suggestions_for(db.session, project, first, ann)
    assert (ann.id, False, "off") in records(first)
    settings.set_suggestions(db.session, project, "calibrate", 1.0)
    for document in documents:
        for user in (ann, second):
            annotate(project, document, user)
    assert {record[1:] for record in records(first)} == {(False, "calibration")}
    assert groups(project) == (0, N, 0)


def test_migration_0015_adds_the_reason_unknown_for_existing_work(
    project, users, second, documents
):
    from annotator import migrations

    annotate(project, documents[0], users["annotator"])
    assert records(documents[0])[0][1:] == (False, "off")
    project_id = project.id
    db.session.remove()
    migrations.downgrade(db.engine, "0014")
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("assignments")}
        assert "suggestions_withheld" not in columns
        assert "suggestions_shown" in columns
    finally:
        migrations.upgrade(db.engine)
    with db.engine.connect() as connection:
        found = set(
            connection.execute(
                text("SELECT suggestions_shown, suggestions_withheld FROM assignments")
            )
        )
    # Not kept before: unknown, so the document is in neither group.
    assert {withheld for _, withheld in found} == {None}
    assert groups(db.session.get(Project, project_id)) == (0, 0, 1)
