"""One document of the team view: its layers, named as on the review page,
submitted work and gold only, and its text marked with the chosen layer."""

import pytest

from annotator.extensions import db
from annotator.services import layers, review
from annotator.services.adjudication import DECISIONS
from tests.services.test_progress import (
    CLAIM,
    DENIAL,
    TEXT,
    add_documents,
    close,
    doc,
    take,
)

HEDGE = (15, 36, "hedge")


def marked(found):
    """(text, label) of every marked piece, outermost label only."""
    return [
        (piece.text, found.chosen.spans[piece.marks[0].span].label)
        for paragraph in found.paragraphs
        for piece in paragraph.pieces
        if piece.marks
    ]


@pytest.fixture
def pair(project):
    add_documents(
        project,
        annotated={"pair": {"zed": [CLAIM, DENIAL], "amy": [CLAIM]}},
    )
    return doc("pair")


def test_annotators_are_lettered_as_on_the_review_page(project, pair):
    found = layers.document_layers(db.session, project, pair)
    state = review.document_review(db.session, project, pair)
    assert [layer.key for layer in found.layers] == [
        a["key"] for a in state["annotators"]
    ]
    assert [(layer.name, len(layer.spans)) for layer in found.layers] == [
        ("A", 1),
        ("B", 2),
    ]
    by_letter = {span["annotator"] for span in state["spans"] if span["start"] == 46}
    assert by_letter == {"B"}
    assert found.chosen.key == "A"  # no gold layer: the first annotator's
    named = layers.document_layers(db.session, project, pair, show_names=True)
    assert [(layer.key, layer.name) for layer in named.layers] == [
        ("A", "amy"),
        ("B", "zed"),
    ]


def test_the_text_is_marked_with_the_chosen_layer(project, pair):
    found = layers.document_layers(db.session, project, pair, layer="B")
    assert marked(found) == [
        ("Officials said", "claim"),
        ("other side denied it all", "denial"),
    ]
    assert [span.words for span in found.chosen.spans] == [
        "Officials said",
        "other side denied it all",
    ]
    text = "".join(p.text for para in found.paragraphs for p in para.pieces)
    assert text == TEXT


def test_gold_comes_first_and_is_drawn_by_default_once_review_began(
    project, pair, users
):
    DECISIONS["add"](
        db.session,
        project,
        pair,
        users["reviewer"],
        {"version": 0, "start": 15, "end": 36, "label": "hedge"},
    )
    found = layers.document_layers(db.session, project, pair)
    assert [(layer.key, layer.state) for layer in found.layers] == [
        ("gold", "in review"),
        ("A", "submitted"),
        ("B", "submitted"),
    ]
    assert found.chosen.key == "gold"
    assert marked(found) == [("the strike was staged", "hedge")]
    assert found.progress.text == "in review"


def test_work_not_submitted_is_listed_without_spans(project, users):
    annotator, admin = users["annotator"], users["padmin"]
    add_documents(project, "d1")
    document = take(project, annotator, "d1")
    take(project, admin, "d1")
    close(project, document, admin, "skipped")
    found = layers.document_layers(db.session, project, document, show_names=True)
    assert [(x.name, x.state, x.readable, x.spans) for x in found.layers] == [
        ("annotator", "in progress", False, ()),
        ("padmin", "skipped", False, ()),
    ]
    assert found.chosen is None
    assert [p.pieces[0].marks for p in found.paragraphs] == [()]
    assert found.progress.text == "waiting"
    close(project, document, annotator, "submitted", spans=[HEDGE])
    found = layers.document_layers(db.session, project, document)
    assert [(x.key, x.state) for x in found.layers] == [
        ("A", "submitted"),
        ("B", "skipped"),
    ]


@pytest.mark.parametrize("key", ["Z", "gold", "a"])
def test_a_layer_without_spans_to_show_is_refused(project, pair, key):
    with pytest.raises(layers.InvalidFilter) as refused:
        layers.document_layers(db.session, project, pair, layer=key)
    assert refused.value.field == "layer"
