"""Aligning annotators' spans into groups, and cutting text into segments."""

from annotator.core.diff import GroupKind, Segment, align, segments


def kinds(groups):
    return [(g.start, g.end, g.kind) for g in groups]


def test_identical_spans_are_one_group_of_agreement():
    groups = align({"a": [(0, 5, "claim")], "b": [(0, 5, "claim")]})
    assert kinds(groups) == [(0, 5, GroupKind.SAME)]
    assert not groups[0].is_disagreement
    assert groups[0].spans == {"a": ((0, 5, "claim"),), "b": ((0, 5, "claim"),)}


def test_same_boundaries_with_another_label_is_a_label_disagreement():
    groups = align({"a": [(0, 5, "claim")], "b": [(0, 5, "denial")]})
    assert kinds(groups) == [(0, 5, GroupKind.LABEL)]
    assert groups[0].labels_differ


def test_overlapping_spans_of_one_label_differ_in_boundaries():
    groups = align({"a": [(2, 8, "hedge")], "b": [(0, 5, "hedge")]})
    assert kinds(groups) == [(0, 8, GroupKind.BOUNDARY)]
    assert not groups[0].labels_differ


def test_a_span_nobody_else_drew_is_marked_by_only_some():
    groups = align({"a": [(0, 5, "claim"), (10, 12, "hedge")], "b": [(0, 5, "claim")]})
    assert kinds(groups) == [(0, 5, GroupKind.SAME), (10, 12, GroupKind.PARTIAL)]
    assert groups[1].spans == {"a": ((10, 12, "hedge"),)}


def test_an_annotator_who_marked_nothing_still_counts():
    groups = align({"a": [(0, 5, "claim")]}, annotators=["a", "b"])
    assert kinds(groups) == [(0, 5, GroupKind.PARTIAL)]
    alone = align({"a": [(0, 5, "claim")]})
    assert kinds(alone) == [(0, 5, GroupKind.SAME)]  # nobody to differ from


def test_nested_spans_stay_their_own_groups():
    # a hedge inside a claim: both drew the claim, only a drew the hedge
    groups = align({"a": [(0, 20, "claim"), (3, 6, "hedge")], "b": [(0, 20, "claim")]})
    assert kinds(groups) == [(0, 20, GroupKind.SAME), (3, 6, GroupKind.PARTIAL)]


def test_lonely_spans_of_different_labels_that_overlap_are_compared():
    groups = align({"a": [(0, 10, "claim")], "b": [(2, 8, "hedge")]})
    assert kinds(groups) == [(0, 10, GroupKind.BOUNDARY)]
    assert groups[0].labels_differ


def test_touching_spans_do_not_overlap():
    groups = align({"a": [(0, 5, "claim")], "b": [(5, 9, "claim")]})
    assert kinds(groups) == [(0, 5, GroupKind.PARTIAL), (5, 9, GroupKind.PARTIAL)]


def test_one_long_span_against_two_short_ones_is_one_boundary_group():
    groups = align({"a": [(0, 20, "claim")], "b": [(0, 8, "claim"), (10, 20, "claim")]})
    assert kinds(groups) == [(0, 20, GroupKind.BOUNDARY)]
    assert groups[0].spans["b"] == ((0, 8, "claim"), (10, 20, "claim"))


def test_three_annotators_and_spans_drawn_twice():
    groups = align(
        {
            "a": [(0, 5, "claim"), (0, 5, "claim")],
            "b": [(0, 5, "claim")],
            "c": [(0, 5, "claim")],
        }
    )
    assert kinds(groups) == [(0, 5, GroupKind.SAME)]
    assert list(groups[0].spans) == ["a", "b", "c"]
    two_of_three = align(
        {"a": [(0, 5, "claim")], "b": [(0, 5, "claim")], "c": []},
    )
    assert kinds(two_of_three) == [(0, 5, GroupKind.PARTIAL)]


def test_no_spans_no_groups():
    assert align({"a": [], "b": []}) == []


def test_segments_cover_the_whole_text_once():
    cut = segments(30, [(0, 10, "claim"), (2, 5, "hedge"), (20, 30, "denial")])
    assert cut == [
        Segment(0, 2, ("claim",)),
        Segment(2, 5, ("claim", "hedge")),
        Segment(5, 10, ("claim",)),
        Segment(10, 20, ()),
        Segment(20, 30, ("denial",)),
    ]


def test_segments_of_a_text_without_spans_and_of_an_empty_text():
    assert segments(5, []) == [Segment(0, 5, ())]
    assert segments(0, []) == []


def test_segments_list_the_outer_label_first_and_each_label_once():
    cut = segments(10, [(4, 6, "hedge"), (0, 10, "claim"), (4, 8, "claim")])
    assert cut[1] == Segment(4, 6, ("claim", "hedge"))
    assert [s.end - s.start for s in cut] == [4, 2, 2, 2]
