"""The suggestion effect of a small generated gold project: the rule
suggester scored against gold, annotators' acceptance and corrections, and
agreement with suggestions beside the calibration documents."""

import re

from sqlalchemy import select, update

from annotator.extensions import db
from annotator.models import Assignment, User
from annotator.services.annotations import assignment_for
from annotator.services.suggestions import settings
from annotator.services.suggestions.effect import suggestion_effect
from tests.effect_data import make_effect_project


def expected_scores(built):
    """(gold, predicted, correct) per label, counted from the generated
    records with the reviewers' relabelling: the lexicon proposes every
    "reportedly" (hedge) and "denied" (denial)."""
    external_id, start, end, before, after = built["relabelled"]
    counts = {}
    for record in built["records"]:
        gold = {
            (s["start"], s["end"], s["label"])
            for s in record["annotations"][0]["spans"]
        }
        if record["id"] == external_id:
            gold = (gold - {(start, end, before)}) | {(start, end, after)}
        proposed = {
            (m.start(), m.end(), label)
            for word, label in (("reportedly", "hedge"), ("denied", "denial"))
            for m in re.finditer(rf"\b{word}\b", record["text"])
        }
        for kind, spans in (("gold", gold), ("predicted", proposed)):
            for span in spans:
                counts[span[2], kind] = counts.get((span[2], kind), 0) + 1
        for span in proposed & gold:
            counts[span[2], "correct"] = counts.get((span[2], "correct"), 0) + 1
    return counts


def test_the_effect_of_a_generated_project(app, project, users):
    built = make_effect_project(project, users["reviewer"])
    report = suggestion_effect(db.session, project)
    assert report.n_gold_documents == 30
    assert report.mode == "calibrate"

    # The rule suggester (lexicon version 2) against gold.
    [rules] = report.suggesters
    assert (rules.name, rules.version, rules.n_documents) == ("rules", "2", 30)
    assert rules.error == ""
    counts = expected_scores(built)
    assert counts["hedge", "correct"] > 0
    for label in ("hedge", "denial", "claim"):
        score = rules.per_label[label]
        assert (score.gold, score.predicted, score.correct) == tuple(
            counts.get((label, kind), 0) for kind in ("gold", "predicted", "correct")
        )
    # "rejected" denials are gold but never proposed: recall below 1.
    denial = rules.per_label["denial"]
    assert denial.recall == denial.correct / denial.gold < 1.0
    assert rules.per_label["claim"].predicted == 0

    # Annotators: ann accepted 3 of 4, one of her 3 accepted spans was
    # relabelled in review; bob rejected both of his.
    ann, bob = report.annotators
    assert ann.annotator == "ann"
    assert (ann.acceptance.count, ann.acceptance.total) == (3, 4)
    assert (ann.corrected.count, ann.corrected.total) == (1, 3)
    assert bob.annotator == "bob"
    assert (bob.acceptance.count, bob.acceptance.total) == (0, 2)
    assert bob.corrected.value is None

    # Agreement: the documents split by the calibration rule; ann and bob
    # agree everywhere but on the calibration documents.
    stored = settings.settings_for(db.session, project.id)
    calibration = {
        d.id for d in built["documents"] if settings.is_calibration(stored, d.id)
    }
    assert {d.id for d in built["calibration"]} == calibration
    found = report.agreement
    assert found.calibration.n_documents == len(calibration)
    assert found.with_suggestions.n_documents == 30 - len(calibration)
    assert found.with_suggestions.estimate.n_documents == 30 - len(calibration)
    assert found.with_suggestions.estimate.value == 1.0
    assert found.calibration.estimate.value < 1.0
    assert found.calibration.estimate.ci_low is not None
    assert found.comparable
    assert found.difference > 0


def test_a_project_without_gold_or_decisions_says_so(app, project):
    report = suggestion_effect(db.session, project)
    assert report.n_gold_documents == 0
    assert report.suggesters == ()
    assert report.annotators == ()
    assert not report.agreement.comparable
    assert report.agreement.summary().startswith("Too small to compare")


def test_the_agreement_part_is_computed_once_per_change(
    app, project, users, monkeypatch
):
    from annotator.services.suggestions import effect

    calls = []
    original = effect.agreement_effect

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(effect, "agreement_effect", counting)
    built = make_effect_project(project, users["reviewer"])
    first = suggestion_effect(db.session, project)
    assert suggestion_effect(db.session, project).agreement is first.agreement
    assert len(calls) == 1
    # Another calibration share does not change what anyone was shown: the
    # groups, and the figures, stay as they were.
    settings.set_suggestions(db.session, project, "calibrate", 0.5)
    assert suggestion_effect(db.session, project).agreement is first.agreement
    assert len(calls) == 1
    # A record that changes (bob is shown suggestions on a calibration
    # document) moves the document out of its group: computed again.
    document = built["calibration"][0]
    bob = db.session.scalar(select(User).where(User.username == "bob"))
    assignment_for(db.session, document, bob).suggestions_shown = True
    db.session.commit()
    again = suggestion_effect(db.session, project)
    assert len(calls) == 2
    assert again.agreement.calibration.n_documents == (
        first.agreement.calibration.n_documents - 1
    )
    assert again.agreement.n_mixed == 1
    # A reason that changes with nothing else (nothing was proposed on a
    # calibration document after all) moves it too: computed again.
    document = built["calibration"][1]
    db.session.execute(
        update(Assignment)
        .where(Assignment.document_id == document.id)
        .values(suggestions_withheld="none_proposed", updated_at=Assignment.updated_at)
    )
    db.session.commit()
    third = suggestion_effect(db.session, project)
    assert len(calls) == 3
    assert third.agreement.n_none_proposed == 1
    assert third.agreement.calibration.n_documents == (
        again.agreement.calibration.n_documents - 1
    )
