"""The codec of review audit rows (annotator.core.changes): every shape
stored today decodes, re-encodes to the current shape, and a row that does
not fit names the field."""

import copy
import json
from pathlib import Path

import pytest

from annotator.core.changes import Change, MalformedRow, decode, encode

ROWS = json.loads(
    (Path(__file__).parents[1] / "data" / "review_rows.json").read_text("utf-8")
)["rows"]


@pytest.mark.parametrize("row", ROWS, ids=[row["shape"] for row in ROWS])
def test_every_stored_shape_round_trips(row):
    change = decode(row["data"])
    assert isinstance(change, Change)
    again = decode(encode(change))
    assert again == change
    if row["exact"]:
        assert encode(change) == row["data"]
    else:
        assert encode(again) == encode(change)  # the current shape, stable


def by_shape(start):
    return next(row["data"] for row in ROWS if row["shape"].startswith(start))


def test_older_rows_decode_to_what_they_meant():
    before_links = decode(by_shape("older: a decision written before gold links"))
    assert (before_links.created_links, before_links.deleted_links) == ((), ())
    assert before_links.created[0].source_span_ids == {101, 201}
    assert set(encode(before_links)) >= {"created_links", "deleted_links"}
    status = decode(by_shape("older: adjudicate before")).status
    assert (status.after, status.after_known) == ("adjudicated", False)
    assert "after_adjudicated_by_id" not in encode(
        decode(by_shape("older: adjudicate"))
    )
    first = decode(by_shape("older: undo of the first format"))
    assert (first.held, first.undoes, first.action) == (False, 309, "accept")
    assert decode(by_shape("older: undo naming no target")).undoes is None


def test_the_inverse_swaps_everything_and_reverts_the_status():
    replaced = decode(by_shape("correct with replaces"))
    back = replaced.inverse()
    assert (back.created, back.deleted) == (replaced.deleted, replaced.created)
    assert back.created_links == replaced.deleted_links
    assert back.inverse() == replaced
    adjudicated = decode(by_shape("adjudicate: status")).status
    assert adjudicated.inverse().after == "open"
    assert adjudicated.inverse().adjudicated_by_id == 3


def test_a_source_span_that_is_gone_keeps_its_annotator():
    removed = decode(by_shape("remove:"))
    assert [s.span_id for s in removed.deleted[0].sources] == [None, 201]
    assert removed.deleted[0].source_span_ids == {201}
    assert removed.deleted[0].decided_by_id is None


def broken(start, path, value):
    data = copy.deepcopy(by_shape(start))
    target = data
    *parents, last = path
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("start", "path", "value", "field"),
    [
        ("accept: gold", ["created", 0, "start"], "0", "created[0].start"),
        ("accept: gold", ["created", 0, "end"], 0, "created[0].end"),
        ("accept: gold", ["created", 0, "label_id"], DELETE, "created[0].label_id"),
        (
            "accept: gold",
            ["created", 0, "decided_at"],
            "yesterday",
            "created[0].decided_at",
        ),
        (
            "accept: gold",
            ["created", 0, "attributes"],
            {"source": 5},
            "created[0].attributes.source",
        ),
        (
            "accept: gold",
            ["created", 0, "sources", 1, "annotator_id"],
            None,
            "created[0].sources[1].annotator_id",
        ),
        ("accept: gold", ["created", 0, "note"], None, "created[0].note"),
        ("accept: gold", ["created"], {"id": 1}, "created"),
        ("accept: gold", ["created_links", 0, "kind"], 3, "created_links[0].kind"),
        ("accept: gold", ["created_links", 0, "id"], True, "created_links[0].id"),
        ("accept: gold", ["document_id"], DELETE, "document_id"),
        ("reject", ["rejected", 1], "203", "rejected[1]"),
        ("reject", ["rejected", 0], -1, "rejected[0]"),
        ("adjudicate: status", ["status", "before"], DELETE, "status.before"),
        ("adjudicate: status", ["status"], "adjudicated", "status"),
        ("undo holding", ["undoes"], "311", "undoes"),
        ("undo holding", ["action"], ["remove"], "action"),
    ],
)
def test_a_malformed_row_names_the_field(start, path, value, field):
    with pytest.raises(MalformedRow) as error:
        decode(broken(start, path, value))
    assert error.value.field == field
    assert field in str(error.value)


def test_a_row_that_is_not_an_object_is_malformed():
    with pytest.raises(MalformedRow) as error:
        decode(["created"])
    assert error.value.field == "data"
    assert "row 17" in str(error.value.in_row(17))
