"""The reviewer's decisions that build a document's gold layer.

Every decision names the adjudication ``version`` the reviewer last saw and
bumps it with a compare-and-set, so that a second reviewer's stale decision gets
:class:`StaleReview` (HTTP 409) instead of overwriting. Every decision writes one
audit row (entity ``adjudication``) holding exactly what it changed, which is
what :func:`undo` reverts: any decision no later live one depends on
(:mod:`annotator.core.decisions`), not only the latest. Undo and redo rows hold
what they changed too, so :func:`redo` re-applies an undone decision from its
undo, and an undo of a redo takes back exactly the redo. Gold spans and links
obey the rules of annotators' spans (:mod:`annotator.core.spans`). Offsets are
code points, end exclusive.

Annotators' links come along: a decision that makes gold spans from
annotators' spans (accept, correct, accept-agreed, accept-majority) also links
those gold spans wherever at least one submitted annotator linked two spans
that are now both sources of gold spans, one of them made by this decision
(:func:`annotator.core.adjudication.carried_links`). The carried links are in
the decision's audit row (``created_links``), so undoing the decision removes
exactly them; links the reviewer drew by hand stay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.core import adjudication as rules
from annotator.core import decisions
from annotator.core.diff import Group, SpanTriple
from annotator.core.labels import link_allowed
from annotator.core.spans import (
    FieldError,
    Link,
    Span,
    is_stored_int,
    link_errors,
    parse_span,
    span_errors,
)
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    AuditEvent,
    Document,
    GoldDecision,
    GoldLink,
    GoldSource,
    GoldSpan,
    Project,
    RejectedSpan,
    User,
)
from annotator.models import Span as SpanRow
from annotator.models.base import utcnow
from annotator.services import audit
from annotator.services.errors import ServiceError
from annotator.services.history import (
    ENTITY,
    REDO,
    UNDO,
    action_of,
    iso,
    ledger_of,
    names_of,
    review_events,
)
from annotator.services.review import (
    DecisionBlocked,
    InvalidDecision,
    SpanRecord,
    StaleReview,
    Submitted,
    UndecidedGroups,
    adjudication_of,
    annotator_links,
    gold_ends,
    gold_links_of,
    gold_marks,
    gold_spans,
    link_json,
    next_open_document,
    refuse,
    rejected_ids,
    submitted_work,
)

# --------------------------------------------------------------------------
# Claiming a version
# --------------------------------------------------------------------------


def _checked_version(data: Mapping[str, Any]) -> int:
    version = data.get("version")
    if not is_stored_int(version):
        raise refuse("version", "must be the non-negative integer last loaded")
    return version


def _ensure_adjudication(session: Session, document: Document) -> Adjudication:
    """The document's adjudication row, created (and committed) at version 0
    if it is missing; a concurrent creation wins harmlessly."""
    found = adjudication_of(session, document)
    if found is not None:
        return found
    session.add(Adjudication(document_id=document.id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
    found = adjudication_of(session, document)
    if found is None:  # neither our insert nor a concurrent one is visible
        raise ServiceError("the document's review could not be started; try again")
    return found


def _current(adjudication: Adjudication) -> dict[str, Any]:
    return {"version": adjudication.version, "status": adjudication.status}


def _claim(
    session: Session, document: Document, data: Mapping[str, Any], *, open_only: bool
) -> Adjudication:
    """Bump the adjudication's version if it still equals ``data["version"]``."""
    version = _checked_version(data)
    adjudication = _ensure_adjudication(session, document)
    if adjudication.version != version:
        session.rollback()
        raise StaleReview(_current(adjudication))
    if open_only and adjudication.status == AdjudicationStatus.ADJUDICATED:
        raise refuse(
            "status", "this document is adjudicated: reopen it to change its gold"
        )
    bumped = cast(
        CursorResult[Any],
        session.execute(
            update(Adjudication)
            .where(Adjudication.id == adjudication.id, Adjudication.version == version)
            .values(version=version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ),
    )
    if bumped.rowcount != 1:
        session.rollback()
        session.refresh(adjudication)
        raise StaleReview(_current(adjudication))
    session.expire(adjudication, ["version", "updated_at"])
    return adjudication


Decision = Callable[
    [Session, Project, Document, User, Mapping[str, Any]], dict[str, Any]
]


def _decision(function: Decision) -> Decision:
    """Refuse a stale version before validating anything else: a reviewer
    who decided on an outdated view learns that first (the compare-and-set in
    :func:`_claim` still guards against races). A refused decision leaves
    the transaction rolled back."""

    @wraps(function)
    def checked(
        session: Session,
        project: Project,
        document: Document,
        reviewer: User,
        data: Mapping[str, Any],
    ) -> dict[str, Any]:
        version = _checked_version(data)
        found = adjudication_of(session, document)
        if (found.version if found else 0) != version:
            raise StaleReview(
                _current(found) if found else {"version": 0, "status": "open"}
            )
        try:
            return function(session, project, document, reviewer, data)
        except ServiceError:
            session.rollback()  # nothing partial: not even the version bump
            raise

    return checked


# --------------------------------------------------------------------------
# Changes and their audit rows
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Change:
    """What one decision did, as stored in its audit row."""

    created: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    unrejected: list[int] = field(default_factory=list)
    created_links: list[dict[str, Any]] = field(default_factory=list)
    deleted_links: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "created": self.created,
            "deleted": self.deleted,
            "rejected": self.rejected,
            "unrejected": self.unrejected,
            "created_links": self.created_links,
            "deleted_links": self.deleted_links,
        }
        if self.status is not None:
            data["status"] = self.status
        return data


