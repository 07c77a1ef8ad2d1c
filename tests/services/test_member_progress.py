"""Member progress: documents assigned, submitted, skipped and open per
member, as the agreement page shows them (doccano's member progress)."""

import pytest

from annotator.extensions import db
from annotator.services import assignments
from annotator.services.accounts import create_user
from annotator.services.annotations import assignment_for, set_status
from annotator.services.documents import import_files
from annotator.services.member_progress import member_progress
from annotator.services.projects import add_member, remove_member
from tests.conftest import PASSWORD


@pytest.fixture
def team(project, users):
    """Alpha with three documents, two annotators each, and two more
    annotators, ann and bob (the fixture's annotator is a third)."""
    files = [(f"d{i}.txt", f"Document number {i}.".encode()) for i in range(3)]
    import_files(db.session, project, files)
    made = {}
    for name in ("ann", "bob"):
        made[name] = create_user(db.session, name, PASSWORD)
        add_member(db.session, project, made[name], "annotator", None)
    return {**users, **made}


def take(project, user):
    return assignments.next_document(db.session, project, user)


def finish(document, user, status, reason=""):
    version = assignment_for(db.session, document, user).version
    data = {"version": version, "status": status, "reason": reason}
    set_status(db.session, document, user, data)


def figures(project):
    progress = member_progress(db.session, project)
    return progress, {
        m.username: (m.assigned, m.submitted, m.skipped, m.open, m.role)
        for m in progress.members
    }


def test_every_member_is_listed_with_their_assignments(project, team):
    first = take(project, team["ann"])
    finish(first, team["ann"], "submitted")
    take(project, team["ann"])  # open
    finish(take(project, team["bob"]), team["bob"], "submitted")
    progress, found = figures(project)
    assert found["ann"] == (2, 1, 0, 1, "annotator")
    assert found["bob"] == (1, 1, 0, 0, "annotator")
    assert found["reviewer"] == (0, 0, 0, 0, "reviewer")  # nothing taken yet
    assert set(found) == {"ann", "bob", "annotator", "padmin", "reviewer"}
    # d0: ann and bob submitted it; d1: ann has it open; d2: nobody yet
    assert (progress.n_documents, progress.n_complete, progress.n_waiting) == (3, 1, 0)
    assert progress.n_not_started == 2
    ann = next(m for m in progress.members if m.username == "ann")
    assert ann.share_submitted == 0.5


def test_a_skipped_document_stays_with_who_skipped_it_and_counts_for_who_took_it(
    project, team
):
    document = take(project, team["ann"])
    finish(document, team["ann"], "skipped", reason="not news")
    taken = take(project, team["bob"])
    assert taken.id == document.id  # ann's place went to bob
    finish(taken, team["bob"], "submitted")
    reassigned = take(project, team["annotator"])
    assert reassigned.id == document.id  # the second place of the same document
    _, found = figures(project)
    assert found["ann"] == (1, 0, 1, 0, "annotator")
    assert found["bob"] == (1, 1, 0, 0, "annotator")
    assert found["annotator"] == (1, 0, 0, 1, "annotator")


def test_reopened_work_is_open_again_and_removed_members_keep_their_submissions(
    project, team
):
    document = take(project, team["ann"])
    finish(document, team["ann"], "submitted")
    finish(document, team["ann"], "in_progress")  # reopened
    _, found = figures(project)
    assert found["ann"] == (1, 0, 0, 1, "annotator")
    finish(document, team["ann"], "submitted")
    take(project, team["bob"])  # d0's second place
    finish(take(project, team["ann"]), team["ann"], "submitted")
    remove_member(db.session, project, team["ann"], team["padmin"])
    progress, found = figures(project)
    assert progress.n_waiting == 2  # d0 and d1: ann's submission alone
    assert found["ann"] == (2, 2, 0, 0, None)
    assert found["bob"] == (1, 0, 0, 1, "annotator")  # no longer a member, work kept
    assert sum(m.submitted for m in progress.members) == 2
