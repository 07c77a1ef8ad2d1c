"""The decisions on gold spans: accept annotators' spans as drawn, correct
them (or a gold span, with ``replaces``), add a span no annotator made,
reject annotators' spans, remove a gold span, and accept every span all
annotators (or a majority) drew alike. Each is one audit row
(:mod:`annotator.services.adjudication.recording`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from annotator.core import adjudication as rules
from annotator.core.spans import Span, is_stored_int
from annotator.models import (
    Document,
    GoldDecision,
    GoldLink,
    GoldSpan,
    Project,
    RejectedSpan,
    User,
)
from annotator.models.base import utcnow
from annotator.services.adjudication.claims import claim, decision
from annotator.services.adjudication.documents import open_groups
from annotator.services.adjudication.gold_layer import (
    Source,
    add_gold,
    carry_links,
    checked_span,
    chosen_spans,
    gold_data,
    move_links,
    proposal_span,
    remove_gold,
    sources_of,
    span_data,
)
from annotator.services.adjudication.recording import ChangeLog, finish
from annotator.services.review import (
    SpanRecord,
    Submitted,
    gold_spans,
    refuse,
    rejected_ids,
    submitted_work,
)

CORRECTABLE = ("start", "end", "label", "attributes", "note")


@decision
def accept(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Take annotators' identical spans into the gold layer as drawn; every
    submitted span with the same offsets and label counts as a source."""
    work = submitted_work(session, document)
    chosen = chosen_spans(work, data)
    if len({span.triple for span in chosen}) != 1:
        raise refuse(
            "span_ids", "these spans differ: accept one, or correct them into one"
        )
    sources = work.with_triple(chosen[0].triple)
    proposed = proposal_span(chosen[0].triple, sources)
    span = checked_span(
        {**span_data(proposed), "note": data.get("note") or ""}, project, document
    )
    adjudication = claim(session, document, data, open_only=True)
    log = ChangeLog()
    add_gold(
        session,
        project,
        document,
        reviewer,
        span,
        GoldDecision.ACCEPTED,
        sources_of(sources),
        log,
    )
    carry_links(session, document, work, log)
    return finish(session, project, document, reviewer, adjudication, "accept", log)


def _replaced(
    session: Session, document: Document, data: Mapping[str, Any]
) -> GoldSpan | None:
    """The gold span ``replaces`` names (None when absent)."""
    if data.get("replaces") is None:
        return None
    gold_id = data["replaces"]
    gold = session.get(GoldSpan, gold_id) if is_stored_int(gold_id) else None
    if gold is None or gold.document_id != document.id:
        raise refuse("replaces", "must be the id of a gold span of this document")
    return gold


def _correction_base(
    work: Submitted, data: Mapping[str, Any], replaced: GoldSpan | None
) -> tuple[dict[str, Any], list[SpanRecord]]:
    """What the correction starts from (the replaced gold span, else the
    chosen spans' proposal) and the chosen annotator spans; with
    ``replaces`` the chosen spans may be none."""
    if replaced is not None and not data.get("span_ids"):
        return gold_data(replaced), []
    chosen = chosen_spans(work, data)
    if replaced is not None:
        return gold_data(replaced), chosen
    return span_data(proposal_span(chosen[0].triple, chosen)), chosen


def _unchanged(span: Span, gold: GoldSpan) -> bool:
    return (span.start, span.end, span.label, dict(span.attributes), span.note) == (
        gold.start,
        gold.end,
        gold.label.name,
        gold.attributes,
        gold.note,
    )


