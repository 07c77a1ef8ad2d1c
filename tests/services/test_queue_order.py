"""Queue orders as annotators meet them: in order, seeded random (the same
seed, the same order; the database's rank equals core's), and by the
uncertainty a trained model stored when it was registered, refreshed by
every registration."""

import pytest
from sqlalchemy import inspect, select

from annotator.core.queue import random_rank
from annotator.core.suggestions import SuggesterError, Suggestion
from annotator.extensions import db
from annotator.models import Document, DocumentUncertainty, RegisteredSuggester
from annotator.services import assignments, queue_order
from annotator.services.accounts import create_user
from annotator.services.annotations import assignment_for, set_status
from annotator.services.documents import import_files
from annotator.services.projects import add_member
from annotator.services.suggestions import factory, register_suggester
from tests.conftest import PASSWORD

#: The fake model's scores per document: d4 is the least sure, d0 and d5
#: get no proposal at all.
SCORES = {
    "d0": [],
    "d1": [0.95, 0.9],
    "d2": [0.55],
    "d3": [0.7, 0.6],
    "d4": [0.5, 0.52],
    "d5": [],
}


class FakeModel:
    """A trained model whose scores are looked up by the document's text."""

    name = "spancat"

    def __init__(self, version, scores):
        self.version, self.scores = version, scores

    def suggest(self, text, labels):
        name = text.split()[0]
        if name == "broken":
            raise SuggesterError("cannot read this one")
        found = [Suggestion(0, 2, "hedge", s) for s in self.scores.get(name, [])]
        # Dropped as the page drops them: outside the text, unknown label.
        return [*found, Suggestion(0, 10_000, "hedge", 0.5), Suggestion(0, 2, "x", 0.5)]


@pytest.fixture
def models(monkeypatch):
    """Registering a spancat row loads the fake model of its version."""
    by_version = {}

    def load(session, row):
        if row.version not in by_version:
            raise SuggesterError(f"{row.config['path']}: no such model")
        return FakeModel(row.version, by_version[row.version])

    monkeypatch.setitem(factory._LOADERS, "spancat", load)
    return by_version


def register(project, version):
    return register_suggester(
        db.session,
        project,
        kind="spancat",
        name="spancat",
        version=version,
        config={"path": f"/models/{version}"},
    )


def add_documents(project, names):
    files = [(f"{name}.txt", f"{name} says it may be so.".encode()) for name in names]
    import_files(db.session, project, files)


def annotators(project, count, per_document=1):
    project.annotators_per_document = per_document
    db.session.commit()
    made = []
    for n in range(count):
        user = create_user(db.session, f"worker{n}", PASSWORD)
        add_member(db.session, project, user, "annotator", None)
        made.append(user)
    return made


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


def by_rank(project, seed):
    documents = db.session.scalars(
        select(Document).where(Document.project_id == project.id)
    ).all()
    ranked = sorted(documents, key=lambda d: (random_rank(d.id, seed), d.id))
    return [d.external_id for d in ranked]


NAMES = [f"d{n}" for n in range(6)]
MANY = [f"doc{n:02d}" for n in range(24)]


def test_in_order_is_the_default_and_hands_out_by_import(project):
    add_documents(project, NAMES)
    (user,) = annotators(project, 1)
    assert project.queue_order == "in-order"
    assert walk(project, user) == NAMES


def test_random_order_is_the_seeds_and_the_same_for_the_same_seed(project):
    add_documents(project, MANY)
    first, second, third = annotators(project, 3, per_document=3)
    state = queue_order.set_queue_order(db.session, project, "random", 1234)
    assert (state.order, state.seed) == ("random", 1234)
    handed = walk(project, first)
    # The database orders by the same rank core computes.
    assert handed == by_rank(project, 1234)
    assert handed != sorted(handed)
    assert walk(project, second) == handed
    queue_order.set_queue_order(db.session, project, "random", 99)
    other = walk(project, third)
    assert other == by_rank(project, 99)
    assert other != handed


def test_random_without_a_seed_draws_one_and_keeps_it(project):
    state = queue_order.set_queue_order(db.session, project, "random")
    assert state.seed is not None
    queue_order.set_queue_order(db.session, project, "in-order")
    again = queue_order.set_queue_order(db.session, project, "random")
    assert again.seed == state.seed
    assert queue_order.queue_state(db.session, project).manifest() == {
        "order": "random",
        "seed": state.seed,
        "model": None,
    }


def test_documents_imported_later_take_their_random_place(project):
    add_documents(project, MANY[:12])
    (user,) = annotators(project, 1)
    queue_order.set_queue_order(db.session, project, "random", 5)
    add_documents(project, MANY[12:])
    assert walk(project, user) == by_rank(project, 5)


