"""The dependency rule of undo and redo (annotator.core.decisions), on audit
rows written by hand."""

from annotator.core.changes import decode
from annotator.core.decisions import replay, row_of

CLAIM, DENIAL = 1, 2  # label ids


def span(gold_id, start, end, label=CLAIM, sources=(), was=None):
    stored = {
        "id": gold_id,
        "start": start,
        "end": end,
        "label_id": label,
        "attributes": {},
        "note": "",
        "decision": "accepted",
        "decided_by_id": 7,
        "decided_at": "2026-12-01T12:00:00",
        "sources": [{"span_id": s, "annotator_id": 7} for s in sources],
    }
    return {**stored, "was": was} if was is not None else stored


def link(link_id, source, target, kind="denies"):
    return {"id": link_id, "source_id": source, "target_id": target, "kind": kind}


def row_from_audit(row_id, action, data):
    """A row as the services read it: the stored data through the codec."""
    return row_of(row_id, action, decode({"document_id": 1, **data}))


def row(row_id, action="accept", **change):
    return row_from_audit(row_id, action, change)


def undo(row_id, target, **change):
    return row_from_audit(row_id, "undo", {"undoes": target, **change})


def redo(row_id, target, **change):
    return row_from_audit(row_id, "redo", {"redoes": target, **change})


def status(before, after):
    return {
        "before": before,
        "after": after,
        "adjudicated_by_id": None,
        "adjudicated_at": None,
    }


def test_decisions_on_different_spans_are_independent():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5, sources=[100])]),
            row(2, created=[span(11, 6, 9, sources=[101])]),
            row(3, "reject", rejected=[102]),
        ]
    )
    assert [ledger.blockers(i) for i in (1, 2, 3)] == [[], [], []]


def test_a_link_depends_on_the_decisions_that_made_its_ends():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5)]),
            row(2, created=[span(11, 6, 9, DENIAL)]),
            row(3, created=[span(12, 10, 14, DENIAL)]),
            row(4, "link", created_links=[link(50, 11, 10)]),
            row(5, "link", created_links=[link(51, 12, 10)]),
        ]
    )
    assert ledger.blockers(1) == [4, 5]
    assert ledger.blockers(2) == [4]
    assert ledger.blockers(4) == []  # two links to one claim: independent


def test_a_carried_link_depends_on_the_span_at_its_other_end():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5)]),
            row(2, created=[span(11, 6, 9, DENIAL)], created_links=[link(50, 11, 10)]),
        ]
    )
    assert ledger.blockers(1) == [2]


def test_removing_or_correcting_depends_on_the_decision_that_made_the_span():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5, sources=[100, 101])]),
            row(2, "correct", created=[span(11, 0, 4, sources=[100])]),
            row(3, "remove", deleted=[span(10, 0, 5, sources=[100, 101])]),
        ]
    )
    assert ledger.blockers(1) == [2, 3]
    assert ledger.blockers(2) == [3]  # both decided about annotator span 100


def test_removing_a_linked_span_depends_on_the_link():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5), span(11, 6, 9, DENIAL)]),
            row(2, "link", created_links=[link(50, 11, 10)]),
            row(
                3, "remove", deleted=[span(10, 0, 5)], deleted_links=[link(50, 11, 10)]
            ),
        ]
    )
    assert ledger.blockers(2) == [3]


def test_a_span_at_the_same_place_depends_on_the_removal_before_it():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5, sources=[100])]),
            row(2, "remove", deleted=[span(10, 0, 5, sources=[100])]),
            row(3, "add", created=[span(11, 0, 5)]),
        ]
    )
    assert ledger.blockers(2) == [3]


def test_rejections_and_acceptances_of_one_annotator_span_depend():
    ledger = replay(
        [
            row(1, "reject", rejected=[100]),
            row(2, created=[span(10, 0, 5, sources=[100])], unrejected=[100]),
        ]
    )
    assert ledger.blockers(1) == [2]


def test_status_changes_stand_between_what_comes_before_and_after():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5)]),
            row(2, "adjudicate", status=status("open", "adjudicated")),
            row(3, "reopen", status=status("adjudicated", "open")),
            row(4, "add", created=[span(11, 6, 9)]),
        ]
    )
    assert [ledger.blockers(i) for i in (1, 2, 3, 4)] == [[2, 3], [3, 4], [4], []]


