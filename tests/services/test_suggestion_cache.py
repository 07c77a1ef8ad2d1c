"""The suggestion cache: a document's suggestions are computed once per
text and suggester version, so repeated reads, accepts and rejects do not
run the suggesters again; a new lexicon or model version is a new answer at
once (the key holds the versions, nothing has to be invalidated)."""

import pytest
from sqlalchemy import select

from annotator.core.suggestions import Suggestion
from annotator.extensions import db
from annotator.models import Document, RegisteredSuggester
from annotator.services import assignments, suggestions
from annotator.services.documents import import_files
from annotator.services.suggestions import factory, lexicons, settings
from annotator.services.suggestions.cache import SuggestionCache

TEXT = "👍🏽 Moscow reportedly denied it. Troops could attack, officials said."


class Counting:
    """A model suggester that counts how often it is asked."""

    def __init__(self, calls, version):
        self.calls, self.name, self.version = calls, "model", version

    def suggest(self, text, labels):
        self.calls.append(text)
        return [Suggestion(2, 8, "claim", 0.9), Suggestion(9, 19, "hedge", 0.8)]


@pytest.fixture
def calls(monkeypatch):
    asked = []
    monkeypatch.setitem(
        factory._LOADERS, "http", lambda session, row: Counting(asked, row.version)
    )
    return asked


@pytest.fixture
def document(project, users, calls):
    import_files(db.session, project, [("a.txt", TEXT.encode())])
    settings.set_suggestions(db.session, project, "on")
    db.session.add(
        RegisteredSuggester(
            project_id=project.id, kind="http", name="model", version="1", config={}
        )
    )
    db.session.commit()
    assignments.next_document(db.session, project, users["annotator"])
    return db.session.scalar(select(Document))


def served(project, document, user, suggester="model"):
    found = suggestions.suggestions_for(db.session, project, document, user)
    return [s for s in found if s["suggester"] == suggester]


def test_reads_accepts_and_rejects_ask_the_suggester_once(
    project, document, users, calls
):
    user = users["annotator"]
    first = served(project, document, user)
    assert [(s["start"], s["end"], s["version"]) for s in first] == [
        (2, 8, "1"),
        (9, 19, "1"),
    ]
    assert served(project, document, user) == first
    suggestions.accept_suggestion(
        db.session, project, document, user, first[0]["id"], {"version": 0}
    )
    suggestions.reject_suggestion(
        db.session, project, document, user, first[1]["id"], {"version": 1}
    )
    suggestions.undo_decision(
        db.session, document, user, first[1]["id"], {"version": 2}
    )
    assert served(project, document, user) == [first[1]]
    assert calls == [TEXT]


def test_a_new_model_version_is_asked_and_answers_at_once(
    project, document, users, calls
):
    user = users["annotator"]
    assert {s["version"] for s in served(project, document, user)} == {"1"}
    row = db.session.scalar(
        select(RegisteredSuggester).where(RegisteredSuggester.name == "model")
    )
    row.version = "2"
    db.session.commit()
    assert {s["version"] for s in served(project, document, user)} == {"2"}
    assert len(calls) == 2
    served(project, document, user)
    assert len(calls) == 2


def test_a_new_lexicon_changes_the_rules_suggestions_at_once(project, document, users):
    user = users["annotator"]
    before = served(project, document, user, "rules")
    words = {TEXT[s["start"] : s["end"]] for s in before}
    assert "reportedly" in words
    data = {"labels": {"hedge": ["could"]}}
    lexicons.save_lexicon(db.session, project, data, users["padmin"])
    after = served(project, document, user, "rules")
    assert [(TEXT[s["start"] : s["end"]], s["version"]) for s in after] == [
        ("could", "2")
    ]


def test_a_failing_suggester_is_asked_again(project, document, users, monkeypatch):
    answers = [RuntimeError("model server down"), None]

    class Flaky:
        name, version = "model", "1"

        def suggest(self, text, labels):
            answer = answers.pop(0)
            if answer is not None:
                raise answer
            return [Suggestion(2, 8, "claim", 0.9)]

    monkeypatch.setitem(factory._LOADERS, "http", lambda session, row: Flaky())
    user = users["annotator"]
    assert served(project, document, user) == []
    assert [s["start"] for s in served(project, document, user)] == [2]
    assert answers == []


def test_with_suggestions_off_no_suggester_is_asked(project, document, users, calls):
    settings.set_suggestions(db.session, project, "off")
    assert served(project, document, users["annotator"]) == []
    assert calls == []


def test_the_least_recently_used_entries_go_past_the_limit():
    kept = SuggestionCache(limit=4)
    kept.put("a", (1, 2))
    kept.put("b", (3,))
    kept.put("c", ())  # an empty answer weighs one
    assert kept.get("a") == (1, 2)  # now the most recently used
    kept.put("d", (4,))
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c"), kept.get("d")) == ((1, 2), (), (4,))
    kept.put("e", (5, 6, 7, 8, 9))  # heavier than the limit: kept alone
    assert len(kept) == 1
    assert kept.get("e") == (5, 6, 7, 8, 9)
