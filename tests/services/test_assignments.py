"""Assignment under concurrency: annotators asking for work at the same time."""

import threading

import pytest
from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Assignment, Document, DocumentUncertainty
from annotator.services import assignments, queue_order
from annotator.services.accounts import create_user
from annotator.services.annotations import assignment_for, set_status
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from tests.conftest import PASSWORD

ANNOTATORS = 6
DOCUMENTS = 4


def work_through_queue(app, project_id, user_id, start, failures):
    from annotator.models import Project, User

    with app.app_context():
        session = db.session
        project, user = session.get(Project, project_id), session.get(User, user_id)
        start.wait()
        try:
            while document := assignments.next_document(session, project, user):
                version = assignment_for(session, document, user).version
                set_status(
                    session, document, user, {"version": version, "status": "submitted"}
                )
        except Exception as error:  # reported to the test thread
            failures.append(repr(error))
        finally:
            db.session.remove()


def _order_queue(project, order):
    """Set the project's queue order; for uncertainty, stored scores as a
    model's registration leaves them (the last document the least sure)."""
    if order == "uncertainty":
        documents = db.session.scalars(select(Document.id).order_by(Document.id))
        for n, document_id in enumerate(documents):
            db.session.add(
                DocumentUncertainty(
                    document_id=document_id,
                    project_id=project.id,
                    suggester="spancat",
                    suggester_version="v1",
                    proposals=1,
                    margin=0.4 - 0.1 * n,
                )
            )
        db.session.commit()
    queue_order.set_queue_order(db.session, project, order, 3)


@pytest.mark.parametrize("order", ["in-order", "random", "uncertainty"])
def test_concurrent_requests_never_over_assign_a_document(app, project, order):
    files = [(f"d{i}.txt", f"Document {i}.".encode()) for i in range(DOCUMENTS)]
    import_files(db.session, project, files)
    _order_queue(project, order)
    people = []
    for index in range(ANNOTATORS):
        user = create_user(db.session, f"worker{index}", PASSWORD)
        add_member(db.session, project, user, "annotator", None)
        people.append(user.id)
    start, failures = threading.Barrier(ANNOTATORS), []
    threads = [
        threading.Thread(
            target=work_through_queue, args=(app, project.id, uid, start, failures)
        )
        for uid in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    per_document = db.session.execute(
        select(Assignment.document_id, func.count()).group_by(Assignment.document_id)
    ).all()
    assert (
        sorted(count for _, count in per_document)
        == [project.annotators_per_document] * DOCUMENTS
    )
    pairs = db.session.execute(select(Assignment.document_id, Assignment.user_id))
    assert len(set(pairs.all())) == project.annotators_per_document * DOCUMENTS


def _project_with(project, people, documents=1, per_document=1):
    project.annotators_per_document = per_document
    db.session.commit()
    files = [(f"d{i}.txt", f"Text {i}.".encode()) for i in range(documents)]
    import_files(db.session, project, files)
    made = []
    for name in people:
        user = create_user(db.session, name, PASSWORD)
        add_member(db.session, project, user, "annotator", None)
        made.append(user)
    return made


def test_a_skipped_document_goes_to_someone_else(project):
    first, second = _project_with(project, ["first", "second"])
    document = assignments.next_document(db.session, project, first)
    version = assignment_for(db.session, document, first).version
    set_status(
        db.session,
        document,
        first,
        {"version": version, "status": "skipped", "reason": "not news"},
    )
    assert assignments.next_document(db.session, project, second).id == document.id
    assert assignments.next_document(db.session, project, first) is None


def test_removing_a_member_frees_their_unfinished_documents(project, users):
    from annotator.services.projects import remove_member

    leaver, stayer = _project_with(project, ["leaver", "stayer"])
    document = assignments.next_document(db.session, project, leaver)
    assert assignments.next_document(db.session, project, stayer) is None
    remove_member(db.session, project, leaver, users["padmin"])
    assert assignments.next_document(db.session, project, stayer).id == document.id


@pytest.mark.parametrize("order", ["in-order", "random"])
def test_two_requests_of_one_annotator_get_one_document(app, project, order):
    (user,) = _project_with(project, ["twice"], documents=3, per_document=2)
    _order_queue(project, order)
    # Plain ids: the threads must not touch this thread's session's objects.
    user_id, project_id = user.id, project.id
    start, failures, got = threading.Barrier(2), [], []

    def ask():
        from annotator.models import Project, User

        with app.app_context():
            session = db.session
            mine = session.get(User, user_id)
            start.wait()
            try:
                found = assignments.next_document(
                    session, session.get(Project, project_id), mine
                )
                got.append(found.id)
            except Exception as error:
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(set(got)) == 1
    mine = db.session.scalars(select(Assignment).where(Assignment.user_id == user_id))
    assert len(mine.all()) == 1
