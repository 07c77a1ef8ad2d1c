"""Agreement on documents annotated with suggestions beside agreement on
the calibration documents annotated without them: the agreement report's
headline figure, Krippendorff's alpha-u with its bootstrap interval
(:func:`annotator.core.agreement.agreement_report`), over each group's
compared documents, and whether the groups are large enough to compare.

A document's group follows what its annotators were shown
(:func:`effect_groups`), not the project's settings, which may have changed
since they annotated. The documents without suggestions compared are those
the settings withheld them from (a calibration document, or suggestions
off), whatever their text; documents where suggestions were on but nothing
was proposed are counted apart (NONE_PROPOSED): the suggesters skip them
because of their text, so they would bias the comparison. Offsets are code
points, end exclusive."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from annotator.core.agreement import DocumentAnnotations, Estimate, agreement_report

#: The agreement figure compared: the one the agreement page leads with.
MEASURE = "alpha_u"
MEASURE_NAME = "Unitizing alpha (alpha-u)"
WITH_SUGGESTIONS = "with_suggestions"
CALIBRATION = "calibration"
#: Documents some of whose annotators saw suggestions and some did not, or
#: whose record is unknown for one of them: in neither group.
MIXED = "mixed"
#: Of the mixed documents, those with an annotator whose record is unknown
#: (work from before the record began, imported work, or work whose
#: suggestions were never listed while it was open).
UNKNOWN = "unknown"
#: Documents where suggestions were on but the suggesters proposed nothing
#: to any annotator: in neither group, counted apart. Which documents get
#: no proposal depends on their text, so they are no fair comparison: the
#: calibration documents are withheld whatever their text.
NONE_PROPOSED = "none_proposed"
#: What one annotator was shown on a document (None: unknown).
SHOWN = "shown"
WITHHELD = "withheld"  # none: the settings withheld them (calibration, off)
Seen = str | None  # SHOWN, WITHHELD, NONE_PROPOSED or None
DocumentKey = TypeVar("DocumentKey", bound=Hashable)
GROUP_NAMES = {
    WITH_SUGGESTIONS: "documents annotated with suggestions",
    CALIBRATION: "calibration documents, annotated without them",
}
_GROUP_OF = {
    SHOWN: WITH_SUGGESTIONS,
    WITHHELD: CALIBRATION,
    NONE_PROPOSED: NONE_PROPOSED,
}


# --------------------------------------------------------------------------
# Which documents go in which group
# --------------------------------------------------------------------------


def document_group(seen: Collection[Seen]) -> str | None:
    """The group of a document from what each of its compared annotators
    was shown: WITH_SUGGESTIONS when every one was shown suggestions,
    CALIBRATION when the settings withheld them from every one (a
    calibration document, or suggestions off), NONE_PROPOSED when they were
    on and nothing was proposed to any, MIXED otherwise (annotators shown
    different things, or one unknown); None without annotators."""
    if not seen:
        return None
    kinds = set(seen)
    if len(kinds) == 1:
        (kind,) = kinds
        if kind is not None:
            return _GROUP_OF[kind]
    return MIXED


def effect_groups(
    seen: Mapping[DocumentKey, Collection[Seen]],
    documents: Iterable[DocumentKey] | None = None,
) -> dict[str, set[DocumentKey]]:
    """The document ids of each group (WITH_SUGGESTIONS, CALIBRATION,
    NONE_PROPOSED, MIXED, and UNKNOWN: the mixed ones with an unknown
    record) from what each document's annotators were shown; only
    ``documents`` when given. A document without annotators is in none."""
    groups: dict[str, set[DocumentKey]] = {
        WITH_SUGGESTIONS: set(),
        CALIBRATION: set(),
        NONE_PROPOSED: set(),
        MIXED: set(),
        UNKNOWN: set(),
    }
    wanted = seen.keys() if documents is None else documents
    for document in wanted:
        found = seen.get(document, ())
        group = document_group(found)
        if group is None:
            continue
        groups[group].add(document)
        if any(kind is None for kind in found):
            groups[UNKNOWN].add(document)
    return groups


def _documents(n: int) -> str:
    return f"{n} document{'' if n == 1 else 's'}"


def mixed_note(n_mixed: int, n_unknown: int) -> str | None:
    """Why ``n_mixed`` documents are in neither group, ``n_unknown`` of them
    for an unknown record; None when there are none. The one wording of
    the page, the JSON and the command."""
    if not n_mixed:
        return None
    one = n_mixed == 1
    text = (
        f"{_documents(n_mixed)} with submitted work {'is' if one else 'are'} "
        f"in neither group: some of {'its' if one else 'their'} annotators "
        "were shown suggestions and some were not"
    )
    if n_unknown:
        text += (
            f", or for {n_unknown} of them it is not known what an annotator "
            "was shown (work from before the app kept the record, imported "
            "work, or work whose suggestions were never listed while it was "
            "open)"
        )
    return text + "."


#: Said once wherever unknown records are counted.
UNKNOWN_NOTE = (
    "An unknown record stays unknown: the app cannot tell afterwards what "
    "was shown for work done before it kept the record (before the upgrade) "
    "or done elsewhere and imported; new work is recorded as it is done."
)


def none_proposed_note(n: int) -> str | None:
    """Why ``n`` documents annotated with suggestions on but none proposed
    are in neither group; None when there are none."""
    if not n:
        return None
    return (
        f"{_documents(n)} with submitted work {'was' if n == 1 else 'were'} "
        "annotated with suggestions on but none proposed: counted apart, "
        "not as calibration documents, since which documents get no "
        "proposal depends on their text."
    )


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
    n_mixed: int = 0  # documents in neither group: a mix, or unknown
    n_unknown: int = 0  # of those, with an annotator whose record is unknown
    n_none_proposed: int = 0  # in neither group: suggestions on, none proposed

    @property
    def mixed_note(self) -> str | None:
        """Why some documents are in neither group; None when none is."""
        return mixed_note(self.n_mixed, self.n_unknown)

    @property
    def unknown_note(self) -> str | None:
        """That unknown records stay unknown; None when there are none."""
        return UNKNOWN_NOTE if self.n_unknown else None

    @property
    def none_proposed_note(self) -> str | None:
        return none_proposed_note(self.n_none_proposed)

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
            MIXED: {
                "n_documents": self.n_mixed,
                "n_unknown": self.n_unknown,
                "note": self.mixed_note,
                "unknown_note": self.unknown_note,
            },
            NONE_PROPOSED: {
                "n_documents": self.n_none_proposed,
                "note": self.none_proposed_note,
            },
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
    the group (compared or not), and may map NONE_PROPOSED, MIXED and
    UNKNOWN to those in neither (:func:`effect_groups`), which are only
    counted. A group with fewer than ``min_documents`` compared documents,
    or whose figure is undefined, is too small."""
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
        found[WITH_SUGGESTIONS],
        found[CALIBRATION],
        min_documents,
        confidence,
        n_mixed=len(groups.get(MIXED, ())),
        n_unknown=len(groups.get(UNKNOWN, ())),
        n_none_proposed=len(groups.get(NONE_PROPOSED, ())),
    )
