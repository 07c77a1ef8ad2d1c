"""The examples a suggester learns from: a project's gold layer (or its
majority layer), read exactly as the exports read it
(:mod:`annotator.services.exports`): the gold layer holds the adjudicated
documents only, with every span a reviewer decided, in code points, end
exclusive. An adjudicated document without spans is an example too: it
teaches the model what not to propose."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from annotator.core.suggestions.evaluation import GoldExample
from annotator.models import Project
from annotator.services.errors import ServiceError
from annotator.services.exports.reading import require_gold
from annotator.services.exports.records import Tally, export_documents
from annotator.services.exports.settings import ExportSettings, make_plan
from annotator.services.exports.writing import begin_snapshot

#: The layers a model can learn from: one record per document. (The
#: annotators layer holds one per annotator, disagreeing with each other.)
TRAINING_LAYERS = ("gold", "majority")


class _UserKeys(dict[int, str]):
    """The export names the majority vote groups annotators by: their ids
    (no pseudonym is needed, none is written)."""

    def __missing__(self, user_id: int) -> str:
        return str(user_id)


@dataclass(frozen=True, slots=True)
class TrainingData:
    """The layer's documents as examples, and the project's labels."""

    layer: str
    labels: tuple[str, ...]
    examples: list[GoldExample]

    @property
    def span_count(self) -> int:
        return sum(len(example.spans) for example in self.examples)


def training_examples(
    session: Session, project: Project, layer: str = "gold"
) -> TrainingData:
    """Every document of ``layer`` with its spans, from one snapshot, in
    document id order; ServiceError for an unknown layer or no gold yet."""
    if layer not in TRAINING_LAYERS:
        raise ServiceError(f"layer {layer!r}: one of {', '.join(TRAINING_LAYERS)}")
    try:
        begin_snapshot(session)
        session.refresh(project)
        plan = make_plan(project, ExportSettings(layer=layer))
        require_gold(session, project, plan.settings)
        records = export_documents(
            session, project, plan, _UserKeys(), Tally(), None, 0
        )
        examples = [
            GoldExample(
                record.id,
                record.text,
                tuple((span.start, span.end, span.label) for span in record.spans),
            )
            for record in records
        ]
    finally:
        session.rollback()
    return TrainingData(layer, plan.options.labels, examples)