@pytest.mark.parametrize(
    ("order", "seed", "field"),
    [("shuffled", None, "order"), ("random", -1, "seed"), ("random", 2**31, "seed")],
)
def test_bad_orders_and_seeds_are_refused_naming_the_field(project, order, seed, field):
    with pytest.raises(queue_order.QueueOrderRefused) as refused:
        queue_order.set_queue_order(db.session, project, order, seed)
    assert refused.value.field == field
    db.session.refresh(project)
    assert (project.queue_order, project.queue_seed) == ("in-order", None)


def test_uncertainty_without_a_trained_model_is_refused_saying_to_train(project):
    with pytest.raises(queue_order.QueueOrderRefused, match="train one first") as no:
        queue_order.set_queue_order(db.session, project, "uncertainty")
    assert no.value.field == "order"
    assert "annotator train 'Alpha'" in str(no.value)
    assert project.queue_order == "in-order"


def test_uncertainty_hands_out_the_least_sure_documents_first(project, models):
    add_documents(project, NAMES)
    (user,) = annotators(project, 1)
    models["v1"] = SCORES
    register(project, "v1")
    state = queue_order.set_queue_order(db.session, project, "uncertainty")
    assert (state.scored, state.with_proposals) == (6, 4)
    assert state.manifest() == {
        "order": "uncertainty",
        "seed": None,
        "model": {"suggester": "spancat", "version": "v1"},
    }
    stored = dict(
        db.session.execute(
            select(Document.external_id, DocumentUncertainty.margin).join(
                Document, Document.id == DocumentUncertainty.document_id
            )
        ).all()
    )
    assert stored == {
        "d0": None,
        "d1": pytest.approx(0.425),
        "d2": pytest.approx(0.05),
        "d3": pytest.approx(0.15),
        "d4": pytest.approx(0.01),
        "d5": None,
    }
    # No proposals (and imported since): after the scored ones, by id.
    add_documents(project, ["d6"])
    assert walk(project, user) == ["d4", "d2", "d3", "d1", "d0", "d5", "d6"]


def test_every_registration_of_a_model_refreshes_the_scores(project, models):
    add_documents(project, NAMES)
    first, second = annotators(project, 2, per_document=2)
    models["v1"] = SCORES
    register(project, "v1")
    queue_order.set_queue_order(db.session, project, "uncertainty")
    assert assignments.next_document(db.session, project, first).external_id == "d4"
    models["v2"] = {"d5": [0.49], "d0": [0.8, 0.7]}
    register(project, "v2")
    versions = set(db.session.scalars(select(DocumentUncertainty.suggester_version)))
    assert versions == {"v2"}
    assert walk(project, second) == ["d5", "d0", "d1", "d2", "d3", "d4"]


def test_a_model_that_cannot_load_keeps_the_scores_and_says_why(project, models):
    add_documents(project, NAMES)
    models["v1"] = SCORES
    register(project, "v1")
    row = register(project, "gone")  # no model behind this version
    assert "scoring documents for the queue" in row.last_error
    assert "/models/gone: no such model" in row.last_error
    state = queue_order.queue_state(db.session, project)
    assert (state.model, state.scored) == (("spancat", "v1"), 6)


def test_a_document_the_model_fails_on_stays_unscored_and_is_counted(project, models):
    add_documents(project, [*NAMES[:3], "broken"])
    models["v1"] = SCORES
    row = register(project, "v1")
    assert "the model failed on 1 documents" in row.last_error
    assert queue_order.queue_state(db.session, project).scored == 3


def test_rules_and_http_suggesters_do_not_score_documents(project, models):
    add_documents(project, NAMES)
    register_suggester(
        db.session,
        project,
        kind="http",
        name="team",
        version="1",
        config={"url": "http://127.0.0.1:9/"},
    )
    assert queue_order.queue_state(db.session, project).scored == 0
    assert (
        db.session.scalar(
            select(RegisteredSuggester.last_error).where(
                RegisteredSuggester.name == "team"
            )
        )
        == ""
    )


def test_migration_0010_round_trip_keeps_projects_and_documents(project, models):
    from annotator import migrations

    add_documents(project, NAMES)
    models["v1"] = SCORES
    register(project, "v1")
    queue_order.set_queue_order(db.session, project, "random", 8)
    project_id = project.id
    db.session.remove()
    migrations.downgrade(db.engine, "0009")
    try:
        columns = {c["name"] for c in inspect(db.engine).get_columns("projects")}
        assert "queue_order" not in columns
        assert "queue_seed" not in columns
    finally:
        migrations.upgrade(db.engine)
    found = db.session.get(type(project), project_id)
    assert (found.name, found.queue_order, found.queue_seed) == (
        "Alpha",
        "in-order",
        None,
    )
    assert len(db.session.scalars(select(Document)).all()) == len(NAMES)
    assert queue_order.queue_state(db.session, found).scored == 0