def _stored(gold: GoldSpan) -> dict[str, Any]:
    """A gold span with everything needed to put it back."""
    return {
        "id": gold.id,
        "start": gold.start,
        "end": gold.end,
        "label_id": gold.label_id,
        "attributes": gold.attributes,
        "note": gold.note,
        "decision": gold.decision,
        "decided_by_id": gold.decided_by_id,
        "decided_at": iso(gold.decided_at),
        "sources": [
            {"span_id": s.span_id, "annotator_id": s.annotator_id} for s in gold.sources
        ],
    }


def _finish(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    adjudication: Adjudication,
    action: str,
    change: _Change,
) -> dict[str, Any]:
    audit.record(
        session,
        actor_id=reviewer.id,
        project_id=project.id,
        entity=ENTITY,
        entity_id=adjudication.id,
        action=action,
        data={"document_id": document.id, **change.to_dict()},
    )
    session.commit()
    return {
        "version": adjudication.version,
        "status": adjudication.status,
        "created": [item["id"] for item in change.created],
        "deleted": [item["id"] for item in change.deleted],
        "rejected": change.rejected,
        "created_links": [item["id"] for item in change.created_links],
    }


def _labels(project: Project) -> dict[str, int]:
    return {label.name: label.id for label in project.labels}


def _checked_span(
    data: Mapping[str, Any], project: Project, document: Document
) -> Span:
    """A gold span obeys the rules of annotators' spans (core.spans)."""
    span, errors = parse_span(data, "span")
    if span is not None:
        errors = span_errors(span, document.text, _labels(project), "span")
    if errors or span is None:
        first = errors[0]
        raise InvalidDecision(
            FieldError(first.field.removeprefix("span."), first.message)
        )
    return span


def _gold_exists(
    session: Session, document: Document, span: Span, label_id: int
) -> bool:
    return (
        session.scalar(
            select(GoldSpan.id).where(
                GoldSpan.document_id == document.id,
                GoldSpan.start == span.start,
                GoldSpan.end == span.end,
                GoldSpan.label_id == label_id,
            )
        )
        is not None
    )


#: A gold span's source: (annotator span id, None once that span is gone;
#: annotator id).
Source = tuple[int | None, int]


def _sources(records: Iterable[SpanRecord]) -> list[Source]:
    return [(record.id, record.annotator_id) for record in records]


def _add_gold(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    span: Span,
    decision: GoldDecision,
    sources: Sequence[Source],
    change: _Change,
) -> GoldSpan:
    label_id = _labels(project)[span.label]
    if _gold_exists(session, document, span, label_id):
        raise refuse(
            "span", f"{span.start}-{span.end} {span.label} is already in the gold layer"
        )
    gold = GoldSpan(
        document_id=document.id,
        label_id=label_id,
        start=span.start,
        end=span.end,
        attributes=dict(span.attributes),
        note=span.note,
        decision=decision,
        decided_by_id=reviewer.id,
        decided_at=utcnow(),
        sources=[
            GoldSource(span_id=span_id, annotator_id=annotator_id)
            for span_id, annotator_id in dict.fromkeys(sources)
        ],
    )
    session.add(gold)
    session.flush()
    change.created.append(_stored(gold))
    _unreject(session, [i for i, _ in sources if i is not None], change)
    return gold


