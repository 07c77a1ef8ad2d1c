"""The agreement report's result types: plain frozen dataclasses with
``to_dict()`` giving the stable JSON (keys in :mod:`annotator.core.agreement.report`).

Offsets are code points, end exclusive. An ``Estimate``'s ``value`` is None
exactly when its ``reason`` says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from annotator.core.agreement.units import SpanLike
from annotator.core.diff import GroupKind

AnnotatorId: TypeAlias = str | int
DocumentId: TypeAlias = str | int
Unit = Literal["char", "token"]

SCHEMA_VERSION = 4
NONE_LABEL = "none"


def annotator_id(annotator: Any) -> AnnotatorId:
    """An annotator as the report names it (str or int, else TypeError)."""
    if isinstance(annotator, str | int):
        return annotator
    raise TypeError(f"annotator ids must be str or int, not {annotator!r}")


@dataclass(frozen=True, slots=True)
class DocumentAnnotations:
    """One document's spans per annotator; give ``text`` (needed for token
    units) or ``text_length`` (code points)."""

    document_id: DocumentId
    annotations: Mapping[AnnotatorId, Sequence[SpanLike]]
    text: str | None = None
    text_length: int | None = None

    def __post_init__(self) -> None:
        if self.text is None and self.text_length is None:
            raise ValueError(f"document {self.document_id!r}: give text or length")
        if self.text is not None and self.text_length not in (None, len(self.text)):
            raise ValueError(
                f"document {self.document_id!r}: text_length {self.text_length} "
                f"!= len(text) {len(self.text)}"
            )
        if self.text_length is not None and self.text_length < 0:
            raise ValueError(f"document {self.document_id!r}: negative length")

    @property
    def length(self) -> int:
        return len(self.text) if self.text is not None else int(self.text_length or 0)


@dataclass(frozen=True, slots=True)
class Estimate:
    """One figure; ``value`` is None exactly when ``reason`` says why."""

    value: float | None
    reason: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n_documents: int = 0
    n_units: int = 0
    n_annotators: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "reason": self.reason,
            "n_documents": self.n_documents,
            "n_units": self.n_units,
            "n_annotators": self.n_annotators,
        }


@dataclass(frozen=True, slots=True)
class ByLabel:
    overall: Estimate
    per_label: Mapping[str, Estimate]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
        }


@dataclass(frozen=True, slots=True)
class PairF1:
    annotators: tuple[AnnotatorId, AnnotatorId]
    n_documents: int
    f1_exact: Estimate
    f1_partial: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "n_documents": self.n_documents,
            "f1_exact": self.f1_exact.to_dict(),
            "f1_partial": self.f1_partial.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class UnitizingFigures:
    alpha_u: ByLabel
    f1_exact: ByLabel
    f1_partial: ByLabel
    pairs: tuple[PairF1, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha_u": self.alpha_u.to_dict(),
            "f1_exact": self.f1_exact.to_dict(),
            "f1_partial": self.f1_partial.to_dict(),
            "pairs": [pair.to_dict() for pair in self.pairs],
        }


@dataclass(frozen=True, slots=True)
class CodingScores:
    krippendorff_alpha: Estimate
    fleiss_kappa: Estimate
    percent_agreement: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "krippendorff_alpha": self.krippendorff_alpha.to_dict(),
            "fleiss_kappa": self.fleiss_kappa.to_dict(),
            "percent_agreement": self.percent_agreement.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class CodingSubsets:
    all_units: CodingScores
    tagged_units: CodingScores

    def to_dict(self) -> dict[str, Any]:
        return {
            "all_units": self.all_units.to_dict(),
            "tagged_units": self.tagged_units.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class LabelCoding:
    """One label as a present/absent layer: the scores over all units, and
    positive specific agreement over the units an annotator gave the label."""

    all_units: CodingScores
    positive_agreement: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "all_units": self.all_units.to_dict(),
            "positive_agreement": self.positive_agreement.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class PairKappa:
    annotators: tuple[AnnotatorId, AnnotatorId]
    all_units: Estimate
    tagged_units: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "all_units": self.all_units.to_dict(),
            "tagged_units": self.tagged_units.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class CodingFigures:
    unit: Unit
    overall: CodingSubsets
    per_label: Mapping[str, LabelCoding]
    cohen_kappa: tuple[PairKappa, ...]
    n_multi_label_units: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "n_multi_label_units": self.n_multi_label_units,
            "overall": self.overall.to_dict(),
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
            "cohen_kappa": [pair.to_dict() for pair in self.cohen_kappa],
        }


@dataclass(frozen=True, slots=True)
class LabelConfusion:
    """``counts[r][c]``: over the groups ``core.diff.align`` makes, ordered
    annotator pairs where the first gave label ``rows[r]`` and the second gave
    ``columns[c]`` there ("none": no span in the group); the exact rule is in
    :mod:`annotator.core.agreement.groups`."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "counts": [list(row) for row in self.counts],
        }


@dataclass(frozen=True, slots=True)
class DocumentDisagreement:
    document_id: DocumentId
    disagreement: float | None
    f1_partial: float | None
    f1_exact: float | None
    alpha_u: float | None
    n_annotators: int
    n_spans: int
    reason: str | None
    n_groups: int = 0  # groups core.diff.align makes on the document
    n_disagreeing_groups: int = 0  # of which not SAME: the review queue's count
    group_kinds: Mapping[GroupKind, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "disagreement": self.disagreement,
            "f1_partial": self.f1_partial,
            "f1_exact": self.f1_exact,
            "alpha_u": self.alpha_u,
            "n_annotators": self.n_annotators,
            "n_spans": self.n_spans,
            "reason": self.reason,
            "n_groups": self.n_groups,
            "n_disagreeing_groups": self.n_disagreeing_groups,
            "group_kinds": {str(k): v for k, v in self.group_kinds.items()},
        }


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """The headline figures over the compared documents of one period (a week
    of annotation, say), computed as the headline is but without an interval;
    ``n_units`` of each figure is the period's number of spans."""

    period: str
    n_documents: int
    n_spans: int
    alpha_u: Estimate
    f1_exact: Estimate
    f1_partial: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "n_documents": self.n_documents,
            "n_spans": self.n_spans,
            "alpha_u": self.alpha_u.to_dict(),
            "f1_exact": self.f1_exact.to_dict(),
            "f1_partial": self.f1_partial.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class AgreementReport:
    unit: Unit
    labels: tuple[str, ...]
    annotators: tuple[AnnotatorId, ...]
    n_documents: int
    n_compared_documents: int
    n_spans: int
    n_bootstrap: int
    seed: int
    confidence: float
    unitizing: UnitizingFigures
    coding: CodingFigures
    confusion: LabelConfusion
    documents: tuple[DocumentDisagreement, ...] = ()
    periods: tuple[PeriodFigures, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable; keys as listed in the module docstring."""
        return {
            "schema": SCHEMA_VERSION,
            "unit": self.unit,
            "labels": list(self.labels),
            "annotators": list(self.annotators),
            "n_documents": self.n_documents,
            "n_compared_documents": self.n_compared_documents,
            "n_spans": self.n_spans,
            "bootstrap": {
                "n_resamples": self.n_bootstrap,
                "seed": self.seed,
                "confidence": self.confidence,
            },
            "unitizing": self.unitizing.to_dict(),
            "coding": self.coding.to_dict(),
            "confusion": self.confusion.to_dict(),
            "documents": [doc.to_dict() for doc in self.documents],
            "periods": [period.to_dict() for period in self.periods],
        }
