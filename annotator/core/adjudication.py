"""Adjudication rules: proposals for the gold layer from aligned annotators'
spans, which passages are decided, which annotators' links the gold layer
takes over, and each annotator's quality against gold.

Offsets are code points, end exclusive. Groups come from
:func:`annotator.core.diff.align`, the alignment the agreement page uses too,
so that review and agreement speak about the same disagreements.
"""

from __future__ import annotations

import string
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.core.agreement.measures import span_f1
from annotator.core.diff import Group, SpanTriple
from annotator.core.labels import link_allowed

Mode = Literal["exact", "partial"]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A gold span proposed from annotators' identical spans."""

    start: int
    end: int
    label: str
    annotators: tuple[Hashable, ...]  # who drew exactly this span, in group order

    @property
    def triple(self) -> SpanTriple:
        return (self.start, self.end, self.label)


def majority_threshold(n_annotators: int) -> int:
    """More than half of the annotators: 2 of 2, 2 of 3, 3 of 4."""
    return n_annotators // 2 + 1


def group_votes(group: Group) -> dict[SpanTriple, tuple[Hashable, ...]]:
    """Each distinct span of ``group`` and the annotators who drew it."""
    votes: dict[SpanTriple, list[Hashable]] = {}
    for annotator, spans in group.spans.items():
        for span in spans:
            votes.setdefault(span, []).append(annotator)
    return {span: tuple(names) for span, names in sorted(votes.items())}


def proposals(group: Group, min_annotators: int) -> list[Proposal]:
    """Spans of ``group`` drawn identically by at least ``min_annotators``."""
    if min_annotators < 1:
        raise ValueError(f"min_annotators must be at least 1, not {min_annotators}")
    return [
        Proposal(start, end, label, names)
        for (start, end, label), names in group_votes(group).items()
        if len(names) >= min_annotators
    ]


def majority_proposals(
    groups: Iterable[Group], n_annotators: int, min_annotators: int | None = None
) -> list[Proposal]:
    """The majority-vote pre-fill: in every group, the spans at least
    ``min_annotators`` (default: more than half) of ``n_annotators`` drew."""
    threshold = min_annotators or majority_threshold(n_annotators)
    return [found for group in groups for found in proposals(group, threshold)]


def agreed_by_all(groups: Iterable[Group], n_annotators: int) -> list[Proposal]:
    """Spans every one of the ``n_annotators`` drew identically."""
    return majority_proposals(groups, n_annotators, max(1, n_annotators))


@dataclass(frozen=True, slots=True)
class GoldMark:
    """A gold span as :func:`is_decided` sees it: offsets (code points, end
    exclusive), label, and the reviewed annotators' spans it was made from
    (empty: added by hand, or its sources are no longer reviewed)."""

    start: int
    end: int
    label: str
    sources: frozenset[SpanTriple] = frozenset()

    @property
    def triple(self) -> SpanTriple:
        return (self.start, self.end, self.label)


def is_decided(
    group: Group, gold: Iterable[GoldMark], rejected: Collection[SpanTriple]
) -> bool:
    """Whether the reviewer acted on ``group``. It is decided when

    - a gold span was made from one of its spans (accepted, corrected, or
      relabelled keeping that provenance), or
    - a gold span made from no reviewed span (added by hand) overlaps its
      passage with one of its labels, or
    - every distinct span in it is rejected.

    A gold span made from other spans decides nothing here: taking a claim
    into gold leaves a hedge nested in it undecided until the reviewer takes,
    adds or rejects the hedge."""
    votes = group_votes(group)
    labels = {label for _, _, label in votes}
    for mark in gold:
        if mark.sources:
            if any(source in votes for source in mark.sources):
                return True
        elif mark.start < group.end and group.start < mark.end and mark.label in labels:
            return True
    return all(span in rejected for span in votes)


def alias(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: annotators' names hidden from the reviewer."""
    letters = string.ascii_uppercase
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, len(letters))
        name = letters[rest] + name
    return name


# --------------------------------------------------------------------------
# Annotators' links into gold
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnotatorLink:
    """A link one annotator drew from one of their spans to another (span ids)."""

    id: int
    annotator: Hashable
    source: int
    target: int
    kind: str