@decision
def accept_with_correction(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Take annotators' spans into gold with the reviewer's boundary, label,
    attributes or note; the chosen spans are its sources. With ``replaces``
    (a gold span id of this document) that gold span gives way to the
    corrected one in the same decision: the corrected span starts from it,
    keeps its sources (plus any chosen spans) and its links, where the link
    rules still allow them. ``span_ids`` may then be left out: a relabel or
    new boundaries of a gold span."""
    replaced = _replaced(session, document, data)
    work = submitted_work(session, document)
    base, chosen = _correction_base(work, data, replaced)
    merged = {**base, **{key: data[key] for key in CORRECTABLE if key in data}}
    span = checked_span(merged, project, document)
    if replaced is not None and _unchanged(span, replaced):
        raise refuse(
            "span",
            f"this is gold span {replaced.id} as it is: change its label, "
            "boundaries, attributes or note",
        )
    adjudication = claim(session, document, data, open_only=True)
    log = ChangeLog()
    sources: list[Source] = []
    kept: list[GoldLink] = []
    if replaced is not None:
        sources = [(s.span_id, s.annotator_id) for s in replaced.sources]
        kept = remove_gold(session, replaced, log)
    sources += sources_of(chosen)
    created = add_gold(
        session, project, document, reviewer, span, GoldDecision.CORRECTED, sources, log
    )
    if replaced is not None:
        move_links(session, kept, replaced, created, log)
    if chosen:
        carry_links(session, document, work, log)
    return finish(session, project, document, reviewer, adjudication, "correct", log)


@decision
def add_gold_span(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Add a span no annotator made."""
    span = checked_span(data, project, document)
    adjudication = claim(session, document, data, open_only=True)
    log = ChangeLog()
    add_gold(session, project, document, reviewer, span, GoldDecision.ADDED, [], log)
    return finish(session, project, document, reviewer, adjudication, "add", log)


@decision
def reject(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Keep annotators' spans (e.g. a whole group) out of the gold layer."""
    work = submitted_work(session, document)
    chosen = chosen_spans(work, data)
    in_gold = {s.span_id for g in gold_spans(session, document) for s in g.sources}
    taken = [span.id for span in chosen if span.id in in_gold]
    if taken:
        raise refuse(
            "span_ids",
            f"span {taken[0]} is in the gold layer: remove that gold span first",
        )
    already = rejected_ids(session, document)
    fresh = [span.id for span in chosen if span.id not in already]
    if not fresh:
        raise refuse("span_ids", "these spans are rejected already")
    adjudication = claim(session, document, data, open_only=True)
    moment = utcnow()
    for span_id in fresh:
        session.add(
            RejectedSpan(
                document_id=document.id,
                span_id=span_id,
                decided_by_id=reviewer.id,
                decided_at=moment,
            )
        )
    log = ChangeLog(rejected=fresh)
    return finish(session, project, document, reviewer, adjudication, "reject", log)


@decision
def remove_gold_span(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Take a span out of the gold layer again, with its links."""
    gold_id = data.get("gold_id")
    gold = session.get(GoldSpan, gold_id) if is_stored_int(gold_id) else None
    if gold is None or gold.document_id != document.id:
        raise refuse("gold_id", "no such gold span on this document")
    adjudication = claim(session, document, data, open_only=True)
    log = ChangeLog()
    remove_gold(session, gold, log)
    return finish(session, project, document, reviewer, adjudication, "remove", log)


def _accept_proposals(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
    chosen: Sequence[rules.Proposal],
    work: Submitted,
    action: str,
) -> dict[str, Any]:
    present = {(g.start, g.end, g.label.name) for g in gold_spans(session, document)}
    todo = [p for p in chosen if p.triple not in present]
    if not todo:
        raise refuse("decision", "no such span is left to accept")
    adjudication = claim(session, document, data, open_only=True)
    log = ChangeLog()
    for proposal in todo:
        sources = work.with_triple(proposal.triple)
        span = proposal_span(proposal.triple, sources)
        add_gold(
            session,
            project,
            document,
            reviewer,
            span,
            GoldDecision.ACCEPTED,
            sources_of(sources),
            log,
        )
    carry_links(session, document, work, log)
    return finish(session, project, document, reviewer, adjudication, action, log)


@decision
def accept_all_agreed(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """In one decision, accept every span all submitted annotators drew alike."""
    work = submitted_work(session, document)
    agreed = rules.agreed_by_all(work.groups(), len(work.annotators))
    return _accept_proposals(
        session, project, document, reviewer, data, agreed, work, "accept_agreed"
    )


@decision
def accept_majority(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Confirm the majority-vote pre-fill: in every undecided group, accept the
    spans more than half of the annotators drew alike."""
    work = submitted_work(session, document)
    proposed = rules.majority_proposals(
        open_groups(session, document, work), len(work.annotators)
    )
    return _accept_proposals(
        session, project, document, reviewer, data, proposed, work, "accept_majority"
    )
