"""The effect of suggestions on hand-computable cases: a suggester's
precision and recall per label, annotators' acceptance and correction rates,
and agreement with suggestions beside the calibration documents."""

import pytest

from annotator.core.agreement import DocumentAnnotations, agreement_report
from annotator.core.suggestions.effect import (
    CALIBRATION,
    MIXED,
    NONE_PROPOSED,
    SHOWN,
    UNKNOWN,
    WITH_SUGGESTIONS,
    WITHHELD,
    Rate,
    agreement_effect,
    annotator_effects,
    document_group,
    effect_groups,
    suggester_effect,
)

LABELS = ["hedge", "denial"]


def test_a_suggester_is_scored_per_label_on_exact_spans():
    gold = [[(0, 5, "hedge"), (10, 20, "denial")], [(3, 8, "hedge")]]
    proposed = [
        [(0, 5, "hedge"), (10, 19, "denial")],  # the denial is one short
        [(3, 8, "hedge"), (12, 14, "hedge")],
    ]
    found = suggester_effect("rules", "3", gold, proposed, LABELS)
    hedge, denial = found.per_label["hedge"], found.per_label["denial"]
    assert (hedge.gold, hedge.predicted, hedge.correct) == (2, 3, 2)
    assert hedge.precision == pytest.approx(2 / 3)
    assert hedge.recall == 1.0
    assert hedge.f1 == pytest.approx(0.8)
    assert (denial.gold, denial.predicted, denial.correct) == (1, 1, 0)
    assert denial.f1 == 0.0
    overall = found.overall
    assert (overall.gold, overall.predicted, overall.correct) == (3, 4, 2)
    assert overall.precision == 0.5
    assert found.n_documents == 2
    data = found.to_dict()
    assert data["name"] == "rules"
    assert data["version"] == "3"
    assert data["per_label"]["hedge"]["precision"] == 0.6667
    assert data["overall"]["recall"] == 0.6667


def test_a_label_proposed_on_the_wrong_words_is_neither_right_nor_found():
    found = suggester_effect(
        "m", "1", [[(0, 4, "hedge")]], [[(0, 4, "denial")]], LABELS
    )
    assert found.per_label["hedge"].recall == 0.0
    assert found.per_label["denial"].precision == 0.0


def test_annotators_acceptance_and_corrections_are_counted_per_person():
    decisions = [("ann", True, 3), ("ann", False, 1), ("bob", False, 2)]
    gold = {"d1": {(0, 5, "hedge")}, "d3": set()}
    accepted = [
        ("ann", "d1", (0, 5, "hedge")),  # kept in gold
        ("ann", "d1", (0, 5, "denial")),  # relabelled in review
        ("ann", "d2", (7, 9, "hedge")),  # d2 not adjudicated: not counted
        ("cyd", "d3", (1, 2, "hedge")),  # removed in review; no decision rows
    ]
    found = {a.annotator: a for a in annotator_effects(decisions, accepted, gold)}
    assert list(found) == ["ann", "bob", "cyd"]
    ann = found["ann"]
    assert (ann.accepted, ann.rejected) == (3, 1)
    assert ann.acceptance.value == 0.75
    assert (ann.corrected.count, ann.corrected.total) == (1, 2)
    assert ann.corrected.value == 0.5
    bob = found["bob"]
    assert bob.acceptance.value == 0.0
    assert bob.corrected.value is None  # nothing accepted on gold documents
    assert found["cyd"].corrected.value == 1.0
    assert found["cyd"].acceptance.total == 0
    assert ann.to_dict()["acceptance"] == {"count": 3, "total": 4, "rate": 0.75}


def test_a_rate_of_nothing_is_undefined_not_zero():
    assert Rate(0, 0).value is None
    assert Rate(0, 0).to_dict()["rate"] is None
    assert Rate(1, 3).to_dict() == {"count": 1, "total": 3, "rate": 0.3333}


