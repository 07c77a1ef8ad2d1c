"""Each annotator's quality against the gold layer of adjudicated documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core import adjudication as rules
from annotator.models import Adjudication, AdjudicationStatus, Document, Project
from annotator.services.review.gold import decided_on
from annotator.services.review.work import submitted_work


@dataclass(frozen=True, slots=True)
class AnnotatorQuality:
    annotator: str
    n_documents: int
    by_label: Mapping[str | None, rules.Quality]  # None: all labels


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Every annotator's quality against gold, and what was left out: the
    groups adjudicated documents still had undecided (their spans are neither
    right nor wrong, so they are not counted)."""

    mode: rules.Mode
    labels: tuple[str, ...]
    annotators: tuple[AnnotatorQuality, ...]
    n_documents: int  # adjudicated documents
    #: Adjudicated documents with groups left undecided: (id, title, groups).
    undecided: tuple[tuple[int, str, int], ...]

    @property
    def n_undecided_groups(self) -> int:
        return sum(n for _, _, n in self.undecided)

    def to_dict(self) -> dict[str, Any]:
        """JSON values: each figure is ``{value, reason}`` (``value`` None
        exactly when ``reason`` says why it is undefined)."""
        return {
            "mode": self.mode,
            "labels": list(self.labels),
            "n_documents": self.n_documents,
            "undecided": [
                {"document_id": doc_id, "title": title, "n_groups": n}
                for doc_id, title, n in self.undecided
            ],
            "annotators": [
                {
                    "annotator": row.annotator,
                    "n_documents": row.n_documents,
                    "by_label": {
                        label or "all": _quality_json(found)
                        for label, found in row.by_label.items()
                    },
                }
                for row in self.annotators
            ],
        }


def _quality_json(found: rules.Quality) -> dict[str, Any]:
    def figure(value: float | None, reason: str | None) -> dict[str, Any]:
        return {"value": value, "reason": reason if value is None else None}

    return {
        "precision": figure(found.precision, found.precision_reason),
        "recall": figure(found.recall, found.recall_reason),
        "f1": figure(found.f1, found.f1_reason),
        "n_gold": found.n_gold,
        "n_annotator": found.n_annotator,
        "n_undecided": found.n_undecided,
    }


def _adjudicated(session: Session, project: Project) -> Sequence[Document]:
    return session.scalars(
        select(Document)
        .join(Adjudication, Adjudication.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            Adjudication.status == AdjudicationStatus.ADJUDICATED,
        )
        .order_by(Document.id)
    ).all()


def annotator_quality(
    session: Session, project: Project, mode: rules.Mode = "exact"
) -> QualityReport:
    """Each annotator's span precision, recall and F1 per label against the
    gold layer of the adjudicated documents they submitted (code points, end
    exclusive). Spans in groups the reviewer left undecided are not counted;
    undefined figures are None with a reason (:class:`rules.Quality`)."""
    pairs: dict[str, list[rules.DocumentPair]] = {}
    left: list[tuple[int, str, int]] = []
    documents = _adjudicated(session, project)
    for document in documents:
        work = submitted_work(session, document)
        decided = decided_on(session, document)
        gold = decided.gold_triples()
        undecided = rules.undecided_groups(
            work.groups(), decided.gold_marks(work), decided.rejected_triples(work)
        )
        if undecided:
            name = document.title or document.external_id
            left.append((document.id, name, len(undecided)))
        mine = work.by_annotator()
        for uid, name in work.annotators:
            pairs.setdefault(name, []).append(
                rules.document_pair(
                    document.text_length, gold, mine[uid], undecided, uid
                )
            )
    labels = tuple(label.name for label in project.labels)
    return QualityReport(
        mode=mode,
        labels=labels,
        annotators=tuple(
            AnnotatorQuality(
                name, len(found), rules.quality_by_label(found, labels, mode)
            )
            for name, found in sorted(pairs.items())
        ),
        n_documents=len(documents),
        undecided=tuple(left),
    )
