"""How another tool counted: ``auto`` decides per document, with evidence."""

from __future__ import annotations

import pytest

from annotator.core.importing.offsets import Edges, decide, to_code_point
from annotator.core.offsets import OffsetIndex

TEXT = (
    "Vaccines 💉 work.\r\nThey don't 👩‍👩‍👧 hide chips; the cafe\u0301 owner denies it."
)


def edges(text: str, *parts: str, units: str = "codepoints", copy: bool = False):
    index = OffsetIndex(text)
    found = []
    for part in parts:
        start = text.index(part)
        end = start + len(part)
        if units == "utf16":
            start, end = index.to_utf16(start), index.to_utf16(end)
        found.append(Edges(start, end, part if copy else None))
    return found


def test_text_without_astral_characters_needs_no_decision():
    decision = decide("café owner denies it", [Edges(0, 4), Edges(11, 17)])
    assert decision.same
    assert decision.units == "codepoints"


def test_spans_before_the_first_astral_character_need_no_decision():
    decision = decide(TEXT, edges(TEXT, "Vaccines"))
    assert decision.same


def test_utf16_offsets_are_recognised_by_split_characters():
    # As code points, 'hide chips' in UTF-16 units starts inside the ZWJ family.
    decision = decide(TEXT, edges(TEXT, "Vaccines 💉 work.", "hide", units="utf16"))
    assert decision.units == "utf16"
    assert "would split a character as code points" in decision.evidence


def test_code_points_are_recognised_when_utf16_would_split_a_pair():
    text = "a 💉💉 b"
    # 3 as UTF-16 is inside the first syringe's surrogate pair.
    decision = decide(text, [Edges(2, 3), Edges(5, 6)])
    assert decision.units == "codepoints"
    assert "as UTF-16" in decision.evidence


def test_the_tools_copy_of_the_text_outweighs_everything():
    decision = decide(TEXT, edges(TEXT, "hide chips", "owner", copy=True))
    assert decision.units == "codepoints"
    assert "span texts match" in decision.evidence
    shifted = decide(TEXT, edges(TEXT, "hide chips", "owner", units="utf16", copy=True))
    assert shifted.units == "utf16"


def test_word_edges_decide_when_no_edge_splits_a_character():
    text = "Wow 💉 claims here and more words there"
    # A span on whole words under UTF-16; as code points it is shifted by one.
    start = text.index("claims")
    found = [Edges(start + 1, start + 7)]  # UTF-16 units
    decision = decide(text, found)
    assert decision.units == "utf16"
    assert "only word edges tell the readings apart, a weak sign" in (decision.evidence)
    assert decision.weak


def test_no_evidence_reads_code_points_and_says_so():
    text = "💉 ab cd"
    # As code points 3-4 is "b", as UTF-16 "a": one word edge each.
    decision = decide(text, [Edges(3, 4)])
    assert decision.units == "codepoints"
    assert not decision.same
    assert decision.weak
    assert decision.evidence == (
        "nothing tells the readings apart: read as code points, check the spans"
    )


def test_an_all_ascii_text_says_both_readings_are_the_same():
    decision = decide("Plain ASCII text.", [Edges(0, 5)])
    assert decision.same
    assert "both readings are the same offsets" in decision.evidence


def test_to_code_point_refuses_offsets_outside_or_inside_a_pair():
    index = OffsetIndex("a💉b")
    assert to_code_point(index, 3, "utf16") == 2
    assert to_code_point(index, 3, "codepoints") == 3
    with pytest.raises(ValueError, match="surrogate pair"):
        to_code_point(index, 2, "utf16")
    with pytest.raises(ValueError, match="outside"):
        to_code_point(index, 4, "codepoints")