@dataclass(frozen=True, slots=True)
class GoldEnd:
    """A gold span as a possible link end: its id, label and source span ids."""

    id: int
    label: str
    sources: frozenset[int]


#: A gold link as (source gold id, target gold id, kind).
GoldLinkKey = tuple[int, int, str]


def _gold_by_source(gold: Iterable[GoldEnd]) -> dict[int, list[GoldEnd]]:
    found: dict[int, list[GoldEnd]] = {}
    for end in gold:
        for span_id in end.sources:
            found.setdefault(span_id, []).append(end)
    return found


def carried_links(
    links: Iterable[AnnotatorLink],
    gold: Sequence[GoldEnd],
    existing: Collection[GoldLinkKey],
    created: Collection[int],
) -> list[GoldLinkKey]:
    """The gold links a decision carries over from annotators' links.

    An annotator link is carried when its source and target spans are both
    sources of gold spans: one annotator drawing it is enough. It becomes a
    link of the same kind between those gold spans, but only where one of the
    two was ``created`` by this decision (so a link the reviewer removed is
    not brought back by an unrelated decision), the link rules allow it
    between the gold labels (a correction may have changed one), the two
    differ, and no such gold link is in ``existing``. Sorted, no duplicates.
    """
    by_source = _gold_by_source(gold)
    fresh = set(created)
    found: set[GoldLinkKey] = set()
    for link in links:
        for source in by_source.get(link.source, ()):
            for target in by_source.get(link.target, ()):
                key = (source.id, target.id, link.kind)
                if (
                    fresh & {source.id, target.id}
                    and source.id != target.id
                    and link_allowed(link.kind, source.label, target.label)
                    and key not in existing
                ):
                    found.add(key)
    return sorted(found)


def links_not_in_gold(
    links: Iterable[AnnotatorLink], gold: Iterable[GoldEnd]
) -> list[AnnotatorLink]:
    """Annotators' links that cannot be carried yet: their source or target
    span (or both) is not a source of any gold span."""
    in_gold = set(_gold_by_source(gold))
    return [
        link
        for link in links
        if link.source not in in_gold or link.target not in in_gold
    ]


# --------------------------------------------------------------------------
# Quality against gold
# --------------------------------------------------------------------------


#: Why a quality figure is undefined (shown after "—" on the page).
REASON_NO_GOLD = "no gold spans"
REASON_NO_OWN_SPANS = "no spans of this annotator"
REASON_NEITHER = "no gold spans and no spans of this annotator"
REASON_ONLY_UNDECIDED = "this annotator's spans are all in undecided groups"


@dataclass(frozen=True, slots=True)
class Quality:
    """Precision, recall and F1 of one annotator's spans against gold.

    Each is None exactly when undefined, and the matching ``*_reason`` says
    why: precision needs spans of the annotator, recall needs gold spans, F1
    needs both. ``n_undecided`` counts the annotator's spans left out because
    they lie in groups the reviewer left undecided.
    """

    precision: float | None
    recall: float | None
    f1: float | None
    n_gold: int
    n_annotator: int
    n_undecided: int = 0

    @property
    def precision_reason(self) -> str | None:
        if self.n_annotator:
            return None
        return REASON_ONLY_UNDECIDED if self.n_undecided else REASON_NO_OWN_SPANS

    @property
    def recall_reason(self) -> str | None:
        return None if self.n_gold else REASON_NO_GOLD

    @property
    def f1_reason(self) -> str | None:
        if not (self.n_gold or self.n_annotator or self.n_undecided):
            return REASON_NEITHER
        return self.recall_reason or self.precision_reason


@dataclass(frozen=True, slots=True)
class DocumentPair:
    """One document: its length, the gold spans and one annotator's spans
    that are scored; ``undecided`` holds the annotator's spans set apart
    (in groups the reviewer left undecided: neither right nor wrong)."""

    text_length: int
    gold: Sequence[SpanTriple]
    annotator: Sequence[SpanTriple]
    undecided: Sequence[SpanTriple] = ()