def test_undone_decisions_stand_in_nobodys_way():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5), span(11, 6, 9, DENIAL)]),
            row(2, "link", created_links=[link(50, 11, 10)]),
            undo(3, 2, deleted_links=[link(50, 11, 10)]),
        ]
    )
    assert ledger.live() == [1]
    assert ledger.blockers(1) == []
    assert not ledger.is_live(3)


def test_redo_takes_the_most_recently_undone_and_checks_what_came_since():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5)]),
            row(2, created=[span(11, 6, 9)]),
            undo(3, 1, deleted=[span(10, 0, 5)]),
            undo(4, 2, deleted=[span(11, 6, 9)]),
            redo(5, 2, created=[span(11, 6, 9)]),
        ]
    )
    assert ledger.redo_candidate() == 1
    assert ledger.redo_blockers(1) == []
    blocked = replay([*ledger.rows.values(), row(6, "add", created=[span(12, 0, 5)])])
    assert blocked.redo_blockers(1) == [6]
    assert blocked.live() == [5, 6]


def test_a_redo_is_live_and_can_be_undone_and_redone_again():
    rows = [
        row(1, created=[span(10, 0, 5)]),
        undo(2, 1, deleted=[span(10, 0, 5)]),
        redo(3, 1, created=[span(10, 0, 5)]),
        undo(4, 3, deleted=[span(10, 0, 5)]),
    ]
    ledger = replay(rows)
    assert ledger.live() == []
    assert ledger.redo_candidate() == 3
    assert replay(rows[:3]).redo_candidate() is None
    assert replay(rows[:3]).span_ids == {(1, 10): 10}


def test_keys_follow_a_span_restored_under_a_new_id():
    """Id 10 is taken by another span when the first one comes back as 20:
    decisions about either are told apart."""
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5)]),
            undo(2, 1, deleted=[span(10, 0, 5)]),
            row(3, "add", created=[span(10, 6, 9, DENIAL)]),
            redo(4, 1, created=[span(20, 0, 5, was=10)]),
            row(5, "link", created_links=[link(50, 10, 20)]),
            row(
                6, "remove", deleted=[span(20, 0, 5)], deleted_links=[link(50, 10, 20)]
            ),
        ]
    )
    assert ledger.span_ids == {(3, 10): 10}
    assert ledger.blockers(3) == [5, 6]  # 6 removed a link to it
    assert ledger.blockers(4) == [5, 6]
    assert ledger.keyed[6].deleted == ((1, 10),)


def test_undo_rows_of_the_first_format_took_their_target_back_exactly():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5)]),
            row(2, created=[span(11, 6, 9)]),
            row_from_audit(3, "undo", {"undoes": 2, "action": "accept"}),
            row_from_audit(4, "undo", {"action": "accept"}),  # no target: the latest
        ]
    )
    assert ledger.live() == []
    assert ledger.span_ids == {}
    assert ledger.redo_candidate() == 1


def test_conflicts_are_symmetric():
    ledger = replay(
        [
            row(1, created=[span(10, 0, 5)]),
            row(2, "link", created_links=[link(50, 11, 10)]),
            row(3, "reject", rejected=[100]),
        ]
    )
    prints = ledger.footprints
    for a in prints.values():
        for b in prints.values():
            assert a.conflicts(b) == b.conflicts(a)


def test_redoing_a_run_of_undos_in_turn_is_allowed():
    """Undo link, correct, accept; redo accept and correct: the link's ends
    are back, and the redos since its undo are not decisions made since."""
    rows = [
        row(1, created=[span(10, 0, 5)]),
        row(2, created=[span(11, 6, 9, DENIAL)]),
        row(3, "link", created_links=[link(50, 11, 10)]),
        undo(4, 3, deleted_links=[link(50, 11, 10)]),
        undo(5, 2, deleted=[span(11, 6, 9, DENIAL)]),
        undo(6, 1, deleted=[span(10, 0, 5)]),
        redo(7, 1, created=[span(10, 0, 5)]),
        redo(8, 2, created=[span(11, 6, 9, DENIAL)]),
    ]
    ledger = replay(rows)
    assert ledger.redo_candidate() == 3
    assert ledger.redo_blockers(3) == []
    assert ledger.origin(8) == 2
    fresh = replay([*rows, row(9, "remove", deleted=[span(10, 0, 5)])])
    assert fresh.redo_blockers(3) == [9]
