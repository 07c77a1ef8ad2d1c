"""The effect of suggestions, measured: how well each suggester's proposals
match the gold layer, how often each annotator accepts a suggestion and how
often an accepted one was corrected in review, and agreement on documents
annotated with suggestions beside the calibration documents annotated
without them.

Plain data in, frozen results out. Offsets are code points, end exclusive.
Span scores are :func:`annotator.core.suggestions.evaluation.score_spans`
(exact spans); agreement is the agreement report's headline figure,
Krippendorff's alpha-u with its bootstrap interval
(:func:`annotator.core.agreement.agreement_report`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core.agreement import DocumentAnnotations, Estimate, agreement_report
from annotator.core.suggestions.evaluation import GoldSpan, LabelScore, score_spans

#: The agreement figure compared: the one the agreement page leads with.
MEASURE = "alpha_u"
MEASURE_NAME = "Unitizing alpha (alpha-u)"
WITH_SUGGESTIONS = "with_suggestions"
CALIBRATION = "calibration"
GROUP_NAMES = {
    WITH_SUGGESTIONS: "documents annotated with suggestions",
    CALIBRATION: "calibration documents, annotated without them",
}


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
# Agreement with and without suggestions
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupAgreement:
    """Agreement over one group's compared documents."""

    group: str  # WITH_SUGGESTIONS or CALIBRATION
    n_documents: int  # the project's documents in the group
    estimate: Estimate  # its n_documents: those compared (two or more submitted)
    too_small: str | None  # why it cannot be compared, None when it can

    @property
    def name(self) -> str:
        return GROUP_NAMES[self.group]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_documents": self.n_documents,
            "n_compared_documents": self.estimate.n_documents,
            MEASURE: self.estimate.to_dict(),
            "too_small": self.too_small,
        }


@dataclass(frozen=True, slots=True)
class AgreementEffect:
    """Agreement with suggestions beside agreement without (calibration)."""

    with_suggestions: GroupAgreement
    calibration: GroupAgreement
    min_documents: int
    confidence: float

    @property
    def comparable(self) -> bool:
        return self.with_suggestions.too_small is None and (
            self.calibration.too_small is None
        )

    @property
    def difference(self) -> float | None:
        """With minus without, when both groups can be compared."""
        first = self.with_suggestions.estimate.value
        second = self.calibration.estimate.value
        if not self.comparable or first is None or second is None:
            return None
        return first - second

    @property
    def intervals_overlap(self) -> bool | None:
        first, second = self.with_suggestions.estimate, self.calibration.estimate
        bounds = (first.ci_low, first.ci_high, second.ci_low, second.ci_high)
        if not self.comparable or any(b is None for b in bounds):
            return None
        low_1, high_1, low_2, high_2 = (float(b or 0.0) for b in bounds)
        return low_1 <= high_2 and low_2 <= high_1

    def summary(self) -> str:
        """The comparison in one plain sentence."""
        if not self.comparable:
            reasons = [
                f"{group.name}: {group.too_small}"
                for group in (self.with_suggestions, self.calibration)
                if group.too_small
            ]
            return "Too small to compare (" + "; ".join(reasons) + ")."
        difference = self.difference or 0.0
        if difference == 0:
            text = f"{MEASURE_NAME} is the same with suggestions as without"
        else:
            direction = "higher" if difference > 0 else "lower"
            text = (
                f"{MEASURE_NAME} is {abs(difference):.3f} {direction} with "
                "suggestions than without"
            )
        if self.intervals_overlap:
            return (
                f"{text}; the {self.confidence:.0%} intervals overlap, so this "
                "is no clear difference."
            )
        return f"{text}, and the {self.confidence:.0%} intervals do not overlap" + (
            ": annotators may be following the same suggestions rather "
            "than judging alike."
            if difference > 0
            else "."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": MEASURE,
            "min_documents": self.min_documents,
            "confidence": self.confidence,
            WITH_SUGGESTIONS: self.with_suggestions.to_dict(),
            CALIBRATION: self.calibration.to_dict(),
            "comparable": self.comparable,
            "difference": self.difference,
            "intervals_overlap": self.intervals_overlap,
            "summary": self.summary(),
        }


def _too_small(estimate: Estimate, min_documents: int) -> str | None:
    n = estimate.n_documents
    if n < min_documents:
        return (
            f"{n} compared document{'' if n == 1 else 's'}, at least "
            f"{min_documents} needed"
        )
    if estimate.value is None:
        return f"not defined: {estimate.reason}"
    return None


def group_agreement(
    group: str,
    documents: Sequence[DocumentAnnotations],
    n_documents: int,
    labels: Sequence[str],
    min_documents: int,
    seed: int,
    n_bootstrap: int,
    confidence: float,
) -> GroupAgreement:
    """Alpha-u over the group's ``documents`` (the agreement report's
    headline, with its bootstrap interval); ``n_documents`` is how many
    documents the group has in all, compared or not."""
    report = agreement_report(
        documents,
        labels=labels,
        seed=seed,
        n_bootstrap=n_bootstrap,
        confidence=confidence,
    )
    estimate: Estimate = getattr(report.unitizing, MEASURE).overall
    return GroupAgreement(
        group, n_documents, estimate, _too_small(estimate, min_documents)
    )


def agreement_effect(
    documents: Sequence[DocumentAnnotations],
    groups: Mapping[str, Collection[Hashable]],
    labels: Sequence[str],
    min_documents: int,
    seed: int = 0,
    n_bootstrap: int = 1000,
    confidence: float = 0.95,
) -> AgreementEffect:
    """Agreement on the compared ``documents`` of each group: ``groups``
    maps WITH_SUGGESTIONS and CALIBRATION to the ids of every document of
    the group (compared or not). A group with fewer than ``min_documents``
    compared documents, or whose figure is undefined, is too small."""
    found = {
        name: group_agreement(
            name,
            [doc for doc in documents if doc.document_id in groups[name]],
            len(groups[name]),
            labels,
            min_documents,
            seed,
            n_bootstrap,
            confidence,
        )
        for name in (WITH_SUGGESTIONS, CALIBRATION)
    }
    return AgreementEffect(
        found[WITH_SUGGESTIONS], found[CALIBRATION], min_documents, confidence
    )


# --------------------------------------------------------------------------
# The whole report
# --------------------------------------------------------------------------

SETTING_NOTES = {
    "off": "Suggestions are off: no document is annotated with them and "
    "there are no calibration documents, so neither group has documents.",
    "on": "Suggestions are on for every document: there are no calibration "
    "documents to compare with. The calibrate mode keeps a share of "
    "documents without suggestions.",
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
        """Why a group is empty under the current mode, None in calibrate."""
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
