"""The held-out split and the per-label figures a trained suggester is
judged by."""

import pytest

from annotator.core.suggestions.evaluation import (
    GoldExample,
    held_out_split,
    micro_f1,
    score_spans,
)


def examples(count):
    return [GoldExample(f"d{n}", "text", ()) for n in range(count)]


def test_held_out_split_depends_on_seed_and_ids_not_order():
    docs = examples(20)
    train, test = held_out_split(docs, 0.25, seed=3)
    assert len(test) == 5
    assert len(train) == 15
    assert {d.id for d in train} | {d.id for d in test} == {d.id for d in docs}
    again = held_out_split(list(reversed(docs)), 0.25, seed=3)
    assert [d.id for d in again[1]] == [d.id for d in test]
    other = held_out_split(docs, 0.25, seed=4)
    assert {d.id for d in other[1]} != {d.id for d in test}


def test_a_small_project_still_holds_one_document_out_and_trains_on_one():
    assert [len(part) for part in held_out_split(examples(2), 0.2, 0)] == [1, 1]
    assert [len(part) for part in held_out_split(examples(3), 0.9, 0)] == [1, 2]
    assert [len(part) for part in held_out_split(examples(5), 0.0, 0)] == [5, 0]


def test_held_out_share_must_be_below_one():
    with pytest.raises(ValueError, match=r"held-out share must be in \[0, 1\)"):
        held_out_split(examples(3), 1.0, 0)


def test_scores_count_exact_matches_per_label():
    gold = [[(0, 4, "hedge"), (5, 9, "denial")], [(0, 3, "hedge")]]
    predicted = [
        [(0, 4, "hedge"), (5, 8, "denial")],
        [(0, 3, "hedge"), (4, 6, "hedge")],
    ]
    scores = score_spans(gold, predicted, ["hedge", "denial", "claim"])
    hedge = scores["hedge"]
    assert (hedge.gold, hedge.predicted, hedge.correct) == (2, 3, 2)
    assert hedge.precision == pytest.approx(2 / 3)
    assert hedge.recall == 1.0
    assert hedge.f1 == pytest.approx(0.8)
    assert scores["denial"].to_dict()["f1"] == 0.0
    assert scores["claim"].to_dict() == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "gold": 0,
        "predicted": 0,
        "correct": 0,
    }
    # 2 correct of 4 predicted and 3 gold
    assert micro_f1(scores) == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
