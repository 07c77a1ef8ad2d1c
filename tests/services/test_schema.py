"""The schema is migrated, never recreated: models must equal the Alembic head,
and upgrading a database with data keeps the data."""

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, func, select, text
from sqlalchemy.exc import SAWarning
from sqlalchemy.schema import CreateIndex

from annotator import migrations
from annotator.extensions import db
from annotator.models import Base, Document, Project
from annotator.services import projects

#: Indexes on an expression (``lower(username)``): SQLite's reflection skips
#: them (an SAWarning) and Alembic then leaves the model's out of the
#: comparison (a UserWarning), so on SQLite the comparison cannot see them.
#: Only those two warnings, for these names only, are let through, and the
#: indexes are compared on their own below (name, uniqueness, expression)
#: on both backends.
EXPRESSION_INDEXES = {"uq_users_username_lower": ("users", "lower(username)")}


def test_models_match_the_migration_head(app):
    with db.engine.connect() as connection, warnings.catch_warnings():
        for name in EXPRESSION_INDEXES:
            warnings.filterwarnings(
                "ignore",
                message=f"Skipped unsupported reflection of expression-based "
                f"index {name}$",
                category=SAWarning,
            )
            warnings.filterwarnings(
                "ignore",
                message=f"autogenerate skipping metadata-specified expression-based "
                f"index '{name}'; dialect 'sqlite'",
                category=UserWarning,
            )
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def _index_sql(name):
    if db.engine.dialect.name == "sqlite":
        return db.session.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n"),
            {"n": name},
        )
    return db.session.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": name}
    )


def _bare(sql):
    """Index DDL without what PostgreSQL adds when it prints one back."""
    for noise in ("public.", "using btree", "::text", "(", ")", '"', " "):
        sql = sql.lower().replace(noise, "")
    return sql


def test_expression_indexes_match_the_models(app):
    declared = {
        index.name: index
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if not all(isinstance(e, Column) for e in index.expressions)
    }
    assert set(declared) == set(EXPRESSION_INDEXES)
    for name, (table, expression) in EXPRESSION_INDEXES.items():
        model_ddl = str(CreateIndex(declared[name]).compile(dialect=db.engine.dialect))
        assert f"({expression})" in model_ddl
        assert _bare(_index_sql(name)) == _bare(model_ddl)
        assert _bare(model_ddl).startswith(f"createuniqueindex{name}on{table}")


def test_the_database_refuses_a_username_differing_only_in_case(app, users):
    from sqlalchemy.exc import IntegrityError

    from annotator.models import User

    db.session.add(User(username=users["siteadmin"].username.upper()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_upgrade_stops_listing_names_that_differ_only_in_case(app):
    from annotator.models import User

    db.session.remove()
    migrations.downgrade(db.engine, "0005")
    try:
        db.session.add_all([User(username=n) for n in ("Alice", "alice", "bob")])
        db.session.commit()
        db.session.remove()
        with pytest.raises(RuntimeError, match="'Alice', 'alice'") as raised:
            migrations.upgrade(db.engine)
        assert "bob" not in str(raised.value)
        assert "Nothing was changed" in str(raised.value)
        rename = "UPDATE users SET username = 'alice-2' WHERE username = 'Alice'"
        db.session.execute(text(rename))
        db.session.commit()
        db.session.remove()
    finally:
        migrations.upgrade(db.engine)
    names = db.session.scalars(select(User.username).order_by(User.username))
    assert list(names) == ["alice", "alice-2", "bob"]


def test_upgrade_on_an_existing_database_keeps_its_data(app):
    projects.create_project(db.session, "Keep me")
    db.session.remove()
    migrations.upgrade(db.engine)
    assert db.session.scalar(select(func.count()).select_from(Project)) == 1


def test_database_refuses_a_span_with_end_before_start(app, project, users):
    from sqlalchemy.exc import IntegrityError

    from annotator.models import Document, Span

    document = Document(
        project_id=project.id,
        external_id="d",
        text="abc",
        text_length=3,
        text_sha256="0" * 64,
    )
    db.session.add(document)
    db.session.flush()
    db.session.add(
        Span(
            document_id=document.id,
            annotator_id=users["annotator"].id,
            label_id=project.labels[0].id,
            start=2,
            end=1,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("the database accepted end < start")


def test_labels_used_by_gold_spans_cannot_be_removed(project, users):
    import pytest

    from annotator.core.labels import DEFAULT_LABELS
    from annotator.models import GoldSpan
    from annotator.services.documents import import_files
    from annotator.services.errors import ServiceError
    from annotator.services.projects import replace_labels

    import_files(db.session, project, [("a.txt", b"A claim here.")])
    document = db.session.scalar(select(Document))
    hedge = next(label for label in project.labels if label.name == "hedge")
    db.session.add(
        GoldSpan(
            document_id=document.id,
            label_id=hedge.id,
            start=0,
            end=7,
            decided_by_id=users["reviewer"].id,
            decision="added",
        )
    )
    db.session.commit()
    without_hedge = [spec for spec in DEFAULT_LABELS if spec.name != "hedge"]
    with pytest.raises(ServiceError, match="'hedge' is used by 1 spans"):
        replace_labels(db.session, project, without_hedge, users["padmin"])
    db.session.expire_all()
    assert "hedge" in [label.name for label in project.labels]


def test_no_label_may_take_the_link_key():
    from annotator.core.labels import LabelSpec, label_spec_errors

    errors = label_spec_errors(LabelSpec("rumour", "Rumour", "#555555", "l", "dashed"))
    assert any("the link key" in error for error in errors)


def test_upgrading_to_stored_pseudonyms_keeps_the_names_exports_gave(project):
    # Until migration 0003, exports numbered everyone assigned in a project by
    # ascending user id; the upgrade stores those numbers.
    import json

    from annotator.models import Pseudonym, User
    from annotator.services.documents import import_files

    lines = [
        {
            "id": "d1",
            "text": "A b.",
            "annotations": [{"annotator": "zed", "spans": []}],
        },
        {
            "id": "d2",
            "text": "C d.",
            "annotations": [{"annotator": "amy", "spans": []}],
        },
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    import_files(db.session, project, [("a.jsonl", data)])
    db.session.remove()
    migrations.downgrade(db.engine, "0002")
    try:
        migrations.upgrade(db.engine)
    finally:
        migrations.upgrade(db.engine)
    rows = db.session.execute(
        select(User.id, Pseudonym.number)
        .join(Pseudonym, Pseudonym.user_id == User.id)
        .where(User.username.in_(["zed", "amy"]))
    ).all()
    by_id = sorted(user_id for user_id, _ in rows)
    assert sorted(rows) == [(by_id[0], 1), (by_id[1], 2)]
