"""Building an export layer from several annotators' spans: majority vote.

Agreement is exact: the same (start, end, label), code points, end exclusive.
Partial overlaps never count; review and adjudication handle those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from annotator.core.exports.base import ExportLink, ExportSpan
from annotator.core.spans import Link, Span

SpanKey = tuple[int, int, str]


def majority_span_id(start: int, end: int, label: str) -> str:
    """Stable id of a majority span: the same key always gives the same id."""
    return f"{start}-{end}-{label}"


def _check_min(min_annotators: int) -> None:
    if isinstance(min_annotators, bool) or not isinstance(min_annotators, int):
        raise TypeError("min_annotators must be an integer")
    if min_annotators < 1:
        raise ValueError(f"min_annotators must be at least 1, not {min_annotators}")


def _votes(
    per_annotator_spans: Mapping[str, Iterable[Span]],
) -> dict[SpanKey, dict[str, set[tuple[str, str]]]]:
    """For each key: annotator -> the attributes that annotator gave it (the
    common part, if the annotator drew the same key twice)."""
    votes: dict[SpanKey, dict[str, set[tuple[str, str]]]] = defaultdict(dict)
    for annotator, spans in per_annotator_spans.items():
        for span in spans:
            items = set(span.attributes.items())
            by_annotator = votes[(span.start, span.end, span.label)]
            previous = by_annotator.get(annotator)
            by_annotator[annotator] = items if previous is None else previous & items
    return votes


def majority_spans(
    per_annotator_spans: Mapping[str, Iterable[Span]], min_annotators: int
) -> list[ExportSpan]:
    """Spans drawn with the same (start, end, label) by at least
    ``min_annotators`` annotators, sorted; each lists who agreed (sorted) and
    keeps only the attributes all of them gave the same value. Notes, being
    one annotator's words, are not carried over."""
    _check_min(min_annotators)
    layer = []
    for (start, end, label), by_annotator in _votes(per_annotator_spans).items():
        if len(by_annotator) < min_annotators:
            continue
        common = set.intersection(*by_annotator.values())
        layer.append(
            ExportSpan(
                start=start,
                end=end,
                label=label,
                span_id=majority_span_id(start, end, label),
                attributes=dict(sorted(common)),
                annotators=tuple(sorted(by_annotator)),
            )
        )
    return sorted(layer, key=lambda s: (s.start, s.end, s.label))


def majority_links(
    per_annotator: Mapping[str, tuple[Sequence[Span], Iterable[Link]]],
    min_annotators: int,
) -> list[ExportLink]:
    """Links (between span keys, of one kind) made by at least
    ``min_annotators`` annotators, as links between ``majority_spans`` ids.
    Both ends of such a link are majority spans too, since each of those
    annotators drew them."""
    _check_min(min_annotators)
    votes: dict[tuple[SpanKey, SpanKey, str], set[str]] = defaultdict(set)
    for annotator, (spans, links) in per_annotator.items():
        for link in links:
            source, target = spans[link.source], spans[link.target]
            key = (
                (source.start, source.end, source.label),
                (target.start, target.end, target.label),
                link.kind,
            )
            votes[key].add(annotator)
    agreed = [
        ExportLink(majority_span_id(*source), majority_span_id(*target), kind)
        for (source, target, kind), annotators in votes.items()
        if len(annotators) >= min_annotators
    ]
    return sorted(agreed, key=lambda link: (link.source_id, link.target_id, link.kind))
