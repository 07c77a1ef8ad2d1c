"""The effect of suggestions, measured: how well each suggester's proposals
match the gold layer, how often each annotator accepts a suggestion and how
often an accepted one was corrected in review, and agreement on documents
annotated with suggestions beside the calibration documents annotated
without them (:mod:`.calibration`).

Plain data in, frozen results out. Offsets are code points, end exclusive.
Span scores are :func:`annotator.core.suggestions.evaluation.score_spans`
(exact spans).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.suggestions.calibration import (
    CALIBRATION,
    MEASURE,
    MEASURE_NAME,
    MIXED,
    NONE_PROPOSED,
    SHOWN,
    UNKNOWN,
    UNKNOWN_NOTE,
    WITH_SUGGESTIONS,
    WITHHELD,
    AgreementEffect,
    GroupAgreement,
    Seen,
    agreement_effect,
    document_group,
    effect_groups,
    mixed_note,
    none_proposed_note,
)
from annotator.core.suggestions.evaluation import GoldSpan, LabelScore, score_spans

__all__ = [
    "CALIBRATION",
    "MEASURE",
    "MEASURE_NAME",
    "MIXED",
    "NONE_PROPOSED",
    "SHOWN",
    "UNKNOWN",
    "UNKNOWN_NOTE",
    "WITHHELD",
    "WITH_SUGGESTIONS",
    "AgreementEffect",
    "AnnotatorEffect",
    "EffectReport",
    "GroupAgreement",
    "Rate",
    "Seen",
    "SuggesterEffect",
    "agreement_effect",
    "annotator_effects",
    "document_group",
    "effect_groups",
    "mixed_note",
    "none_proposed_note",
    "score_dict",
    "suggester_effect",
]


@dataclass(frozen=True, slots=True)
class Rate:
    """``count`` of ``total``; the rate is None when ``total`` is 0."""

    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "count": self.count,
            "total": self.total,
            "rate": None if value is None else round(value, 4),
        }


# --------------------------------------------------------------------------
# Suggesters against gold
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuggesterEffect:
    """One suggester (name and version) scored on the gold documents."""

    name: str
    version: str
    n_documents: int
    per_label: Mapping[str, LabelScore]
    error: str = ""  # its last error, "" when none

    @property
    def overall(self) -> LabelScore:
        """Every label's spans together (micro-averaged)."""
        scores = self.per_label.values()
        return LabelScore(
            sum(s.gold for s in scores),
            sum(s.predicted for s in scores),
            sum(s.correct for s in scores),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "n_documents": self.n_documents,
            "error": self.error,
            "overall": score_dict(self.overall),
            "per_label": {
                label: score_dict(score) for label, score in self.per_label.items()
            },
        }


def score_dict(score: LabelScore) -> dict[str, Any]:
    """A score's counts and figures, rounded to 4 places; a figure whose
    denominator is 0 (precision with nothing proposed, recall with nothing
    in gold, F1 with either) is None, not 0."""
    found: dict[str, Any] = dict(score.to_dict())
    if not score.predicted:
        found["precision"] = None
    if not score.gold:
        found["recall"] = None
    if not score.predicted or not score.gold:
        found["f1"] = None
    return found


def suggester_effect(
    name: str,
    version: str,
    gold: Sequence[Iterable[GoldSpan]],
    proposed: Sequence[Iterable[GoldSpan]],
    labels: Sequence[str],
    error: str = "",
) -> SuggesterEffect:
    """Precision, recall and F1 per label of what a suggester proposed for
    each gold document (``proposed[i]`` for the document of ``gold[i]``),
    exact spans."""
    per_label = score_spans(gold, proposed, labels)
    return SuggesterEffect(name, version, len(gold), per_label, error)


# --------------------------------------------------------------------------
# Annotators: accepted, rejected, corrected
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnotatorEffect:
    """An annotator's decisions on suggestions, and their accepted spans on
    adjudicated documents that the gold layer does not hold."""

    annotator: str
    acceptance: Rate  # accepted of accepted + rejected decisions
    corrected: Rate  # not in gold, of accepted spans on adjudicated documents

    @property
    def accepted(self) -> int:
        return self.acceptance.count

    @property
    def rejected(self) -> int:
        return self.acceptance.total - self.acceptance.count

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "acceptance": self.acceptance.to_dict(),
            "corrected": self.corrected.to_dict(),
        }


def annotator_effects(
    decisions: Iterable[tuple[str, bool, int]],
    accepted_spans: Iterable[tuple[str, Hashable, GoldSpan]],
    gold: Mapping[Hashable, Collection[GoldSpan]],
) -> list[AnnotatorEffect]:
    """Per annotator, by name: ``decisions`` are (annotator, accepted?,
    how many); ``accepted_spans`` (annotator, document, span) are spans
    made by accepting a suggestion. One on a document of ``gold`` (an
    adjudicated document: its gold spans) counts as corrected when its
    (start, end, label) is not among the gold spans; spans on other
    documents are not counted."""
    accepted: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for annotator, was_accepted, count in decisions:
        decided[annotator] += count
        if was_accepted:
            accepted[annotator] += count
    on_gold: Counter[str] = Counter()
    corrected: Counter[str] = Counter()
    for annotator, document, span in accepted_spans:
        if document not in gold:
            continue
        on_gold[annotator] += 1
        if span not in gold[document]:
            corrected[annotator] += 1
    return [
        AnnotatorEffect(
            name,
            Rate(accepted[name], decided[name]),
            Rate(corrected[name], on_gold[name]),
        )
        for name in sorted(set(decided) | set(on_gold))
    ]


# --------------------------------------------------------------------------
# The whole report
# --------------------------------------------------------------------------

SETTING_NOTES = {
    "off": "Suggestions are off: documents annotated from now on are shown "
    "none and count among those annotated without them. Documents go by "
    "what their annotators were shown, so those annotated earlier keep "
    "their group.",
    "on": "Suggestions are on for every document: from now on there are no "
    "calibration documents to compare with, and documents on which the "
    "suggesters propose nothing are counted apart (documents go by what "
    "their annotators were shown, so those annotated earlier keep their "
    "group). The calibrate mode keeps a share of documents without "
    "suggestions.",
}


@dataclass(frozen=True, slots=True)
class EffectReport:
    """Every figure of a project's suggestion effect (JSON: ``to_dict``)."""

    project_id: int
    project_name: str
    mode: str
    calibration_share: float
    labels: tuple[str, ...]
    n_gold_documents: int
    suggesters: tuple[SuggesterEffect, ...]
    annotators: tuple[AnnotatorEffect, ...]
    agreement: AgreementEffect

    @property
    def setting_note(self) -> str | None:
        """What the current mode means for the groups, None in calibrate."""
        return SETTING_NOTES.get(self.mode)

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": {"id": self.project_id, "name": self.project_name},
            "settings": {
                "mode": self.mode,
                "calibration_share": self.calibration_share,
                "note": self.setting_note,
            },
            "labels": list(self.labels),
            "n_gold_documents": self.n_gold_documents,
            "suggesters": [found.to_dict() for found in self.suggesters],
            "annotators": [found.to_dict() for found in self.annotators],
            "agreement": self.agreement.to_dict(),
        }
