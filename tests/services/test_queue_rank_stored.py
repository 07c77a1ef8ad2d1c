"""The random order's rank is stored on each document (``queue_rank``) and the
uncertainty order walks an index: every way of creating documents stores
the rank under the project's seed, a new seed re-ranks them all, migration
0012 fills it for existing documents, and the documents handed out are the
ones the order computed in Python says, ties and unscored ones included."""

import io
import threading

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from annotator.cli import cli
from annotator.core.queue import random_rank
from annotator.extensions import db
from annotator.models import Document, DocumentUncertainty, Project
from annotator.services import assignments, queue_order, seeding
from annotator.services.accounts import create_user
from annotator.services.annotations import assignment_for, set_status
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from tests.conftest import PASSWORD, csrf_token, login


def add_documents(project, names):
    files = [(f"{name}.txt", f"{name} says it may be so.".encode()) for name in names]
    import_files(db.session, project, files)


def stored_ranks(project_id):
    db.session.expire_all()
    rows = db.session.execute(
        select(Document.id, Document.queue_rank).where(
            Document.project_id == project_id
        )
    )
    return dict(rows.all())


def expected_ranks(project_id, seed):
    return {i: random_rank(i, seed) for i in stored_ranks(project_id)}


def test_documents_have_no_rank_until_a_seed_is_chosen(project):
    add_documents(project, ["a", "b"])
    assert set(stored_ranks(project.id).values()) == {None}
    queue_order.set_queue_order(db.session, project, "random", 77)
    assert stored_ranks(project.id) == expected_ranks(project.id, 77)


def test_a_document_imported_after_the_seed_is_set_gets_its_rank(project):
    add_documents(project, ["a", "b"])
    queue_order.set_queue_order(db.session, project, "random", 3)
    add_documents(project, ["c", "d", "e"])
    ranks = stored_ranks(project.id)
    assert len(ranks) == 5
    assert ranks == expected_ranks(project.id, 3)


def test_a_seed_set_under_another_order_ranks_for_later(project):
    add_documents(project, ["a", "b", "c"])
    queue_order.set_queue_order(db.session, project, "in-order", 41)
    assert stored_ranks(project.id) == expected_ranks(project.id, 41)
    queue_order.set_queue_order(db.session, project, "random", 42)
    assert stored_ranks(project.id) == expected_ranks(project.id, 42)


def test_other_projects_keep_their_own_ranks(project, other_project):
    add_documents(project, ["a", "b"])
    add_documents(other_project, ["x", "y"])
    queue_order.set_queue_order(db.session, other_project, "random", 5)
    queue_order.set_queue_order(db.session, project, "random", 6)
    assert stored_ranks(project.id) == expected_ranks(project.id, 6)
    assert stored_ranks(other_project.id) == expected_ranks(other_project.id, 5)


def test_the_cli_import_stores_ranks(runner, project, tmp_path):
    queue_order.set_queue_order(db.session, project, "random", 11)
    source = tmp_path / "docs.jsonl"
    source.write_text('{"id": "p", "text": "One."}\n{"id": "q", "text": "Two."}\n')
    result = runner.invoke(cli, ["import", "Alpha", str(source)])
    assert result.exit_code == 0, result.output
    ranks = stored_ranks(project.id)
    assert len(ranks) == 2
    assert ranks == expected_ranks(project.id, 11)