def agreeing(doc_id):
    spans = [(0, 5, "hedge"), (10, 20, "denial")]
    return DocumentAnnotations(doc_id, {"a": spans, "b": spans}, text_length=40)


def disagreeing(doc_id):
    return DocumentAnnotations(
        doc_id,
        {"a": [(0, 5, "hedge"), (10, 20, "denial")], "b": [(2, 5, "hedge")]},
        text_length=40,
    )


def test_agreement_is_compared_when_both_groups_are_large_enough():
    documents = [agreeing(n) for n in range(6)] + [disagreeing(n) for n in range(6, 12)]
    groups = {WITH_SUGGESTIONS: set(range(6)), CALIBRATION: set(range(6, 13))}
    found = agreement_effect(documents, groups, LABELS, min_documents=5)
    with_, without = found.with_suggestions, found.calibration
    assert with_.estimate.value == pytest.approx(1.0)
    # The same figure and interval as the agreement report on that group.
    alone = agreement_report(documents[6:], labels=LABELS).unitizing.alpha_u.overall
    assert without.estimate == alone
    assert without.estimate.value < 1.0
    assert (with_.n_documents, with_.estimate.n_documents) == (6, 6)
    assert (without.n_documents, without.estimate.n_documents) == (7, 6)
    assert found.comparable
    assert found.difference == pytest.approx(1.0 - alone.value)
    assert found.intervals_overlap is False
    assert found.summary() == (
        f"Unitizing alpha (alpha-u) is {found.difference:.3f} higher with "
        "suggestions than without, and the 95% intervals do not overlap: "
        "annotators may be following the same suggestions rather than judging "
        "alike."
    )
    data = found.to_dict()
    assert data["calibration"]["n_compared_documents"] == 6
    assert data["calibration"]["alpha_u"]["ci_low"] == alone.ci_low
    assert data["difference"] == found.difference


def test_a_group_with_too_few_documents_is_not_compared():
    documents = [agreeing(n) for n in range(6)] + [disagreeing(6), disagreeing(7)]
    groups = {WITH_SUGGESTIONS: set(range(6)), CALIBRATION: {6, 7}}
    found = agreement_effect(documents, groups, LABELS, min_documents=5)
    assert found.calibration.estimate.value is not None  # computed, but thin
    assert found.calibration.too_small == "2 compared documents, at least 5 needed"
    assert found.with_suggestions.too_small is None
    assert not found.comparable
    assert found.difference is None
    assert found.summary() == (
        "Too small to compare (calibration documents, annotated without them: "
        "2 compared documents, at least 5 needed)."
    )


def test_no_calibration_documents_at_all_is_too_small_too():
    groups = {WITH_SUGGESTIONS: set(range(5)), CALIBRATION: set()}
    found = agreement_effect(
        [agreeing(n) for n in range(5)], groups, LABELS, min_documents=5
    )
    assert found.calibration.n_documents == 0
    assert found.calibration.too_small == "0 compared documents, at least 5 needed"
    assert found.with_suggestions.too_small is None


def test_a_figure_without_a_denominator_is_none_in_json_not_zero():
    found = suggester_effect("m", "1", [[(0, 4, "hedge")]], [[]], LABELS).to_dict()
    assert found["per_label"]["hedge"]["precision"] is None
    assert found["per_label"]["hedge"]["recall"] == 0.0
    assert found["per_label"]["denial"]["recall"] is None
    assert found["per_label"]["denial"]["f1"] is None


def report_in(mode):
    from annotator.core.suggestions.effect import EffectReport

    groups = {WITH_SUGGESTIONS: set(), CALIBRATION: set()}
    found = agreement_effect([], groups, LABELS, min_documents=5)
    return EffectReport(1, "P", mode, 0.1, tuple(LABELS), 0, (), (), found)


def test_the_mode_that_leaves_a_group_empty_is_said():
    assert "no calibration documents" in report_in("on").setting_note
    off = report_in("off").to_dict()["settings"]["note"]
    assert "count among those annotated without them" in off
    assert "those annotated earlier keep their group" in off
    assert report_in("calibrate").setting_note is None


