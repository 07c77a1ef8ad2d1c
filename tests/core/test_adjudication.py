"""Adjudication rules on aligned groups: majority pre-fill, spans everyone
agreed on, decided passages, aliases and quality against gold."""

import pytest

from annotator.core.adjudication import (
    REASON_NEITHER,
    REASON_NO_GOLD,
    REASON_NO_OWN_SPANS,
    REASON_ONLY_UNDECIDED,
    AnnotatorLink,
    DocumentPair,
    GoldEnd,
    GoldMark,
    Proposal,
    agreed_by_all,
    alias,
    carried_links,
    decided_flags,
    document_pair,
    is_decided,
    links_not_in_gold,
    majority_proposals,
    majority_threshold,
    quality,
    quality_by_label,
    undecided_groups,
)
from annotator.core.agreement import span_f1
from annotator.core.diff import GroupKind, align

THREE = {
    "ann": [(0, 5, "claim"), (10, 15, "hedge"), (20, 30, "denial")],
    "bob": [(0, 5, "claim"), (10, 15, "hedge"), (21, 30, "denial")],
    "cat": [(0, 5, "claim"), (10, 15, "claim")],
}


def test_majority_needs_more_than_half():
    assert [majority_threshold(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def test_majority_prefill_takes_spans_two_of_three_drew():
    groups = align(THREE)
    found = majority_proposals(groups, 3)
    assert found == [
        Proposal(0, 5, "claim", ("ann", "bob", "cat")),
        Proposal(10, 15, "hedge", ("ann", "bob")),
    ]


def test_a_lower_threshold_proposes_every_span_drawn_that_often():
    found = majority_proposals(align(THREE), 3, min_annotators=1)
    assert [p.triple for p in found] == [
        (0, 5, "claim"),
        (10, 15, "claim"),
        (10, 15, "hedge"),
        (20, 30, "denial"),
        (21, 30, "denial"),
    ]


def test_agreed_by_all_keeps_only_spans_everybody_drew():
    groups = align(THREE)
    assert [p.triple for p in agreed_by_all(groups, 3)] == [(0, 5, "claim")]
    kinds = [group.kind for group in groups]
    assert kinds == [GroupKind.SAME, GroupKind.LABEL, GroupKind.PARTIAL]


def test_agreed_by_all_counts_annotators_who_marked_nothing():
    groups = align({"ann": [(0, 5, "claim")], "bob": [(0, 5, "claim")]}, ["cat"])
    assert agreed_by_all(groups, 3) == []
    assert [p.triple for p in majority_proposals(groups, 3)] == [(0, 5, "claim")]


def test_a_group_is_decided_by_gold_made_from_it_or_rejecting_all_of_it():
    label_group = align(THREE)[1]  # hedge 10-15 (ann, bob), claim 10-15 (cat)
    assert not is_decided(label_group, [], set())
    made_from_it = GoldMark(10, 14, "rumour", frozenset({(10, 15, "claim")}))
    assert is_decided(label_group, [made_from_it], set())
    assert not is_decided(label_group, [], {(10, 15, "hedge")})
    assert is_decided(label_group, [], {(10, 15, "hedge"), (10, 15, "claim")})


def test_a_span_added_by_hand_decides_the_groups_it_overlaps_with_their_label():
    label_group = align(THREE)[1]
    assert is_decided(label_group, [GoldMark(12, 13, "claim")], set())
    assert is_decided(label_group, [GoldMark(0, 11, "hedge")], set())
    assert not is_decided(label_group, [GoldMark(15, 20, "claim")], set())
    assert not is_decided(label_group, [GoldMark(12, 13, "denial")], set())


def test_a_claim_taken_into_gold_leaves_the_hedge_nested_in_it_undecided():
    nested = {
        "ann": [(0, 30, "claim"), (5, 12, "hedge")],
        "bob": [(0, 30, "claim")],
    }
    claim, hedge = align(nested)
    taken = GoldMark(0, 30, "claim", frozenset({(0, 30, "claim")}))
    assert is_decided(claim, [taken], set())
    assert not is_decided(hedge, [taken], set())
    assert undecided_groups([claim, hedge], [taken], set()) == [hedge]
    hedge_taken = GoldMark(5, 12, "hedge", frozenset({(5, 12, "hedge")}))
    assert undecided_groups([claim, hedge], [taken, hedge_taken], set()) == []
    assert undecided_groups([claim, hedge], [taken], {(5, 12, "hedge")}) == []


def test_aliases_run_like_spreadsheet_columns():
    assert [alias(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


def test_quality_over_documents_equals_span_f1_on_all_spans_at_once():
    documents = [
        DocumentPair(10, [(0, 5, "claim")], [(0, 5, "claim"), (6, 9, "hedge")]),
        DocumentPair(8, [(2, 6, "hedge")], []),
    ]
    found = quality(documents)
    assert (found.precision, found.recall) == (0.5, 0.5)
    assert found.f1 == pytest.approx(0.5)
    assert (found.n_gold, found.n_annotator) == (2, 2)


def test_spans_of_different_documents_never_match():
    documents = [
        DocumentPair(10, [(0, 5, "claim")], []),
        DocumentPair(10, [], [(0, 5, "claim")]),
    ]
    assert quality(documents).f1 == 0.0


def test_partial_quality_is_span_f1s_partial_mode():
    gold, mine = [(0, 10, "claim")], [(0, 5, "claim")]
    expected = span_f1(gold, mine, "partial")
    found = quality([DocumentPair(10, gold, mine)], mode="partial")
    assert (found.precision, found.recall) == (expected.precision, expected.recall)
    assert (found.precision, found.recall) == (1.0, 0.5)


def test_quality_by_label_and_undefined_labels():
    documents = [
        DocumentPair(20, [(0, 5, "claim"), (6, 9, "hedge")], [(0, 5, "claim")])
    ]
    found = quality_by_label(documents, ["claim", "hedge", "denial"])
    assert found["claim"].f1 == 1.0
    assert (found["hedge"].precision, found["hedge"].recall) == (None, 0.0)
    assert found["hedge"].precision_reason == REASON_NO_OWN_SPANS
    assert found["denial"].f1 is None
    assert found["denial"].f1_reason == REASON_NEITHER
    assert found[None].recall == 0.5


def test_spans_where_gold_has_none_have_a_precision_but_no_recall():
    found = quality([DocumentPair(10, [], [(0, 5, "claim"), (6, 9, "claim")])])
    assert (found.precision, found.recall, found.f1) == (0.0, None, None)
    assert (found.recall_reason, found.f1_reason) == (REASON_NO_GOLD, REASON_NO_GOLD)
    assert found.precision_reason is None


def test_spans_in_undecided_groups_are_set_apart_per_label():
    spans = {"ann": [(0, 5, "claim"), (10, 15, "hedge")], "bob": [(0, 5, "claim")]}
    groups = align(spans)
    gold = [(0, 5, "claim")]
    marks = [GoldMark(0, 5, "claim", frozenset(gold))]
    undecided = undecided_groups(groups, marks, set())
    assert [(g.start, g.end) for g in undecided] == [(10, 15)]
    pair = document_pair(20, gold, spans["ann"], undecided, "ann")
    assert (list(pair.annotator), list(pair.undecided)) == (
        [(0, 5, "claim")],
        [(10, 15, "hedge")],
    )
    found = quality_by_label([pair], ["claim", "hedge"])
    assert (found[None].precision, found[None].n_undecided) == (1.0, 1)
    assert (found["hedge"].n_annotator, found["hedge"].n_undecided) == (0, 1)
    assert found["hedge"].f1_reason == REASON_NO_GOLD
    assert found["hedge"].precision_reason == REASON_ONLY_UNDECIDED
    assert found["claim"].n_undecided == 0


# ------------------------------------------------------------------ links


# ann drew claim 1 and denial 2 linked; bob claim 3 and denial 4 linked.
LINKS = [
    AnnotatorLink(10, "ann", 2, 1, "denies"),
    AnnotatorLink(11, "bob", 4, 3, "denies"),
]
CLAIM = GoldEnd(100, "claim", frozenset({1, 3}))
DENIAL = GoldEnd(200, "denial", frozenset({2, 4}))


def test_links_drawn_alike_become_one_gold_link():
    assert carried_links(LINKS, [CLAIM, DENIAL], set(), {200}) == [(200, 100, "denies")]


def test_one_annotator_drawing_a_link_is_enough():
    denial = GoldEnd(200, "denial", frozenset({2}))
    assert carried_links(LINKS[:1], [CLAIM, denial], set(), {100}) == [
        (200, 100, "denies")
    ]


def test_a_link_is_carried_only_by_a_decision_that_made_one_of_its_ends():
    assert carried_links(LINKS, [CLAIM, DENIAL], set(), {300}) == []


def test_an_existing_gold_link_is_not_carried_again():
    existing = {(200, 100, "denies")}
    assert carried_links(LINKS, [CLAIM, DENIAL], existing, {200}) == []


def test_a_link_with_an_end_outside_gold_waits():
    assert carried_links(LINKS, [CLAIM], set(), {100}) == []
    assert links_not_in_gold(LINKS, [CLAIM]) == LINKS
    assert links_not_in_gold(LINKS, [CLAIM, DENIAL]) == []
    only_ann = GoldEnd(200, "denial", frozenset({2}))
    assert links_not_in_gold(LINKS, [CLAIM, only_ann]) == [LINKS[1]]


def test_carried_links_obey_the_link_rules():
    hedge = GoldEnd(200, "hedge", frozenset({2, 4}))
    assert carried_links(LINKS, [CLAIM, hedge], set(), {200}) == []
    merged = GoldEnd(100, "claim", frozenset({1, 2, 3, 4}))  # both ends in one
    assert carried_links(LINKS, [merged], set(), {100}) == []


def test_a_span_behind_two_gold_spans_links_each():
    second = GoldEnd(300, "denial", frozenset({2}))
    assert carried_links(LINKS, [CLAIM, DENIAL, second], set(), {300}) == [
        (300, 100, "denies")
    ]


def test_decided_flags_agree_with_is_decided_on_random_documents():
    """The bisected check (long documents) answers as the plain rule does:
    hand-added gold by overlap and label, gold made from spans by source."""
    import random

    LABELS = ("claim", "hedge")
    chooser = random.Random(3)
    for _ in range(40):
        spans = {
            name: [
                (
                    start,
                    start + chooser.randint(1, 12),
                    chooser.choice(LABELS),
                )
                for start in chooser.sample(range(0, 200, 3), 12)
            ]
            for name in ("a", "b")
        }
        groups = align(spans)
        drawn = spans["a"] + spans["b"]
        gold = [
            GoldMark(start, start + chooser.randint(1, 20), chooser.choice(LABELS))
            for start in chooser.sample(range(200), chooser.randint(0, 8))
        ] + [
            GoldMark(*chooser.choice(drawn), frozenset([chooser.choice(drawn)]))
            for _ in range(chooser.randint(0, 3))
        ]
        rejected = {t for t in spans["a"] if chooser.random() < 0.5} | set(spans["b"])
        expected = [is_decided(g, gold, rejected) for g in groups]
        assert decided_flags(groups, gold, rejected) == expected
        assert undecided_groups(groups, gold, rejected) == [
            g for g, flag in zip(groups, expected, strict=True) if not flag
        ]