def document_pair(
    text_length: int,
    gold: Sequence[SpanTriple],
    spans: Sequence[SpanTriple],
    undecided_groups: Iterable[Group],
    annotator: Hashable,
) -> DocumentPair:
    """``annotator``'s ``spans`` on an adjudicated document against its gold,
    with their spans in ``undecided_groups`` set apart: a document adjudicated
    with groups undecided has no gold there, and counting those spans as
    wrong (or the gold as complete) would misstate precision and recall."""
    left = {
        span for group in undecided_groups for span in group.spans.get(annotator, ())
    }
    return DocumentPair(
        text_length,
        gold,
        [span for span in spans if span not in left],
        [span for span in spans if span in left],
    )


def decided_flags(
    groups: Sequence[Group],
    gold: Iterable[GoldMark],
    rejected: Collection[SpanTriple],
) -> list[bool]:
    """:func:`is_decided` for every group, in O((groups + gold) log gold) for
    long documents: the gold spans' sources in one set, and the hand-added
    gold spans sorted by start with the running maximum of their ends, so one
    bisection finds those that may overlap a passage."""
    marks = list(gold)
    sourced = {source for mark in marks for source in mark.sources}
    added = sorted((m for m in marks if not m.sources), key=lambda m: m.start)
    starts = [mark.start for mark in added]
    reach: list[int] = []
    for mark in added:
        reach.append(max(mark.end, reach[-1]) if reach else mark.end)
    flags = []
    for group in groups:
        votes = group_votes(group)
        labels = {label for _, _, label in votes}
        first = bisect_right(reach, group.start)  # the first that may reach in
        last = bisect_left(starts, group.end)  # those starting before the end
        flags.append(
            any(vote in sourced for vote in votes)
            or any(
                mark.end > group.start and mark.label in labels
                for mark in added[first:last]
            )
            or all(vote in rejected for vote in votes)
        )
    return flags


def undecided_groups(
    groups: Iterable[Group],
    gold: Sequence[GoldMark],
    rejected: Collection[SpanTriple],
) -> list[Group]:
    """The groups :func:`is_decided` finds undecided."""
    found = list(groups)
    flags = decided_flags(found, gold, rejected)
    return [group for group, flag in zip(found, flags, strict=True) if not flag]


def _laid_end_to_end(
    documents: Sequence[DocumentPair], label: str | None
) -> tuple[list[SpanTriple], list[SpanTriple]]:
    """Both sides' spans with each document shifted past the previous one (and
    a gap), so that one call of span_f1 scores all documents at once."""
    gold: list[SpanTriple] = []
    mine: list[SpanTriple] = []
    shift = 0
    for document in documents:
        for source, target in ((document.gold, gold), (document.annotator, mine)):
            target += [
                (start + shift, end + shift, found)
                for start, end, found in source
                if label is None or found == label
            ]
        shift += document.text_length + 1
    return gold, mine


def quality(
    documents: Sequence[DocumentPair],
    label: str | None = None,
    mode: Mode = "exact",
) -> Quality:
    """Span precision, recall and F1 of an annotator against gold over
    ``documents`` (micro-averaged: all spans count alike), for one label or all;
    ``mode`` is span_f1's ``exact`` or ``partial``. Undefined figures are None
    (no annotator spans: precision; no gold spans: recall; either: F1), never
    0 or 1."""
    gold, mine = _laid_end_to_end(documents, label)
    left_out = sum(
        label is None or found == label
        for document in documents
        for _, _, found in document.undecided
    )
    if not gold or not mine:
        precision = 0.0 if mine else None  # gold is empty: none of them is right
        recall = 0.0 if gold else None
        return Quality(precision, recall, None, len(gold), len(mine), left_out)
    scores = span_f1(gold, mine, mode)
    return Quality(
        scores.precision, scores.recall, scores.f1, len(gold), len(mine), left_out
    )


def quality_by_label(
    documents: Sequence[DocumentPair], labels: Sequence[str], mode: Mode = "exact"
) -> Mapping[str | None, Quality]:
    """:func:`quality` for each label, and under ``None`` for all labels."""
    result: dict[str | None, Quality] = {None: quality(documents, None, mode)}
    for label in labels:
        result[label] = quality(documents, label, mode)
    return result
