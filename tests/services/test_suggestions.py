"""Suggestion services: defaults of a new project, settings and calibration,
serving, accepting and rejecting, lexicon versions, the suggester factory,
and suggestions that count nowhere until accepted."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from annotator import migrations
from annotator.core.suggestions import SuggesterError, Suggestion
from annotator.extensions import db
from annotator.models import (
    CueLexiconVersion,
    Document,
    RegisteredSuggester,
    Span,
    SuggestionDecision,
)
from annotator.services import (
    annotations,
    assignments,
    exports,
    review,
    suggestions,
)
from annotator.services.accounts import create_user
from annotator.services.annotations import StaleVersion
from annotator.services.documents import import_files
from annotator.services.exports import ExportSettings, write_export
from annotator.services.projects import add_member
from annotator.services.suggestions import factory, lexicons, settings
from annotator.services.suggestions.lexicons import InvalidLexicon
from annotator.services.suggestions.settings import InvalidSettings
from tests.conftest import PASSWORD

TEXT = "👍🏽 中文\r\nMoscow reportedly denied it. Troops could attack, officials said."


@pytest.fixture
def second(project):
    user = create_user(db.session, "second", PASSWORD)
    add_member(db.session, project, user, "annotator", None)
    return user


@pytest.fixture
def document(project, users, second):
    import_files(db.session, project, [("a.txt", TEXT.encode())])
    settings.set_suggestions(db.session, project, "on")
    assignments.next_document(db.session, project, users["annotator"])
    assignments.next_document(db.session, project, second)
    return db.session.scalar(select(Document))


def served(project, document, user):
    return suggestions.suggestions_for(db.session, project, document, user)


def version(document, user):
    return annotations.load_annotation(db.session, document, user)["version"]


def test_a_new_project_calibrates_10_percent_with_the_default_rules(project):
    found = settings.settings_for(db.session, project.id)
    assert (found.mode, found.calibration_share) == ("calibrate", 0.1)
    rules = db.session.scalars(select(RegisteredSuggester)).all()
    assert [(r.kind, r.name, r.active) for r in rules] == [("rules", "rules", True)]
    newest = lexicons.current_lexicon(db.session, project.id)
    assert newest.number == 1
    assert newest.lexicon == lexicons.default_lexicon()
    assert "reportedly ; score=0.8" in newest.lexicon["labels"]["hedge"]


@pytest.mark.parametrize(
    ("mode", "share", "field"),
    [("sometimes", None, "mode"), ("on", 1.5, "share"), ("on", True, "share")],
)
def test_bad_settings_are_refused_naming_the_field(project, mode, share, field):
    with pytest.raises(InvalidSettings) as refused:
        settings.set_suggestions(db.session, project, mode, share)
    assert refused.value.field == field


def test_calibration_documents_are_a_fixed_share_the_same_for_everyone(project):
    import_files(
        db.session,
        project,
        [(f"d{i}.txt", f"Document {i} may matter.".encode()) for i in range(200)],
    )
    ids = list(db.session.scalars(select(Document.id)))

    def calibration(share):
        saved = settings.set_suggestions(db.session, project, "calibrate", share)
        return {i for i in ids if settings.is_calibration(saved, i)}

    tenth, fifth = calibration(0.1), calibration(0.2)
    assert 8 <= len(tenth) <= 35  # about 10 % of 200
    assert tenth < fifth  # a larger share only adds documents
    assert calibration(0.1) == tenth  # the same on every call
    assert calibration(0.0) == set()
    assert calibration(1.0) == set(ids)


def test_everyone_gets_the_same_suggestions_in_code_points(
    project, document, users, second
):
    mine = served(project, document, users["annotator"])
    assert mine == served(project, document, second)
    spans = {(s["label"], TEXT[s["start"] : s["end"]]) for s in mine}
    assert ("hedge", "reportedly") in spans
    assert ("denial", "denied it") in spans
    hedge = next(s for s in mine if TEXT[s["start"] : s["end"]] == "reportedly")
    assert (hedge["start"], hedge["end"]) == (14, 24)
    assert (hedge["suggester"], hedge["version"]) == ("rules", "1")
    assert len({s["id"] for s in mine}) == len(mine)


def test_no_suggestions_when_off_or_on_a_calibration_document(project, document, users):
    settings.set_suggestions(db.session, project, "off")
    assert served(project, document, users["annotator"]) == []
    settings.set_suggestions(db.session, project, "calibrate", 1.0)
    assert served(project, document, users["annotator"]) == []
    settings.set_suggestions(db.session, project, "calibrate", 0.0)
    assert served(project, document, users["annotator"]) != []


def test_accept_makes_the_annotators_own_span_with_its_suggester(
    project, document, users, second
):
    user = users["annotator"]
    hedge = next(s for s in served(project, document, user) if s["label"] == "hedge")
    span, new_version = suggestions.accept_suggestion(
        db.session, project, document, user, hedge["id"], {"version": 0}
    )
    assert new_version == 1
    assert (span["start"], span["end"], span["label"]) == (14, 24, "hedge")
    row = db.session.get(Span, span["id"])
    assert (row.origin, row.suggester, row.suggester_version) == (
        "suggested",
        "rules",
        "1",
    )
    assert row.annotator_id == user.id
    decision = db.session.scalar(select(SuggestionDecision))
    assert (decision.decision, decision.span_id) == ("accepted", row.id)
    assert hedge["id"] not in {s["id"] for s in served(project, document, user)}
    # The other annotator still has it: decisions are per annotator.
    assert hedge["id"] in {s["id"] for s in served(project, document, second)}


def test_a_stale_version_accepts_nothing(project, document, users):
    user = users["annotator"]
    first = served(project, document, user)[0]
    annotations.create_span(
        db.session,
        project,
        document.id,
        user,
        {"version": 0, "start": 0, "end": 2, "label": "claim"},
    )
    with pytest.raises(StaleVersion):
        suggestions.accept_suggestion(
            db.session, project, document, user, first["id"], {"version": 0}
        )
    assert db.session.scalar(select(func.count()).select_from(Span)) == 1
    assert db.session.scalar(select(SuggestionDecision)) is None


def test_a_rejected_suggestion_is_not_offered_again(project, document, users):
    user = users["annotator"]
    first = served(project, document, user)[0]
    assert (
        suggestions.reject_suggestion(
            db.session, project, document, user, first["id"], {"version": 0}
        )
        == 1
    )
    assert first["id"] not in {s["id"] for s in served(project, document, user)}
    assert db.session.scalar(select(func.count()).select_from(Span)) == 0
    from annotator.services.errors import NotFoundError

    with pytest.raises(NotFoundError):
        suggestions.accept_suggestion(
            db.session, project, document, user, first["id"], {"version": 1}
        )


def test_a_span_already_drawn_is_not_suggested(project, document, users):
    user = users["annotator"]
    annotations.create_span(
        db.session,
        project,
        document.id,
        user,
        {"version": 0, "start": 14, "end": 24, "label": "hedge"},
    )
    found = served(project, document, user)
    assert (14, 24, "hedge") not in {(s["start"], s["end"], s["label"]) for s in found}


def test_saving_the_lexicon_makes_a_version_the_suggestions_name(
    project, document, users
):
    data = {"labels": {"hedge": ["reportedly", "could ; score=0.3"]}}
    saved, changed = lexicons.save_lexicon(db.session, project, data, users["padmin"])
    assert (saved.number, changed, saved.author_id) == (2, True, users["padmin"].id)
    found = served(project, document, users["annotator"])
    assert {(s["label"], s["version"]) for s in found} == {("hedge", "2")}
    assert [TEXT[s["start"] : s["end"]] for s in found] == ["reportedly", "could"]
    again, changed = lexicons.save_lexicon(db.session, project, data, None)
    assert (again.number, changed) == (2, False)


def test_a_bad_lexicon_is_refused_naming_label_and_line(project):
    data = {"labels": {"hedge": ["may", "# note", "could ; span=everything"]}}
    with pytest.raises(InvalidLexicon) as refused:
        lexicons.save_lexicon(db.session, project, data, None)
    assert refused.value.field == "hedge:3"
    assert "cue, rest, clause or after" in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(CueLexiconVersion)) == 0


def test_an_unavailable_suggester_kind_is_an_error_recorded_for_admins(
    project, document, users
):
    broken = RegisteredSuggester(
        project_id=project.id, kind="spancat", name="model", version="3", config={}
    )
    db.session.add(broken)
    db.session.commit()
    # No model folder in its config (or, before the model kinds are
    # installed, no spancat module at all): an error, not a crash.
    with pytest.raises(SuggesterError, match="spancat"):
        factory.load_suggester(db.session, broken)
    # The rules still answer; the broken one says why it did not.
    assert served(project, document, users["annotator"]) != []
    assert "spancat" in db.session.get(RegisteredSuggester, broken.id).last_error


def test_a_registered_loader_serves_and_bad_spans_are_dropped(
    project, document, users, monkeypatch
):
    asked = []

    class Fixed:
        name, version = "fixed", "9"

        def for_document(self, external_id):
            asked.append(external_id)
            return self

        def suggest(self, text, labels):
            return [
                Suggestion(0, 2, "claim", 0.9),
                Suggestion(0, 999, "claim", 0.9),  # outside the text
                Suggestion(0, 2, "nonsense", 0.9),  # unknown label
            ]

    monkeypatch.setitem(factory._LOADERS, "http", lambda session, row: Fixed())
    row = RegisteredSuggester(
        project_id=project.id, kind="http", name="fixed", version="9", config={}
    )
    db.session.add(row)
    db.session.commit()
    found = served(project, document, users["annotator"])
    assert [
        (s["start"], s["end"], s["suggester"])
        for s in found
        if s["suggester"] != "rules"
    ] == [(0, 2, "fixed")]
    assert "2 suggestions" in db.session.get(RegisteredSuggester, row.id).last_error
    assert asked == [document.external_id] == ["a"]  # told which document


def test_unknown_kind_cannot_get_a_loader(project):
    with pytest.raises(ValueError, match="unknown suggester kind"):
        factory.register_loader("crystal-ball", lambda session, row: None)
    row = RegisteredSuggester(
        project_id=project.id, kind="crystal-ball", name="x", version="1", config={}
    )
    with pytest.raises(SuggesterError, match="'crystal-ball' is not available"):
        factory.load_suggester(db.session, row)


def _submit(document, user):
    annotations.set_status(
        db.session,
        document,
        user,
        {"status": "submitted", "version": version(document, user)},
    )


def test_suggestions_are_not_exported_or_reviewed_until_accepted(
    project, document, users, second, tmp_path
):
    user = users["annotator"]
    offered = served(project, document, user)
    served(project, document, second)
    hedge = next(s for s in offered if s["label"] == "hedge")
    suggestions.accept_suggestion(
        db.session, project, document, user, hedge["id"], {"version": 0}
    )
    _submit(document, user)
    _submit(document, second)
    result = write_export(db.session, project, ExportSettings(), Path(tmp_path))
    records = []
    for name in exports.data_files(result.manifest):
        path = result.folder / name
        records += [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    spans = sorted(
        (record["annotator"], span["start"], span["end"], span["label"])
        for record in records
        for span in record["spans"]
    )
    assert [s[1:] for s in spans] == [(14, 24, "hedge")]
    assert db.session.scalar(select(func.count()).select_from(Span)) == 1
    # Review compares submitted spans: the accepted one, nothing else.
    work = review.submitted_work(db.session, document)
    assert work.by_annotator() == {
        user.id: [(14, 24, "hedge")],
        second.id: [],
    }


def test_upgrading_keeps_spans_and_links_and_then_takes_suggested_spans(
    project, document, users
):
    for end, label in ((15, "claim"), (28, "denial")):
        annotations.create_span(
            db.session,
            project,
            document.id,
            users["annotator"],
            {
                "version": version(document, users["annotator"]),
                "start": 9,
                "end": end,
                "label": label,
            },
        )
    denial, claim = (
        db.session.scalar(select(Span.id).where(Span.end == 28)),
        db.session.scalar(select(Span.id).where(Span.end == 15)),
    )
    annotations.create_link(
        db.session,
        document,
        users["annotator"],
        {
            "version": version(document, users["annotator"]),
            "source": denial,
            "target": claim,
            "kind": "denies",
        },
    )
    db.session.remove()
    migrations.downgrade(db.engine, "0005")
    migrations.upgrade(db.engine)
    with db.engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM spans")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM span_links")).scalar() == 1
        connection.execute(text("UPDATE spans SET origin = 'suggested'"))
        with (
            pytest.raises(IntegrityError, match=r"(?i)check"),
            connection.begin_nested(),
        ):
            connection.execute(text("UPDATE spans SET origin = 'guessed'"))


def test_a_suggester_that_breaks_is_recorded_and_the_rules_still_answer(
    project, document, users, monkeypatch
):
    class Broken:
        name, version = "team-model", "3"

        def suggest(self, text, labels):
            raise RuntimeError("CUDA out of memory")

    monkeypatch.setitem(factory._LOADERS, "http", lambda session, row: Broken())
    row = RegisteredSuggester(
        project_id=project.id, kind="http", name="team-model", version="3", config={}
    )
    db.session.add(row)
    db.session.commit()
    found = served(project, document, users["annotator"])
    assert {s["suggester"] for s in found} <= {"rules"}
    error = db.session.get(RegisteredSuggester, row.id).last_error
    assert error == "suggester broke: RuntimeError: CUDA out of memory"
