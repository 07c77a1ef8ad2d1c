"""The schema is migrated, never recreated: models must equal the Alembic head,
and upgrading a database with data keeps the data."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from annotator import migrations
from annotator.extensions import db
from annotator.models import Base, Project
from annotator.services import projects


def test_models_match_the_migration_head(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


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