@pytest.mark.parametrize(
    ("shown", "group"),
    [
        ([SHOWN, SHOWN], WITH_SUGGESTIONS),
        ([WITHHELD, WITHHELD, WITHHELD], CALIBRATION),
        ([NONE_PROPOSED, NONE_PROPOSED], NONE_PROPOSED),
        ([SHOWN, WITHHELD], MIXED),
        ([SHOWN, NONE_PROPOSED], MIXED),
        ([WITHHELD, NONE_PROPOSED], MIXED),
        ([SHOWN, None], MIXED),
        ([WITHHELD, None], MIXED),
        ([None, None], MIXED),
        ([], None),
    ],
)
def test_a_document_goes_by_what_every_annotator_was_shown(shown, group):
    assert document_group(shown) == group


def test_mixed_and_unknown_documents_are_in_neither_group_but_counted():
    shown = {
        1: [SHOWN, SHOWN],
        2: [WITHHELD, WITHHELD],
        3: [SHOWN, WITHHELD],  # a mix
        4: [SHOWN, None],  # unknown for one annotator
        5: [WITHHELD, WITHHELD],  # hidden from the viewer: not asked for below
        7: [NONE_PROPOSED, NONE_PROPOSED],  # on, but nothing proposed
    }
    groups = effect_groups(shown, [1, 2, 3, 4, 6, 7])
    assert groups == {
        WITH_SUGGESTIONS: {1},
        CALIBRATION: {2},
        NONE_PROPOSED: {7},
        MIXED: {3, 4},
        UNKNOWN: {4},
    }
    documents = [agreeing(n) for n in (1, 2, 3, 4, 7)]
    found = agreement_effect(documents, groups, LABELS, min_documents=1)
    assert (found.with_suggestions.n_documents, found.calibration.n_documents) == (
        1,
        1,
    )
    assert found.with_suggestions.estimate.n_documents == 1
    assert found.calibration.estimate.n_documents == 1
    assert (found.n_mixed, found.n_unknown, found.n_none_proposed) == (2, 1, 1)
    data = found.to_dict()
    assert data[MIXED] == {
        "n_documents": 2,
        "n_unknown": 1,
        "note": "2 documents with submitted work are in neither group: some of "
        "their annotators were shown suggestions and some were not, or for 1 "
        "of them it is not known what an annotator was shown (work from "
        "before the app kept the record, imported work, or work whose "
        "suggestions were never listed while it was open).",
        "unknown_note": "An unknown record stays unknown: the app cannot tell "
        "afterwards what was shown for work done before it kept the record "
        "(before the upgrade) or done elsewhere and imported; new work is "
        "recorded as it is done.",
    }
    assert data[NONE_PROPOSED] == {
        "n_documents": 1,
        "note": "1 document with submitted work was annotated with suggestions "
        "on but none proposed: counted apart, not as calibration documents, "
        "since which documents get no proposal depends on their text.",
    }


def test_a_document_without_unknown_records_says_nothing_of_them():
    groups = effect_groups({3: [SHOWN, WITHHELD]})
    found = agreement_effect([], groups, LABELS, min_documents=1)
    assert found.mixed_note == (
        "1 document with submitted work is in neither group: some of its "
        "annotators were shown suggestions and some were not."
    )
    assert found.unknown_note is None
    assert found.none_proposed_note is None


def test_without_mixed_documents_there_is_no_note():
    found = agreement_effect([], {WITH_SUGGESTIONS: (), CALIBRATION: ()}, LABELS, 5)
    assert found.mixed_note is None
    assert found.to_dict()[MIXED] == {
        "n_documents": 0,
        "n_unknown": 0,
        "note": None,
        "unknown_note": None,
    }
    assert found.to_dict()[NONE_PROPOSED] == {"n_documents": 0, "note": None}