def _unreject(session: Session, span_ids: Sequence[int], change: _Change) -> None:
    for row in session.scalars(
        select(RejectedSpan).where(RejectedSpan.span_id.in_(span_ids))
    ):
        change.unrejected.append(row.span_id)
        session.delete(row)


def _carry_links(
    session: Session, document: Document, work: Submitted, change: _Change
) -> None:
    """Link the gold spans this decision made as annotators linked their
    sources (see the module docstring); the links go into ``change``."""
    gold = gold_spans(session, document)
    existing = {
        (found.source_id, found.target_id, found.kind)
        for found in gold_links_of(session, [g.id for g in gold])
    }
    carried = rules.carried_links(
        annotator_links(session, work),
        gold_ends(gold),
        existing,
        [stored["id"] for stored in change.created],
    )
    for source_id, target_id, kind in carried:
        created = GoldLink(source_id=source_id, target_id=target_id, kind=kind)
        session.add(created)
        session.flush()
        change.created_links.append(link_json(created))


def _chosen_spans(work: Submitted, data: Mapping[str, Any]) -> list[SpanRecord]:
    ids = data.get("span_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise refuse("span_ids", "must be a non-empty list of span ids")
    known = {span.id: span for span in work.spans}
    missing = [i for i in ids if i not in known]
    if missing:
        raise refuse(
            "span_ids",
            f"no span {missing[0]} among the submitted spans of this document",
        )
    return [known[i] for i in dict.fromkeys(ids)]


def _common_attributes(spans: Sequence[SpanRecord]) -> dict[str, str]:
    shared = set(spans[0].attributes.items())
    for span in spans[1:]:
        shared &= set(span.attributes.items())
    return dict(sorted(shared))


def _proposal_span(triple: SpanTriple, sources: Sequence[SpanRecord]) -> Span:
    return Span(triple[0], triple[1], triple[2], _common_attributes(sources))


# --------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------


@_decision
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
    chosen = _chosen_spans(work, data)
    triples = {span.triple for span in chosen}
    if len(triples) != 1:
        raise refuse(
            "span_ids", "these spans differ: accept one, or correct them into one"
        )
    sources = work.with_triple(chosen[0].triple)
    proposed = _proposal_span(chosen[0].triple, sources)
    span = _checked_span(
        {**_span_dict(proposed), "note": data.get("note") or ""}, project, document
    )
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change()
    _add_gold(
        session,
        project,
        document,
        reviewer,
        span,
        GoldDecision.ACCEPTED,
        _sources(sources),
        change,
    )
    _carry_links(session, document, work, change)
    return _finish(session, project, document, reviewer, adjudication, "accept", change)


def _span_dict(span: Span) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "attributes": dict(span.attributes),
        "note": span.note,
    }


CORRECTABLE = ("start", "end", "label", "attributes", "note")


def _replaced(
    session: Session, document: Document, data: Mapping[str, Any]
) -> GoldSpan | None:
    """The gold span ``replaces`` names (None when absent)."""
    if "replaces" not in data or data["replaces"] is None:
        return None
    gold_id = data["replaces"]
    gold = session.get(GoldSpan, gold_id) if is_stored_int(gold_id) else None
    if gold is None or gold.document_id != document.id:
        raise refuse("replaces", "must be the id of a gold span of this document")
    return gold


def _gold_span_dict(gold: GoldSpan) -> dict[str, Any]:
    return {
        "start": gold.start,
        "end": gold.end,
        "label": gold.label.name,
        "attributes": dict(gold.attributes),
        "note": gold.note,
    }


def _correction_base(
    work: Submitted,
    data: Mapping[str, Any],
    replaced: GoldSpan | None,
) -> tuple[dict[str, Any], list[SpanRecord]]:
    """What the correction starts from (the replaced gold span, else the
    chosen spans' proposal) and the chosen annotator spans; with
    ``replaces`` the chosen spans may be none."""
    if replaced is not None and not data.get("span_ids"):
        return _gold_span_dict(replaced), []
    chosen = _chosen_spans(work, data)
    if replaced is not None:
        return _gold_span_dict(replaced), chosen
    return _span_dict(_proposal_span(chosen[0].triple, chosen)), chosen


def _same_as(span: Span, gold: GoldSpan) -> bool:
    return (span.start, span.end, span.label, dict(span.attributes), span.note) == (
        gold.start,
        gold.end,
        gold.label.name,
        gold.attributes,
        gold.note,
    )


