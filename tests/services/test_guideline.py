"""The guideline's versions and the once-only "updated" notice."""

import pytest
from sqlalchemy import create_engine, select, text

from annotator import migrations
from annotator.extensions import db
from annotator.models import GuidelineVersion
from annotator.services import guideline
from annotator.services.errors import NotFoundError


def test_the_guideline_given_at_creation_is_version_one(project):
    versions = guideline.history(db.session, project)
    assert [(v.number, v.text, v.author) for v in versions] == [
        (1, "Tag claims.", None)
    ]


def test_each_save_is_a_new_version_with_author_and_time(project, users):
    first = guideline.save_guideline(db.session, project, "v2 text", users["padmin"])
    second = guideline.save_guideline(db.session, project, "v3 text", users["padmin"])
    assert (first.changed, first.version.number) == (True, 2)
    assert (second.changed, second.version.number) == (True, 3)
    assert project.guideline == "v3 text"
    history = guideline.history(db.session, project)
    assert [v.number for v in history] == [3, 2, 1]
    assert history[0].author.username == "padmin"
    assert history[0].created_at >= history[1].created_at
    assert guideline.version(db.session, project, 2).text == "v2 text"


def test_saving_the_same_text_makes_no_version(project, users):
    admin = users["padmin"]
    saved = guideline.save_guideline(db.session, project, "Tag claims.", admin)
    assert (saved.changed, saved.version.number) == (False, 1)
    assert len(guideline.history(db.session, project)) == 1


def test_an_unknown_version_is_not_found(project):
    with pytest.raises(NotFoundError):
        guideline.version(db.session, project, 7)


def test_a_guideline_too_long_or_with_nul_is_refused_naming_the_field(project, users):
    too_long = "x" * (guideline.MAX_GUIDELINE_CHARS + 1)
    with pytest.raises(guideline.InvalidGuideline) as error:
        guideline.save_guideline(db.session, project, too_long, users["padmin"])
    assert error.value.field == "guideline"
    with pytest.raises(guideline.InvalidGuideline):
        guideline.save_guideline(db.session, project, "a\x00b", users["padmin"])
    db.session.rollback()
    assert [v.number for v in guideline.history(db.session, project)] == [1]


def test_updated_shows_once_per_change_per_reader(project, users):
    annotator = users["annotator"]
    first = guideline.read_guideline(db.session, project, annotator)
    assert (first.number, first.first_visit, first.updated) == (1, True, False)
    again = guideline.read_guideline(db.session, project, annotator)
    assert (again.first_visit, again.updated) == (False, False)
    guideline.save_guideline(db.session, project, "Tag claims and denials.", None)
    changed = guideline.read_guideline(db.session, project, annotator)
    assert (changed.number, changed.updated) == (2, True)
    assert changed.text == "Tag claims and denials."
    assert guideline.read_guideline(db.session, project, annotator).updated is False
    # Someone else's notice is their own.
    other = guideline.read_guideline(db.session, project, users["reviewer"])
    assert (other.first_visit, other.updated) == (True, False)


def test_the_author_is_not_told_of_their_own_change(project, users):
    guideline.read_guideline(db.session, project, users["padmin"])
    guideline.save_guideline(db.session, project, "New rules.", users["padmin"])
    view = guideline.read_guideline(db.session, project, users["padmin"])
    assert view.updated is False


def test_no_guideline_no_notice(other_project, users):
    view = guideline.read_guideline(db.session, other_project, users["outsider"])
    assert (view.version, view.first_visit, view.updated) == (None, False, False)


def test_an_empty_first_guideline_is_refused(other_project, users):
    with pytest.raises(guideline.InvalidGuideline, match="write some text"):
        guideline.save_guideline(db.session, other_project, "  ", users["outsider"])


def test_migration_turns_an_existing_guideline_into_version_one(database_url):
    """0003 -> 0004 on a database with a project: its guideline is kept as
    version 1 and its labels get empty definitions."""
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        migrations.upgrade(engine, "0003")
    else:
        migrations.downgrade(engine, "0003")
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO projects (name, description, guideline, "
                    "annotators_per_document, created_at) VALUES "
                    "('Old', '', 'Old rules', 2, CURRENT_TIMESTAMP), "
                    "('Empty', '', '', 2, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO labels (project_id, name, display_name, color, "
                    "hotkey, underline, position) SELECT id, 'claim', 'Claim', "
                    "'#000000', '1', 'solid', 0 FROM projects WHERE name = 'Old'"
                )
            )
        migrations.upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                select(GuidelineVersion.number, GuidelineVersion.text)
            ).all()
            definitions = connection.execute(
                text("SELECT definition, examples FROM labels")
            ).all()
        assert rows == [(1, "Old rules")]
        assert definitions == [("", "")]
    finally:
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            migrations.upgrade(engine)
        engine.dispose()