def test_the_api_import_stores_ranks(client, project):
    queue_order.set_queue_order(db.session, project, "random", 12)
    login(client, "padmin")
    response = client.post(
        f"/api/v1/projects/{project.id}/documents",
        data={
            "files": [(io.BytesIO(b"One."), "a.txt"), (io.BytesIO(b"Two."), "b.txt")]
        },
        headers={"X-CSRFToken": csrf_token(client, "/")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.data
    ranks = stored_ranks(project.id)
    assert len(ranks) == 2
    assert ranks == expected_ranks(project.id, 12)


def test_the_demo_seed_stores_ranks_when_run_again_after_a_seed(app):
    seeding.seed_demo(db.session, seeding.DEFAULT_SEED_DIR)
    demo = db.session.scalars(select(Document.project_id)).first()
    project = db.session.get(Project, demo)
    queue_order.set_queue_order(db.session, project, "random", 13)
    assert stored_ranks(demo) == expected_ranks(demo, 13)
    # Documents removed from the demo come back, ranked, on the next run.
    db.session.execute(text("DELETE FROM documents WHERE id = 1"))
    db.session.commit()
    seeding.seed_demo(db.session, seeding.DEFAULT_SEED_DIR)
    ranks = stored_ranks(demo)
    assert None not in ranks.values()
    assert ranks == expected_ranks(demo, 13)


def walk(project, user):
    """Every document the user is handed, in order, each submitted at once."""
    handed = []
    while document := assignments.next_document(db.session, project, user):
        handed.append(document.external_id)
        version = assignment_for(db.session, document, user).version
        set_status(
            db.session, document, user, {"version": version, "status": "submitted"}
        )
    return handed


def test_uncertainty_ties_go_by_id_and_unscored_come_last_by_id(project):
    names = [f"d{n}" for n in range(8)]
    add_documents(project, names)
    ids = dict(db.session.execute(select(Document.external_id, Document.id)).all())
    margins = {"d5": 0.2, "d1": 0.2, "d3": 0.1, "d6": None, "d0": 0.3, "d7": 0.1}
    # d2, d4: never scored (imported after the model scored the rest).
    db.session.add_all(
        DocumentUncertainty(
            document_id=ids[name],
            project_id=project.id,
            suggester="spancat",
            suggester_version="v1",
            proposals=0 if margin is None else 1,
            margin=margin,
        )
        for name, margin in margins.items()
    )
    db.session.commit()
    queue_order.set_queue_order(db.session, project, "uncertainty")
    user = create_user(db.session, "solo", PASSWORD)
    add_member(db.session, project, user, "annotator", None)
    handed = walk(project, user)
    assert handed == ["d3", "d7", "d1", "d5", "d0", "d2", "d4", "d6"]


def test_migration_0012_fills_the_ranks_of_seeded_projects(project, other_project):
    from annotator import migrations

    add_documents(project, ["a", "b", "c"])
    add_documents(other_project, ["x"])
    project_id, other_id = project.id, other_project.id
    db.session.remove()
    migrations.downgrade(db.engine, "0011")
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("documents")}
        assert "queue_rank" not in columns
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE projects SET queue_seed = 2024, queue_order = 'random' "
                    "WHERE id = :id"
                ),
                {"id": project_id},
            )
    finally:
        migrations.upgrade(db.engine)
    assert stored_ranks(project_id) == expected_ranks(project_id, 2024)
    assert set(stored_ranks(other_id).values()) == {None}
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("documents")}
    assert "ix_documents_project_queue_rank" in indexes
    margin_indexes = {
        i["name"] for i in inspect(db.engine).get_indexes("document_uncertainty")
    }
    assert "ix_document_uncertainty_project_margin" in margin_indexes
    # And the migrated project hands out its documents in the seed's order.
    found = db.session.get(Project, project_id)
    user = create_user(db.session, "late", PASSWORD)
    add_member(db.session, found, user, "annotator", None)
    first = assignments.next_document(db.session, found, user)
    ranks = expected_ranks(project_id, 2024)
    assert first.id == min(ranks, key=lambda i: (ranks[i], i))


def test_an_import_during_a_seed_change_ranks_under_the_new_seed(app, project):
    """A seed change under way (written, not committed) when an import
    starts: the import waits for it and ranks under the new seed, so no
    document keeps a rank of the old one."""
    add_documents(project, ["a", "b"])
    queue_order.set_queue_order(db.session, project, "random", 1)
    project_id, failures = project.id, []

    def import_more():
        with app.app_context():
            try:
                found = db.session.get(Project, project_id)
                add_documents(found, ["c", "d"])
            except Exception as error:  # reported to the test thread
                failures.append(repr(error))
            finally:
                db.session.remove()

    with Session(db.engine) as changing:
        changed = changing.get(Project, project_id)
        changed.queue_seed = 2
        queue_order._store_ranks(changing, changed, 2)  # as set_queue_order
        importer = threading.Thread(target=import_more)
        importer.start()
        importer.join(timeout=1)
        # Still waiting for the seed change (its project row on PostgreSQL,
        # the write lock on SQLite).
        assert importer.is_alive()
        changing.commit()
    importer.join(timeout=30)
    assert failures == []
    ranks = stored_ranks(project_id)
    assert len(ranks) == 4
    assert ranks == expected_ranks(project_id, 2)