@_decision
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
    a new boundary of a gold span."""
    replaced = _replaced(session, document, data)
    work = submitted_work(session, document)
    base, chosen = _correction_base(work, data, replaced)
    merged = {**base, **{key: data[key] for key in CORRECTABLE if key in data}}
    span = _checked_span(merged, project, document)
    if replaced is not None and _same_as(span, replaced):
        raise refuse(
            "span",
            f"this is gold span {replaced.id} as it is: change its label, "
            "boundaries, attributes or note",
        )
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change()
    sources: list[Source] = []
    kept: list[GoldLink] = []
    if replaced is not None:
        sources = [(s.span_id, s.annotator_id) for s in replaced.sources]
        kept = _remove_gold(session, replaced, change)
    created = _add_gold(
        session,
        project,
        document,
        reviewer,
        span,
        GoldDecision.CORRECTED,
        [*sources, *_sources(chosen)],
        change,
    )
    _move_links(session, kept, replaced, created, change)
    if chosen:
        _carry_links(session, document, work, change)
    return _finish(
        session, project, document, reviewer, adjudication, "correct", change
    )


def _remove_gold(session: Session, gold: GoldSpan, change: _Change) -> list[GoldLink]:
    """Delete ``gold`` and its links (into ``change``); the links as they were."""
    links = _links_touching(session, gold.id)
    for found in links:
        change.deleted_links.append(link_json(found))
        session.delete(found)
    session.flush()
    change.deleted.append(_stored(gold))
    session.delete(gold)
    session.flush()
    return links


def _move_links(
    session: Session,
    links: Sequence[GoldLink],
    replaced: GoldSpan | None,
    created: GoldSpan,
    change: _Change,
) -> None:
    """Draw ``links`` of the replaced gold span again to the one replacing
    it, where the link rules allow them between the labels now."""
    if replaced is None:
        return
    for old in links:
        source_id = created.id if old.source_id == replaced.id else old.source_id
        target_id = created.id if old.target_id == replaced.id else old.target_id
        ends = [session.get(GoldSpan, i) for i in (source_id, target_id)]
        if ends[0] is None or ends[1] is None or source_id == target_id:
            continue
        if not link_allowed(old.kind, ends[0].label.name, ends[1].label.name):
            continue
        moved = GoldLink(source_id=source_id, target_id=target_id, kind=old.kind)
        session.add(moved)
        session.flush()
        change.created_links.append(link_json(moved))


@_decision
def add_gold_span(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Add a span no annotator made."""
    span = _checked_span(data, project, document)
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change()
    _add_gold(
        session, project, document, reviewer, span, GoldDecision.ADDED, [], change
    )
    return _finish(session, project, document, reviewer, adjudication, "add", change)


