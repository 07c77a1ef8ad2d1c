"""Text cut into marked pieces for the team view's document page: exactly the
text, in order, with stacked lanes like the annotation page."""

from annotator.core.marks import MAX_LANE, paragraph_starts, paragraphs


def flat(found):
    return [
        (piece.text, [(mark.span, mark.lane) for mark in piece.marks])
        for paragraph in found
        for piece in paragraph.pieces
    ]


def test_pieces_hold_exactly_the_text_in_order():
    text = "👍🏽 Moscow denied it.\r\nKyiv blamed 👨‍👩‍👧 saboteurs.\n"
    spans = [(3, 9), (0, 2), (10, 16), (5, 30)]
    found = paragraphs(text, spans)
    assert "".join(piece.text for p in found for piece in p.pieces) == text
    assert len(found) == 2


def test_offsets_are_code_points():
    text = "👨‍👩‍👧 denied"
    found = flat(paragraphs(text, [(6, 12)]))
    assert found == [("👨‍👩‍👧 ", []), ("denied", [(0, 0)])]


def test_nested_and_overlapping_spans_take_separate_lanes():
    text = "Hello world again"
    found = flat(paragraphs(text, [(0, 11), (0, 5), (6, 17)]))
    assert found == [
        ("Hello", [(0, 0), (1, 1)]),
        (" ", [(0, 0)]),
        ("world", [(0, 0), (2, 1)]),
        (" again", [(2, 1)]),
    ]
    assert paragraphs(text, [(0, 11), (0, 5), (6, 17)])[0].depth == 2


def test_lanes_restart_in_each_paragraph_and_spans_cross_them():
    text = "one two\nthree four"
    found = paragraphs(text, [(0, 3), (4, 13)])
    assert flat(found) == [
        ("one", [(0, 0)]),
        (" ", []),
        ("two\n", [(1, 0)]),
        ("three", [(1, 0)]),
        (" four", []),
    ]
    assert [p.depth for p in found] == [1, 1]


def test_deep_stacks_share_the_last_lane_and_bad_spans_are_clipped():
    text = "x" * 20
    spans = [(0, 20 - i) for i in range(MAX_LANE + 3)] + [(15, 40), (-5, 1), (7, 7)]
    found = paragraphs(text, spans)
    lanes = {mark.lane for piece in found[0].pieces for mark in piece.marks}
    assert max(lanes) == MAX_LANE
    assert found[0].depth == MAX_LANE + 1
    assert "".join(piece.text for piece in found[0].pieces) == text
    first, last = found[0].pieces[0], found[0].pieces[-1]
    assert (first.text, 11 in {m.span for m in first.marks}) == ("x", True)
    assert 10 in {mark.span for mark in last.marks}  # (15, 40) clipped to 20
    assert 12 not in {m.span for p in found[0].pieces for m in p.marks}


def test_paragraph_starts_after_each_line_feed_but_a_final_one():
    assert paragraph_starts("a\nb\n") == [0, 2]
    assert paragraph_starts("") == [0]
    assert paragraphs("", [(0, 1)])[0].pieces == ()
