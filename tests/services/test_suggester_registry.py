"""Registering a trained model as a project's suggester: inserted active,
updated on a second registration of the same version, older models retired,
the cue rules untouched."""

from sqlalchemy import select

from annotator.extensions import db
from annotator.models import RegisteredSuggester
from annotator.services.suggestions import register_suggester
from annotator.services.suggestions.settings import active_suggesters


def rows(project):
    db.session.expire_all()
    return [
        (r.kind, r.name, r.version, r.config, r.active)
        for r in db.session.scalars(
            select(RegisteredSuggester)
            .where(RegisteredSuggester.project_id == project.id)
            .order_by(RegisteredSuggester.id)
        )
    ]


def register(project, version, path):
    return register_suggester(
        db.session,
        project,
        kind="spancat",
        name="spancat",
        version=version,
        config={"path": path},
    )


def test_a_model_is_registered_beside_the_rules(project):
    register(project, "v1", "/models/a")
    assert rows(project) == [
        ("rules", "rules", "", {}, True),
        ("spancat", "spancat", "v1", {"path": "/models/a"}, True),
    ]
    assert [r.kind for r in active_suggesters(db.session, project.id)] == [
        "rules",
        "spancat",
    ]


def test_a_newer_model_retires_the_older_and_a_same_version_updates(project):
    register(project, "v1", "/models/a")
    register(project, "v2", "/models/b")
    register(project, "v2", "/models/b2")
    assert rows(project) == [
        ("rules", "rules", "", {}, True),
        ("spancat", "spancat", "v1", {"path": "/models/a"}, False),
        ("spancat", "spancat", "v2", {"path": "/models/b2"}, True),
    ]
    register(project, "v1", "/models/a")  # going back re-activates it
    assert [r[4] for r in rows(project)] == [True, True, False]