@_decision
def reject(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Keep annotators' spans (e.g. a whole group) out of the gold layer."""
    work = submitted_work(session, document)
    chosen = _chosen_spans(work, data)
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
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change(rejected=fresh)
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
    return _finish(session, project, document, reviewer, adjudication, "reject", change)


@_decision
def remove_gold_span(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Take a span out of the gold layer again."""
    gold_id = data.get("gold_id")
    gold = session.get(GoldSpan, gold_id) if is_stored_int(gold_id) else None
    if gold is None or gold.document_id != document.id:
        raise refuse("gold_id", "no such gold span on this document")
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change()
    _remove_gold(session, gold, change)
    return _finish(session, project, document, reviewer, adjudication, "remove", change)


def _links_touching(session: Session, gold_id: int) -> list[GoldLink]:
    return list(
        session.scalars(
            select(GoldLink)
            .where(or_(GoldLink.source_id == gold_id, GoldLink.target_id == gold_id))
            .order_by(GoldLink.id)
        )
    )


def _link_end(
    session: Session, document: Document, data: Mapping[str, Any], end: str
) -> GoldSpan:
    gold_id = data.get(end)
    gold = None
    if is_stored_int(gold_id):
        gold = session.get(GoldSpan, gold_id)
    if gold is None or gold.document_id != document.id:
        raise refuse(end, "no gold span with this id on this document")
    return gold


@_decision
def link(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Link two gold spans (``source``, ``target``: gold span ids), under the
    link rules of annotators' spans."""
    source = _link_end(session, document, data, "source")
    target = _link_end(session, document, data, "target")
    kind = data.get("kind", "denies")
    if not isinstance(kind, str):
        raise refuse("kind", "must be a string")
    ends = [Span(g.start, g.end, g.label.name) for g in (source, target)]
    same = source.id == target.id  # one span: the rule's own self check
    errors = link_errors([Link(0, 0 if same else 1, kind)], ends, "link")
    if errors:
        first = errors[0]
        raise refuse(first.field.removeprefix("link[0].") or "link", first.message)
    exists = session.scalar(
        select(GoldLink.id).where(
            GoldLink.source_id == source.id,
            GoldLink.target_id == target.id,
            GoldLink.kind == kind,
        )
    )
    if exists is not None:
        raise refuse("target", "this link already exists")
    adjudication = _claim(session, document, data, open_only=True)
    created = GoldLink(source_id=source.id, target_id=target.id, kind=kind)
    session.add(created)
    session.flush()
    change = _Change(created_links=[link_json(created)])
    return _finish(session, project, document, reviewer, adjudication, "link", change)


@_decision
def unlink(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Remove a link between gold spans (``link_id``)."""
    link_id = data.get("link_id")
    found = session.get(GoldLink, link_id) if is_stored_int(link_id) else None
    source = session.get(GoldSpan, found.source_id) if found else None
    if found is None or source is None or source.document_id != document.id:
        raise refuse("link_id", "no such gold link on this document")
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change(deleted_links=[link_json(found)])
    session.delete(found)
    return _finish(session, project, document, reviewer, adjudication, "unlink", change)


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
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change()
    for proposal in todo:
        sources = work.with_triple(proposal.triple)
        _add_gold(
            session,
            project,
            document,
            reviewer,
            _proposal_span(proposal.triple, sources),
            GoldDecision.ACCEPTED,
            _sources(sources),
            change,
        )
    _carry_links(session, document, work, change)
    return _finish(session, project, document, reviewer, adjudication, action, change)


@_decision
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


@_decision
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
        _open_groups(session, document, work), len(work.annotators)
    )
    return _accept_proposals(
        session, project, document, reviewer, data, proposed, work, "accept_majority"
    )


def _open_groups(session: Session, document: Document, work: Submitted) -> list[Group]:
    """The groups no decision has settled yet (neither in gold nor rejected)."""
    gold = gold_marks(gold_spans(session, document), work)
    refused = rejected_ids(session, document)
    rejected = {s.triple for s in work.spans if s.id in refused}
    return rules.undecided_groups(work.groups(), gold, rejected)


def _confirmed_undecided(
    session: Session, document: Document, data: Mapping[str, Any]
) -> None:
    """Adjudicating while groups are undecided needs the reviewer to confirm
    how many: ``undecided`` must name the current count, else
    :class:`UndecidedGroups` says how many remain (a confirmation given for an
    older count does not pass)."""
    confirmed = data.get("undecided", 0)
    if not is_stored_int(confirmed):
        raise refuse(
            "undecided", "must be the number of undecided groups you confirm leaving"
        )
    remaining = len(_open_groups(session, document, submitted_work(session, document)))
    if remaining and confirmed != remaining:
        raise UndecidedGroups(remaining)


@_decision
def mark_adjudicated(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Declare the document's gold layer final; returns the next open document
    of the queue as ``next_document_id`` (None when there is none). With
    groups still undecided the body must confirm their number as
    ``undecided``."""
    _confirmed_undecided(session, document, data)
    adjudication = _claim(session, document, data, open_only=True)
    moment = utcnow()
    change = _Change(
        status={
            **_status_change(adjudication, AdjudicationStatus.ADJUDICATED),
            "after_adjudicated_by_id": reviewer.id,
            "after_adjudicated_at": iso(moment),
        }
    )
    adjudication.status = AdjudicationStatus.ADJUDICATED
    adjudication.adjudicated_by_id, adjudication.adjudicated_at = reviewer.id, moment
    result = _finish(
        session, project, document, reviewer, adjudication, "adjudicate", change
    )
    return {
        **result,
        "next_document_id": next_open_document(session, project, document.id),
    }


def _status_change(adjudication: Adjudication, after: str) -> dict[str, Any]:
    return {
        "before": adjudication.status,
        "after": after,
        "adjudicated_by_id": adjudication.adjudicated_by_id,
        "adjudicated_at": iso(adjudication.adjudicated_at),
    }


@_decision
def reopen(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Open an adjudicated document for decisions again."""
    adjudication = _claim(session, document, data, open_only=False)
    if adjudication.status != AdjudicationStatus.ADJUDICATED:
        session.rollback()
        raise refuse("status", "this document is not adjudicated")
    change = _Change(
        status={
            **_status_change(adjudication, AdjudicationStatus.OPEN),
            "after_adjudicated_by_id": None,
            "after_adjudicated_at": None,
        }
    )
    adjudication.status = AdjudicationStatus.OPEN
    adjudication.adjudicated_by_id = adjudication.adjudicated_at = None
    return _finish(session, project, document, reviewer, adjudication, "reopen", change)


# --------------------------------------------------------------------------
# Undo and redo
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Restored:
    """What taking a row back did, and the objects that came back under a
    new id because their old one was taken."""

    change: _Change = field(default_factory=_Change)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    span_ids: dict[decisions.Key, int] = field(default_factory=dict)

    def came_back(self, kind: str, stored: dict[str, Any], was: int) -> dict[str, Any]:
        if stored["id"] == was:
            return stored
        self.renamed.append({"kind": kind, "was": was, "id": stored["id"]})
        return {**stored, "was": was}


def _inconsistent(what: str) -> InvalidDecision:
    return refuse(
        "decision_id",
        f"{what}: the gold layer differs from its history; decide anew instead",
    )


def _drop_links(session: Session, ids: Sequence[int], done: _Restored) -> None:
    for link_id in ids:
        found = session.get(GoldLink, link_id)
        if found is not None:
            done.change.deleted_links.append(link_json(found))
            session.delete(found)
    session.flush()


def _drop_spans(session: Session, ids: Sequence[int], done: _Restored) -> None:
    for gold_id in ids:
        gold = session.get(GoldSpan, gold_id)
        if gold is None:
            continue
        _drop_links(
            session, [link.id for link in _links_touching(session, gold_id)], done
        )
        done.change.deleted.append(_stored(gold))
        session.delete(gold)
    session.flush()


def _free_id(
    session: Session, model: type[GoldSpan] | type[GoldLink], wanted: int
) -> int | None:
    """``wanted`` if no row has it (ids are restored as they were), else None."""
    return wanted if session.get(model, wanted) is None else None


def _raise_span(
    session: Session, document: Document, ref: decisions.GoldRef, done: _Restored
) -> int:
    stored = ref.stored
    if _gold_exists_at(session, document, ref):
        raise _inconsistent(f"a gold span already lies at {ref.start}-{ref.end}")
    alive = set(session.scalars(select(SpanRow.id).where(SpanRow.id.in_(ref.sources))))
    gold = GoldSpan(
        id=_free_id(session, GoldSpan, ref.id),
        document_id=document.id,
        label_id=ref.label_id,
        start=ref.start,
        end=ref.end,
        attributes=stored["attributes"],
        note=stored["note"],
        decision=stored["decision"],
        decided_by_id=stored["decided_by_id"],
        decided_at=datetime.fromisoformat(stored["decided_at"]),
        sources=[
            GoldSource(
                span_id=s["span_id"] if s["span_id"] in alive else None,
                annotator_id=s["annotator_id"],
            )
            for s in stored["sources"]
        ],
    )
    session.add(gold)
    session.flush()
    done.change.created.append(done.came_back("gold span", _stored(gold), ref.id))
    return gold.id


def _gold_exists_at(
    session: Session, document: Document, ref: decisions.GoldRef
) -> bool:
    found = session.scalar(
        select(GoldSpan.id).where(
            GoldSpan.document_id == document.id,
            GoldSpan.start == ref.start,
            GoldSpan.end == ref.end,
            GoldSpan.label_id == ref.label_id,
        )
    )
    return found is not None


def _raise_link(
    session: Session,
    ref: decisions.LinkRef,
    ends: tuple[decisions.Key, decisions.Key],
    done: _Restored,
) -> None:
    source, target = (done.span_ids.get(end) for end in ends)
    if source is None or target is None:
        raise _inconsistent(f"an end of gold link {ref.id} is gone")
    created = GoldLink(
        id=_free_id(session, GoldLink, ref.id),
        source_id=source,
        target_id=target,
        kind=ref.kind,
    )
    session.add(created)
    try:
        session.flush()
    except IntegrityError as error:
        raise _inconsistent(f"gold link {ref.id} exists again") from error
    done.change.created_links.append(
        done.came_back("gold link", link_json(created), ref.id)
    )


def _swap_rejections(
    session: Session,
    document: Document,
    change: decisions.Change,
    reviewer: User,
    done: _Restored,
) -> None:
    """Take back the row's rejections and restore the ones it took back."""
    for row in session.scalars(
        select(RejectedSpan).where(RejectedSpan.span_id.in_(change.rejected))
    ):
        done.change.unrejected.append(row.span_id)
        session.delete(row)
    present = rejected_ids(session, document)
    for span_id in sorted(change.unrejected - present):
        if session.get(SpanRow, span_id) is not None:
            done.change.rejected.append(span_id)
            session.add(
                RejectedSpan(
                    document_id=document.id, span_id=span_id, decided_by_id=reviewer.id
                )
            )


def _inverse_status(status: Mapping[str, Any]) -> dict[str, Any]:
    """The status change that takes ``status`` back. Rows written before
    status changes named who adjudicated after them hold no ``after_`` keys:
    only their undo needs them, and it uses the ``before`` ones."""
    return {
        "before": status["after"],
        "after": status["before"],
        "adjudicated_by_id": status.get("after_adjudicated_by_id"),
        "adjudicated_at": status.get("after_adjudicated_at"),
        "after_adjudicated_by_id": status["adjudicated_by_id"],
        "after_adjudicated_at": status["adjudicated_at"],
    }


def _apply_status(
    adjudication: Adjudication, status: Mapping[str, Any], done: _Restored
) -> None:
    if adjudication.status != status["before"]:
        raise _inconsistent(f"the document is {adjudication.status} now")
    moment = status["after_adjudicated_at"]
    done.change.status = {
        **_status_change(adjudication, status["after"]),
        "after_adjudicated_by_id": status["after_adjudicated_by_id"],
        "after_adjudicated_at": moment,
    }
    adjudication.status = status["after"]
    adjudication.adjudicated_by_id = status["after_adjudicated_by_id"]
    adjudication.adjudicated_at = datetime.fromisoformat(moment) if moment else None


def _status_taken_back(
    events: Mapping[int, AuditEvent], ledger: decisions.Ledger, row_id: int
) -> dict[str, Any] | None:
    """The status change taking row ``row_id`` back makes, if any."""
    row = ledger.rows[row_id]
    status = _status_with_after(events[row_id])
    if row.change is None and row.target is not None:  # undo row, first format
        target = _status_with_after(events[row.target])
        status = _inverse_status(target) if target else None
    return _inverse_status(status) if status else None


def _status_with_after(event: AuditEvent) -> dict[str, Any] | None:
    """A row's status change; rows written before status changes held their
    ``after_`` keys adjudicated as their author, when they were written."""
    status = event.data.get("status")
    if status is None or "after_adjudicated_by_id" in status:
        return status
    adjudicated = status["after"] == AdjudicationStatus.ADJUDICATED
    return {
        **status,
        "after_adjudicated_by_id": event.actor_id if adjudicated else None,
        "after_adjudicated_at": iso(event.created_at) if adjudicated else None,
    }


def _take_back(
    session: Session,
    document: Document,
    adjudication: Adjudication,
    reviewer: User,
    events: Mapping[int, AuditEvent],
    ledger: decisions.Ledger,
    row_id: int,
) -> _Restored:
    """Apply the inverse of row ``row_id``: remove what it created (found by
    key, wherever undo and redo moved it), put back what it deleted (with the
    ids it had when they are free), swap its rejections, revert its status."""
    keyed = ledger.keyed[row_id]
    change = keyed.change
    if adjudication.status == AdjudicationStatus.ADJUDICATED and not change.status:
        raise refuse(
            "status", "this document is adjudicated: reopen it to change its gold"
        )
    done = _Restored(span_ids=dict(ledger.span_ids))
    _drop_links(session, _current_ids(ledger.link_ids, keyed.created_links), done)
    _drop_spans(session, _current_ids(ledger.span_ids, keyed.created), done)
    for ref, key in zip(change.deleted, keyed.deleted, strict=True):
        done.span_ids[key] = _raise_span(session, document, ref, done)
    for link, ends in zip(change.deleted_links, keyed.deleted_ends, strict=True):
        _raise_link(session, link, ends, done)
    _swap_rejections(session, document, change, reviewer, done)
    status = _status_taken_back(events, ledger, row_id)
    if status is not None:
        _apply_status(adjudication, status, done)
    return done


def _current_ids(
    ids: Mapping[decisions.Key, int], keys: Sequence[decisions.Key]
) -> list[int]:
    return [ids[key] for key in keys if key in ids]


def _history(
    session: Session, adjudication: Adjudication
) -> tuple[list[AuditEvent], decisions.Ledger]:
    events = review_events(session, adjudication)
    return events, ledger_of(events)


def _requested(data: Mapping[str, Any]) -> int | None:
    requested = data.get("decision_id")
    if requested is not None and not is_stored_int(requested):
        raise refuse("decision_id", "must be the id of a decision in the history")
    return requested


def _blocked(
    session: Session, events: Sequence[AuditEvent], ids: Sequence[int], message: str
) -> DecisionBlocked:
    return DecisionBlocked(
        f"{message}: undo {names_of(session, events, ids)} first.", ids
    )


def _undo_target(
    session: Session,
    events: Sequence[AuditEvent],
    ledger: decisions.Ledger,
    requested: int | None,
) -> int:
    row_id = ledger.latest_live() if requested is None else requested
    if row_id is None:
        raise refuse("decision", "there is no decision to undo")
    if row_id not in ledger.rows or ledger.rows[row_id].kind == UNDO:
        raise refuse("decision_id", "no such decision on this document")
    if not ledger.is_live(row_id):
        raise refuse("decision_id", "this decision is undone already")
    blocking = ledger.blockers(row_id)
    if blocking:
        name = names_of(session, events, [row_id])
        raise _blocked(
            session,
            events,
            blocking,
            f"{name} cannot be undone alone: later decisions depend on what it changed",
        )
    return row_id


def _answer(
    adjudication: Adjudication, done: _Restored, **extra: Any
) -> dict[str, Any]:
    return {
        "version": adjudication.version,
        "status": adjudication.status,
        **extra,
        "created": [item["id"] for item in done.change.created],
        "deleted": [item["id"] for item in done.change.deleted],
        "renamed": done.renamed,
    }


def _record(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    adjudication: Adjudication,
    action: str,
    data: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor_id=reviewer.id,
        project_id=project.id,
        entity=ENTITY,
        entity_id=adjudication.id,
        action=action,
        data={"document_id": document.id, **data},
    )
    session.commit()


@_decision
def undo(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Take back one live decision (any reviewer's): ``decision_id`` from the
    review's history, else the latest. Refused (:class:`DecisionBlocked`)
    while a later live decision depends on it (:mod:`annotator.core.decisions`);
    the undo is an audit row holding what it changed, so redo can re-apply it."""
    requested = _requested(data)
    adjudication = _claim(session, document, data, open_only=False)
    events, ledger = _history(session, adjudication)
    row_id = _undo_target(session, events, ledger, requested)
    by_id = {event.id: event for event in events}
    done = _take_back(session, document, adjudication, reviewer, by_id, ledger, row_id)
    action = action_of(by_id[row_id])
    _record(
        session,
        project,
        document,
        reviewer,
        adjudication,
        UNDO,
        {"undoes": row_id, "action": action, **done.change.to_dict()},
    )
    return _answer(adjudication, done, undone=action, undone_id=row_id)


def _redo_target(
    session: Session,
    events: Sequence[AuditEvent],
    ledger: decisions.Ledger,
    requested: int | None,
) -> int:
    row_id = ledger.redo_candidate()
    if row_id is None:
        raise refuse("decision", "there is no undone decision to redo")
    name = names_of(session, events, [row_id])
    if requested is not None and requested != row_id:
        raise refuse(
            "decision_id",
            f"only the most recently undone decision can be redone: {name}",
        )
    blocking = ledger.redo_blockers(row_id)
    if blocking:
        raise _blocked(
            session,
            events,
            blocking,
            f"{name} cannot be redone: decided since, these touch what it changed",
        )
    return row_id


@_decision
def redo(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Re-apply the most recently undone decision not redone yet (``decision_id``
    may name it), refused while a decision made since conflicts with it; gold
    spans come back with their sources and deciders. The redo is an audit row
    (a live decision: undo can take it back)."""
    requested = _requested(data)
    adjudication = _claim(session, document, data, open_only=False)
    events, ledger = _history(session, adjudication)
    row_id = _redo_target(session, events, ledger, requested)
    by_id = {event.id: event for event in events}
    undo_id = ledger.undone_by[row_id]
    done = _take_back(session, document, adjudication, reviewer, by_id, ledger, undo_id)
    redone = by_id[row_id]
    action = redone.data["action"] if redone.action == REDO else redone.action
    _record(
        session,
        project,
        document,
        reviewer,
        adjudication,
        REDO,
        {"redoes": row_id, "action": action, **done.change.to_dict()},
    )
    return _answer(adjudication, done, redone=action, redone_id=row_id)


DECISIONS = {
    "accept": accept,
    "correct": accept_with_correction,
    "add": add_gold_span,
    "reject": reject,
    "remove": remove_gold_span,
    "link": link,
    "unlink": unlink,
    "accept-agreed": accept_all_agreed,
    "accept-majority": accept_majority,
    "adjudicate": mark_adjudicated,
    "reopen": reopen,
    "undo": undo,
    "redo": redo,
}
