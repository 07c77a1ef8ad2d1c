"""One document of the team view: its status and its spans layer by layer,
each submitted annotator's and the gold layer, one of them cut into marked
pieces for the page (:mod:`annotator.core.marks`).

Annotators are named A, B, C as on the review page (the same letters for the
same people: submitted annotators by username, then those who have not
submitted) unless names are asked for. Only submitted work and the gold
layer are shown (:mod:`annotator.services.submitted`); an assignment still
open or skipped is listed without spans. Offsets are code points, end
exclusive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from annotator.core.adjudication import alias
from annotator.core.marks import Paragraph, paragraphs
from annotator.core.progress import Progress
from annotator.core.spans import FieldError
from annotator.models import AdjudicationStatus, AssignmentStatus, Document, Project
from annotator.services import review, submitted
from annotator.services.progress import ASSIGNMENT_TEXT, InvalidFilter

GOLD = "gold"


@dataclass(frozen=True, slots=True)
class LayerSpan:
    start: int
    end: int
    label: str
    words: str  # the text it covers
    source: str  # its "source" attribute, "" when none
    note: str


@dataclass(frozen=True, slots=True)
class Layer:
    """``key`` is ``gold`` or the annotator's letter (also when names are
    shown); ``name`` is what the page calls it."""

    key: str
    name: str
    state: str
    spans: tuple[LayerSpan, ...] = ()
    readable: bool = True  # False: not submitted, no spans shown

    def label_counts(self) -> Counter[str]:
        return Counter(span.label for span in self.spans)


@dataclass(frozen=True, slots=True)
class DocumentLayers:
    document: Document
    progress: Progress
    reviewable: bool
    layers: list[Layer]
    chosen: Layer | None  # the layer drawn; None when no layer has spans
    paragraphs: list[Paragraph]  # the text, marked with ``chosen``'s spans


def _span(
    document: Document,
    start: int,
    end: int,
    label: str,
    attributes: dict[str, str],
    note: str,
) -> LayerSpan:
    source = attributes.get("source", "")
    return LayerSpan(start, end, label, document.text[start:end], source, note)


def _annotator_layers(
    session: Session, document: Document, show_names: bool
) -> tuple[list[Layer], submitted.DocumentWork]:
    work = submitted.document_work(session, document)
    spans = review.submitted_work(session, document).spans
    layers = []
    for index, (uid, name) in enumerate(work.submitted):
        mine = tuple(
            _span(document, s.start, s.end, s.label, dict(s.attributes), s.note)
            for s in spans
            if s.annotator_id == uid
        )
        key = alias(index)
        layers.append(Layer(key, name if show_names else key, "submitted", mine))
    first = len(layers)
    for index, (_, name, status) in enumerate(
        sorted(work.unsubmitted, key=lambda u: u[1])
    ):
        key = alias(first + index)
        state = ASSIGNMENT_TEXT[AssignmentStatus(status)]
        layers.append(Layer(key, name if show_names else key, state, readable=False))
    return layers, work


def _gold_layer(session: Session, document: Document) -> tuple[Layer | None, bool]:
    """The gold layer (None before any decision and gold span) and whether
    the document is adjudicated."""
    adjudication = review.adjudication_of(session, document)
    gold = review.gold_spans(session, document)
    begun = adjudication is not None and adjudication.version > 0
    done = (
        adjudication is not None
        and adjudication.status == AdjudicationStatus.ADJUDICATED
    )
    if not gold and not begun:
        return None, done
    spans = tuple(
        _span(document, g.start, g.end, g.label.name, g.attributes, g.note)
        for g in gold
    )
    return Layer(GOLD, "Gold", "adjudicated" if done else "in review", spans), done


def document_layers(
    session: Session,
    project: Project,
    document: Document,
    *,
    show_names: bool = False,
    layer: str | None = None,
) -> DocumentLayers:
    """The document's status and layers, and the text marked with ``layer``
    (a layer's key; by default gold when there is a gold layer, else the first
    submitted annotator's). :class:`InvalidFilter` for an unknown or
    unsubmitted layer."""
    layers, work = _annotator_layers(session, document, show_names)
    gold, adjudicated = _gold_layer(session, document)
    if gold is not None:
        layers.insert(0, gold)
    progress = Progress(
        needed=project.annotators_per_document,
        submitted=len(work.submitted),
        open=work.n_open,
        review_begun=work.review_begun,
        adjudicated=adjudicated,
    )
    chosen = _choose(layers, layer)
    marked = paragraphs(
        document.text, [(s.start, s.end) for s in chosen.spans] if chosen else []
    )
    reviewable = work.is_reviewable(project.annotators_per_document)
    return DocumentLayers(document, progress, reviewable, layers, chosen, marked)


def _choose(layers: list[Layer], key: str | None) -> Layer | None:
    readable = [found for found in layers if found.readable]
    if key is None:
        return readable[0] if readable else None
    chosen = next((found for found in readable if found.key == key), None)
    if chosen is None:
        keys = ", ".join(found.key for found in readable) or "none yet"
        message = f"no layer {key!r} with spans to show (layers: {keys})"
        raise InvalidFilter(FieldError("layer", message))
    return chosen
