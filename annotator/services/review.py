"""Review and adjudication: the queue, one document's aligned spans, and the
reviewer's decisions that build the gold layer.

Only submitted work is reviewed. Every decision names the adjudication
``version`` the reviewer last saw and bumps it with a compare-and-set, so that
a second reviewer's stale decision gets :class:`StaleReview` (HTTP 409) instead
of overwriting. Every decision writes one audit row (entity ``adjudication``)
holding exactly what it changed, which is what :func:`undo` reverts. Offsets are
code points, end exclusive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from annotator.core import adjudication as rules
from annotator.core.diff import GROUP_KIND_TEXT, Group, GroupKind, SpanTriple, align
from annotator.core.spans import (
    FieldError,
    Link,
    Span,
    link_errors,
    parse_span,
    span_errors,
)
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Document,
    GoldDecision,
    GoldLink,
    GoldSource,
    GoldSpan,
    Label,
    Project,
    RejectedSpan,
    User,
)
from annotator.models import Span as SpanRow
from annotator.models.base import utcnow
from annotator.services import audit
from annotator.services.errors import NotFoundError, ServiceError

ENTITY = "adjudication"
UNDO = "undo"
#: Assignment states that keep a document out of the review queue.
UNFINISHED = (AssignmentStatus.TODO, AssignmentStatus.IN_PROGRESS)


class InvalidDecision(ServiceError):
    """A decision the service refuses; ``field`` names the bad input."""

    def __init__(self, error: FieldError) -> None:
        self.field = error.field
        super().__init__(str(error))


class StaleReview(ServiceError):
    """The reviewer decided on an outdated view of the document."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__(
            "Another reviewer changed this document's gold layer meanwhile; "
            "the latest state has been loaded."
        )


def _refuse(field_name: str, message: str) -> InvalidDecision:
    return InvalidDecision(FieldError(field_name, message))


# --------------------------------------------------------------------------
# Reading submitted work
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpanRecord:
    id: int
    annotator_id: int
    start: int
    end: int
    label: str
    attributes: Mapping[str, str]
    note: str

    @property
    def triple(self) -> SpanTriple:
        return (self.start, self.end, self.label)


@dataclass(frozen=True, slots=True)
class Submitted:
    """One document's submitted annotators (by username) and their spans."""

    annotators: tuple[tuple[int, str], ...]  # (user id, username)
    spans: tuple[SpanRecord, ...]

    def by_annotator(self) -> dict[int, list[SpanTriple]]:
        found: dict[int, list[SpanTriple]] = {uid: [] for uid, _ in self.annotators}
        for span in self.spans:
            found[span.annotator_id].append(span.triple)
        return found

    def groups(self) -> list[Group]:
        """The spans aligned by :func:`annotator.core.diff.align`."""
        return align(self.by_annotator())

    def with_triple(self, triple: SpanTriple) -> list[SpanRecord]:
        return [span for span in self.spans if span.triple == triple]


def _span_query() -> Any:
    return (
        select(SpanRow, Label.name)
        .join(Label, Label.id == SpanRow.label_id)
        .join(
            Assignment,
            (Assignment.document_id == SpanRow.document_id)
            & (Assignment.user_id == SpanRow.annotator_id),
        )
        .where(Assignment.status == AssignmentStatus.SUBMITTED)
        .order_by(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.id)
    )


def _record(row: SpanRow, label: str) -> SpanRecord:
    return SpanRecord(
        row.id, row.annotator_id, row.start, row.end, label, row.attributes, row.note
    )


def submitted_work(session: Session, document: Document) -> Submitted:
    """The submitted annotators of ``document`` and their spans."""
    annotators = session.execute(
        select(User.id, User.username)
        .join(Assignment, Assignment.user_id == User.id)
        .where(
            Assignment.document_id == document.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
        .order_by(User.username)
    ).all()
    rows = session.execute(
        _span_query().where(SpanRow.document_id == document.id)
    ).all()
    return Submitted(
        tuple((uid, name) for uid, name in annotators),
        tuple(_record(row, label) for row, label in rows),
    )


def find_document(session: Session, project: Project, document_id: int) -> Document:
    """The project's document ``document_id``; another project's is not found."""
    found = session.get(Document, document_id)
    if found is None or found.project_id != project.id:
        raise NotFoundError(f"no document {document_id} in {project.name}")
    return found


# --------------------------------------------------------------------------
# The queue
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueEntry:
    document_id: int
    external_id: str
    title: str
    n_annotators: int
    n_groups: int
    n_disagreements: int
    kinds: Mapping[GroupKind, int]
    status: str
    n_gold: int

    @property
    def name(self) -> str:
        return self.title or self.external_id

    @property
    def share(self) -> float:
        return self.n_disagreements / self.n_groups if self.n_groups else 0.0


def _reviewable_ids(session: Session, project: Project) -> list[int]:
    """Documents with a submitted assignment and none still being worked on
    (a skipped assignment does not hold a document back)."""
    rows = session.execute(
        select(Assignment.document_id, Assignment.status)
        .join(Document, Document.id == Assignment.document_id)
        .where(Document.project_id == project.id)
    ).all()
    submitted: set[int] = set()
    unfinished: set[int] = set()
    for document_id, status in rows:
        if status == AssignmentStatus.SUBMITTED:
            submitted.add(document_id)
        elif status in UNFINISHED:
            unfinished.add(document_id)
    return sorted(submitted - unfinished)


def _project_work(
    session: Session, project: Project, ids: Sequence[int]
) -> dict[int, Submitted]:
    annotators: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    for document_id, uid, name in session.execute(
        select(Assignment.document_id, User.id, User.username)
        .join(User, User.id == Assignment.user_id)
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Document.project_id == project.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
        .order_by(User.username)
    ):
        if document_id in annotators:
            annotators[document_id].append((uid, name))
    spans: dict[int, list[SpanRecord]] = {i: [] for i in ids}
    query = _span_query().join(Document, Document.id == SpanRow.document_id)
    for row, label in session.execute(query.where(Document.project_id == project.id)):
        if row.document_id in spans:
            spans[row.document_id].append(_record(row, label))
    return {i: Submitted(tuple(annotators[i]), tuple(spans[i])) for i in ids}


def _touches(group: Group, label: str | None) -> bool:
    if label is None:
        return True
    return any(found == label for _, _, found in rules.group_votes(group))


def _entry(
    document: Document,
    work: Submitted,
    label: str | None,
    status: str,
    n_gold: int,
) -> QueueEntry | None:
    groups = [group for group in work.groups() if _touches(group, label)]
    if label is not None and not groups:
        return None
    kinds = dict.fromkeys(GroupKind, 0)
    for group in groups:
        kinds[group.kind] += 1
    return QueueEntry(
        document_id=document.id,
        external_id=document.external_id,
        title=document.title,
        n_annotators=len(work.annotators),
        n_groups=len(groups),
        n_disagreements=sum(group.is_disagreement for group in groups),
        kinds=kinds,
        status=status,
        n_gold=n_gold,
    )


def _statuses(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(
        select(Adjudication.document_id, Adjudication.status).where(
            Adjudication.document_id.in_(ids)
        )
    )
    return dict(rows.all())


def _gold_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for document_id in session.scalars(
        select(GoldSpan.document_id).where(GoldSpan.document_id.in_(ids))
    ):
        counts[document_id] = counts.get(document_id, 0) + 1
    return counts


def check_label(project: Project, label: str | None) -> str | None:
    """``label`` if the project has it (None: every label)."""
    if not label:
        return None
    names = [found.name for found in project.labels]
    if label not in names:
        raise _refuse(
            "label", f"unknown label {label!r} (this project has: {', '.join(names)})"
        )
    return label


def review_queue(
    session: Session, project: Project, label: str | None = None
) -> list[QueueEntry]:
    """Documents every assigned annotator has submitted (skips aside), most
    disagreements first (then the larger share of disagreeing groups); with
    ``label``, only groups with a span of that label count and documents
    without one are left out."""
    chosen = check_label(project, label)
    ids = _reviewable_ids(session, project)
    work = _project_work(session, project, ids)
    statuses, gold = _statuses(session, ids), _gold_counts(session, ids)
    documents = session.scalars(select(Document).where(Document.id.in_(ids))).all()
    entries = [
        _entry(
            document,
            work[document.id],
            chosen,
            statuses.get(document.id, AdjudicationStatus.OPEN),
            gold.get(document.id, 0),
        )
        for document in documents
    ]
    found = [entry for entry in entries if entry is not None]
    return sorted(found, key=lambda e: (-e.n_disagreements, -e.share, e.document_id))


def next_open_document(
    session: Session, project: Project, after: int | None = None
) -> int | None:
    """The first document of the queue still open for review, but ``after``."""
    for entry in review_queue(session, project):
        if entry.status == AdjudicationStatus.OPEN and entry.document_id != after:
            return entry.document_id
    return None


# --------------------------------------------------------------------------
# One document
# --------------------------------------------------------------------------


def _adjudication(session: Session, document: Document) -> Adjudication | None:
    return session.scalar(
        select(Adjudication).where(Adjudication.document_id == document.id)
    )


def gold_spans(session: Session, document: Document) -> list[GoldSpan]:
    """The document's gold layer, in text order."""
    return list(
        session.scalars(
            select(GoldSpan)
            .options(selectinload(GoldSpan.sources), selectinload(GoldSpan.label))
            .where(GoldSpan.document_id == document.id)
            .order_by(GoldSpan.start, GoldSpan.end, GoldSpan.id)
        )
    )


def gold_spans_of(session: Session, document_ids: Sequence[int]) -> list[GoldSpan]:
    """The gold spans of several documents, by document, then in text order."""
    return list(
        session.scalars(
            select(GoldSpan)
            .options(selectinload(GoldSpan.sources), selectinload(GoldSpan.label))
            .join(Label, Label.id == GoldSpan.label_id)
            .where(GoldSpan.document_id.in_(document_ids))
            .order_by(
                GoldSpan.document_id,
                GoldSpan.start,
                GoldSpan.end,
                Label.name,
                GoldSpan.id,
            )
        )
    )


def gold_links_of(session: Session, gold_ids: Sequence[int]) -> list[GoldLink]:
    """Links whose source is one of ``gold_ids``, in (source, target, kind) order."""
    return list(
        session.scalars(
            select(GoldLink)
            .where(GoldLink.source_id.in_(gold_ids))
            .order_by(GoldLink.source_id, GoldLink.target_id, GoldLink.kind)
        )
    )


def _link_json(link: GoldLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "source_id": link.source_id,
        "target_id": link.target_id,
        "kind": link.kind,
    }


def _rejected_ids(session: Session, document: Document) -> set[int]:
    return set(
        session.scalars(
            select(RejectedSpan.span_id).where(RejectedSpan.document_id == document.id)
        )
    )


def _stack(session: Session, adjudication: Adjudication | None) -> list[AuditEvent]:
    """The decisions on a document not undone yet, oldest first."""
    if adjudication is None:
        return []
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == ENTITY, AuditEvent.entity_id == adjudication.id)
        .order_by(AuditEvent.id)
    )
    stack: list[AuditEvent] = []
    for event in events:
        if event.action == UNDO:
            stack.pop()
        else:
            stack.append(event)
    return stack


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return dict(rows.all())


@dataclass(slots=True)
class _View:
    """What a payload needs to name annotators and reviewers."""

    keys: dict[int, str]  # annotator id -> alias or username
    users: dict[int, str] = field(default_factory=dict)  # reviewer names


def _gold_json(gold: GoldSpan, view: _View) -> dict[str, Any]:
    annotators = dict.fromkeys(s.annotator_id for s in gold.sources)
    return {
        "id": gold.id,
        "start": gold.start,
        "end": gold.end,
        "label": gold.label.name,
        "attributes": gold.attributes,
        "note": gold.note,
        "decision": gold.decision,
        "sources": [view.keys.get(uid, "?") for uid in annotators],
        "source_span_ids": [s.span_id for s in gold.sources if s.span_id],
        "decided_by": view.users.get(gold.decided_by_id or 0),
        "decided_at": _iso(gold.decided_at),
    }


def _group_json(
    index: int,
    group: Group,
    work: Submitted,
    view: _View,
    decided: bool,
    threshold: int,
) -> dict[str, Any]:
    ids: dict[str, list[int]] = {}
    for uid, triples in cast(Mapping[int, tuple[SpanTriple, ...]], group.spans).items():
        ids[view.keys[uid]] = [
            span.id
            for span in work.spans
            if span.annotator_id == uid and span.triple in triples
        ]
    majority = [
        {
            "start": found.start,
            "end": found.end,
            "label": found.label,
            "span_ids": [span.id for span in work.with_triple(found.triple)],
        }
        for found in rules.proposals(group, threshold)
    ]
    return {
        "index": index,
        "start": group.start,
        "end": group.end,
        "kind": group.kind.value,
        "kind_text": GROUP_KIND_TEXT[group.kind],
        "labels_differ": group.labels_differ,
        "span_ids": ids,
        "decided": decided,
        "majority": majority,
    }


def _keys(work: Submitted, show_names: bool) -> dict[int, str]:
    return {
        uid: name if show_names else rules.alias(index)
        for index, (uid, name) in enumerate(work.annotators)
    }


@dataclass(frozen=True, slots=True)
class _Decided:
    """The reviewer's decisions so far on one document."""

    adjudication: Adjudication | None
    gold: list[GoldSpan]
    rejected: set[int]  # annotator span ids

    def gold_triples(self) -> list[SpanTriple]:
        return [(g.start, g.end, g.label.name) for g in self.gold]

    def gold_sources(self) -> set[int | None]:
        return {s.span_id for g in self.gold for s in g.sources}


def _decided(session: Session, document: Document) -> _Decided:
    return _Decided(
        _adjudication(session, document),
        gold_spans(session, document),
        _rejected_ids(session, document),
    )


def _spans_json(
    work: Submitted, decided: _Decided, view: _View
) -> list[dict[str, Any]]:
    in_gold = decided.gold_sources()
    return [
        {
            "id": span.id,
            "annotator": view.keys[span.annotator_id],
            "start": span.start,
            "end": span.end,
            "label": span.label,
            "attributes": dict(span.attributes),
            "note": span.note,
            "rejected": span.id in decided.rejected,
            "in_gold": span.id in in_gold,
        }
        for span in work.spans
    ]


def _groups_json(
    work: Submitted, decided: _Decided, view: _View
) -> list[dict[str, Any]]:
    threshold = rules.majority_threshold(len(work.annotators))
    gold = decided.gold_triples()
    rejected = {s.triple for s in work.spans if s.id in decided.rejected}
    return [
        _group_json(
            index,
            group,
            work,
            view,
            rules.is_decided(group, gold, rejected),
            threshold,
        )
        for index, group in enumerate(work.groups())
    ]


def _state_json(
    session: Session, adjudication: Adjudication | None, view: _View
) -> dict[str, Any]:
    """Version, status, who adjudicated and the decision undo would revert."""
    stack = _stack(session, adjudication)
    if adjudication is None:
        status, version, by, at = str(AdjudicationStatus.OPEN), 0, None, None
    else:
        status, version = adjudication.status, adjudication.version
        by = view.users.get(adjudication.adjudicated_by_id or 0)
        at = _iso(adjudication.adjudicated_at)
    return {
        "version": version,
        "status": status,
        "adjudicated_by": by,
        "adjudicated_at": at,
        "last_decision": stack[-1].action if stack else None,
    }


def document_review(
    session: Session,
    project: Project,
    document: Document,
    show_names: bool = False,
) -> dict[str, Any]:
    """Everything the review page shows, as JSON values: the text, each
    submitted annotator's spans (named, or A, B, C when ``show_names`` is off),
    the aligned groups with their kind, whether each is decided and its
    majority proposal, the gold layer with provenance, and the ``version``
    the next decision must name."""
    if document.project_id != project.id:
        raise NotFoundError(f"no document {document.id} in {project.name}")
    work = submitted_work(session, document)
    decided = _decided(session, document)
    adjudication = decided.adjudication
    view = _View(_keys(work, show_names))
    view.users = _usernames(
        session,
        [g.decided_by_id for g in decided.gold]
        + [adjudication.adjudicated_by_id if adjudication else None],
    )
    groups = _groups_json(work, decided, view)
    links = gold_links_of(session, [g.id for g in decided.gold])
    return {
        "document": {
            "id": document.id,
            "external_id": document.external_id,
            "title": document.title,
            "text": document.text,
        },
        **_state_json(session, adjudication, view),
        "names_shown": show_names,
        "labels": [
            {"name": label.name, "display_name": label.display_name}
            for label in project.labels
        ],
        "annotators": [
            {"key": view.keys[uid], "n_spans": len(spans)}
            for uid, spans in work.by_annotator().items()
        ],
        "spans": _spans_json(work, decided, view),
        "groups": groups,
        "gold": [_gold_json(g, view) for g in decided.gold],
        "gold_links": [_link_json(link) for link in links],
        "majority_threshold": rules.majority_threshold(len(work.annotators)),
        "undecided": sum(not row["decided"] for row in groups),
    }


# --------------------------------------------------------------------------
# Claiming a version
# --------------------------------------------------------------------------


def _checked_version(data: Mapping[str, Any]) -> int:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise _refuse("version", "must be the non-negative integer last loaded")
    return version


def _ensure_adjudication(session: Session, document: Document) -> Adjudication:
    """The document's adjudication row, created (and committed) at version 0
    if it is missing; a concurrent creation wins harmlessly."""
    found = _adjudication(session, document)
    if found is not None:
        return found
    session.add(Adjudication(document_id=document.id))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
    found = _adjudication(session, document)
    assert found is not None  # noqa: S101 - created just above or concurrently
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
        raise _refuse(
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
        found = _adjudication(session, document)
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
        "decided_at": _iso(gold.decided_at),
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
    }


def _labels(project: Project) -> dict[str, int]:
    return {label.name: label.id for label in project.labels}


def _checked_span(
    data: Mapping[str, Any], project: Project, document: Document
) -> Span:
    """A gold span obeys the rules of annotators' spans (core.spans)."""
    span, errors = parse_span(data, "span")
    if span is not None:
        errors = span_errors(span, document.text_length, _labels(project), "span")
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


def _add_gold(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    span: Span,
    decision: GoldDecision,
    sources: Sequence[SpanRecord],
    change: _Change,
) -> None:
    label_id = _labels(project)[span.label]
    if _gold_exists(session, document, span, label_id):
        raise _refuse(
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
            GoldSource(span_id=s.id, annotator_id=s.annotator_id) for s in sources
        ],
    )
    session.add(gold)
    session.flush()
    change.created.append(_stored(gold))
    _unreject(session, [s.id for s in sources], change)


def _unreject(session: Session, span_ids: Sequence[int], change: _Change) -> None:
    for row in session.scalars(
        select(RejectedSpan).where(RejectedSpan.span_id.in_(span_ids))
    ):
        change.unrejected.append(row.span_id)
        session.delete(row)


def _chosen_spans(work: Submitted, data: Mapping[str, Any]) -> list[SpanRecord]:
    ids = data.get("span_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise _refuse("span_ids", "must be a non-empty list of span ids")
    known = {span.id: span for span in work.spans}
    missing = [i for i in ids if i not in known]
    if missing:
        raise _refuse(
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
        raise _refuse(
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
        sources,
        change,
    )
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


@_decision
def accept_with_correction(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Take annotators' spans into gold with the reviewer's boundary, label,
    attributes or note; the chosen spans are its sources."""
    work = submitted_work(session, document)
    chosen = _chosen_spans(work, data)
    base = _span_dict(_proposal_span(chosen[0].triple, chosen))
    merged = {**base, **{key: data[key] for key in CORRECTABLE if key in data}}
    span = _checked_span(merged, project, document)
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change()
    _add_gold(
        session,
        project,
        document,
        reviewer,
        span,
        GoldDecision.CORRECTED,
        chosen,
        change,
    )
    return _finish(
        session, project, document, reviewer, adjudication, "correct", change
    )


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
        session, project, document, reviewer, span, GoldDecision.ADDED, (), change
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
        raise _refuse(
            "span_ids",
            f"span {taken[0]} is in the gold layer: remove that gold span first",
        )
    already = _rejected_ids(session, document)
    fresh = [span.id for span in chosen if span.id not in already]
    if not fresh:
        raise _refuse("span_ids", "these spans are rejected already")
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
    gold = session.get(GoldSpan, gold_id) if isinstance(gold_id, int) else None
    if gold is None or gold.document_id != document.id:
        raise _refuse("gold_id", "no such gold span on this document")
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change(deleted=[_stored(gold)])
    for link in _links_touching(session, gold.id):
        change.deleted_links.append(_link_json(link))
        session.delete(link)
    session.flush()
    session.delete(gold)
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
    if isinstance(gold_id, int) and not isinstance(gold_id, bool):
        gold = session.get(GoldSpan, gold_id)
    if gold is None or gold.document_id != document.id:
        raise _refuse(end, "no gold span with this id on this document")
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
        raise _refuse("kind", "must be a string")
    ends = [Span(g.start, g.end, g.label.name) for g in (source, target)]
    same = source.id == target.id  # one span: the rule's own self check
    errors = link_errors([Link(0, 0 if same else 1, kind)], ends, "link")
    if errors:
        first = errors[0]
        raise _refuse(first.field.removeprefix("link[0].") or "link", first.message)
    exists = session.scalar(
        select(GoldLink.id).where(
            GoldLink.source_id == source.id,
            GoldLink.target_id == target.id,
            GoldLink.kind == kind,
        )
    )
    if exists is not None:
        raise _refuse("target", "this link already exists")
    adjudication = _claim(session, document, data, open_only=True)
    created = GoldLink(source_id=source.id, target_id=target.id, kind=kind)
    session.add(created)
    session.flush()
    change = _Change(created_links=[_link_json(created)])
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
    found = session.get(GoldLink, link_id) if isinstance(link_id, int) else None
    source = session.get(GoldSpan, found.source_id) if found else None
    if found is None or source is None or source.document_id != document.id:
        raise _refuse("link_id", "no such gold link on this document")
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change(deleted_links=[_link_json(found)])
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
        raise _refuse("decision", "no such span is left to accept")
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
            sources,
            change,
        )
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
    gold = [(g.start, g.end, g.label.name) for g in gold_spans(session, document)]
    rejected_ids = _rejected_ids(session, document)
    rejected = {s.triple for s in work.spans if s.id in rejected_ids}
    open_groups = [
        group for group in work.groups() if not rules.is_decided(group, gold, rejected)
    ]
    proposed = rules.majority_proposals(open_groups, len(work.annotators))
    return _accept_proposals(
        session, project, document, reviewer, data, proposed, work, "accept_majority"
    )


@_decision
def mark_adjudicated(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Declare the document's gold layer final; returns the next open document
    of the queue as ``next_document_id`` (None when there is none)."""
    adjudication = _claim(session, document, data, open_only=True)
    change = _Change(
        status=_status_change(adjudication, AdjudicationStatus.ADJUDICATED)
    )
    adjudication.status = AdjudicationStatus.ADJUDICATED
    adjudication.adjudicated_by_id, adjudication.adjudicated_at = reviewer.id, utcnow()
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
        "adjudicated_at": _iso(adjudication.adjudicated_at),
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
        raise _refuse("status", "this document is not adjudicated")
    change = _Change(status=_status_change(adjudication, AdjudicationStatus.OPEN))
    adjudication.status = AdjudicationStatus.OPEN
    adjudication.adjudicated_by_id = adjudication.adjudicated_at = None
    return _finish(session, project, document, reviewer, adjudication, "reopen", change)


# --------------------------------------------------------------------------
# Undo
# --------------------------------------------------------------------------


def _restore_gold(
    session: Session, document: Document, stored: Mapping[str, Any]
) -> None:
    existing = set(
        session.scalars(
            select(SpanRow.id).where(
                SpanRow.id.in_(
                    [s["span_id"] for s in stored["sources"] if s["span_id"]]
                )
            )
        )
    )
    session.add(
        GoldSpan(
            id=stored["id"],
            document_id=document.id,
            label_id=stored["label_id"],
            start=stored["start"],
            end=stored["end"],
            attributes=stored["attributes"],
            note=stored["note"],
            decision=stored["decision"],
            decided_by_id=stored["decided_by_id"],
            decided_at=datetime.fromisoformat(stored["decided_at"]),
            sources=[
                GoldSource(
                    span_id=s["span_id"] if s["span_id"] in existing else None,
                    annotator_id=s["annotator_id"],
                )
                for s in stored["sources"]
            ],
        )
    )


def _revert_links(session: Session, data: Mapping[str, Any]) -> None:
    for stored in data.get("created_links", []):
        found = session.get(GoldLink, stored["id"])
        if found is not None:
            session.delete(found)
    session.flush()


def _revert_spans(
    session: Session, document: Document, data: Mapping[str, Any]
) -> None:
    for stored in data.get("created", []):
        gold = session.get(GoldSpan, stored["id"])
        if gold is not None:
            for touching in _links_touching(session, gold.id):
                session.delete(touching)
            session.flush()
            session.delete(gold)
    session.flush()
    for stored in data.get("deleted", []):
        _restore_gold(session, document, stored)
    session.flush()
    for stored in data.get("deleted_links", []):
        session.add(
            GoldLink(
                id=stored["id"],
                source_id=stored["source_id"],
                target_id=stored["target_id"],
                kind=stored["kind"],
            )
        )


def _revert_rejections(
    session: Session, document: Document, data: Mapping[str, Any], reviewer: User
) -> None:
    rejected = data.get("rejected", [])
    for row in session.scalars(
        select(RejectedSpan).where(RejectedSpan.span_id.in_(rejected))
    ):
        session.delete(row)
    for span_id in data.get("unrejected", []):
        if session.get(SpanRow, span_id) is not None:
            session.add(
                RejectedSpan(
                    document_id=document.id, span_id=span_id, decided_by_id=reviewer.id
                )
            )


def _revert_status(adjudication: Adjudication, data: Mapping[str, Any]) -> None:
    status = data.get("status")
    if status is None:
        return
    adjudication.status = status["before"]
    adjudication.adjudicated_by_id = status["adjudicated_by_id"]
    moment = status["adjudicated_at"]
    adjudication.adjudicated_at = datetime.fromisoformat(moment) if moment else None


def _revert(
    session: Session,
    document: Document,
    adjudication: Adjudication,
    data: Mapping[str, Any],
    reviewer: User,
) -> None:
    """Put the gold layer back as it was before the decision ``data`` records."""
    _revert_links(session, data)
    _revert_spans(session, document, data)
    _revert_rejections(session, document, data, reviewer)
    _revert_status(adjudication, data)


@_decision
def undo(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Revert the latest decision on the document not undone yet (any
    reviewer's); the undo itself is an audit row too."""
    adjudication = _claim(session, document, data, open_only=False)
    stack = _stack(session, adjudication)
    if not stack:
        session.rollback()
        raise _refuse("decision", "there is no decision to undo")
    last = stack[-1]
    _revert(session, document, adjudication, last.data, reviewer)
    change = _Change(
        created=list(last.data.get("deleted", [])),
        deleted=list(last.data.get("created", [])),
    )
    audit.record(
        session,
        actor_id=reviewer.id,
        project_id=project.id,
        entity=ENTITY,
        entity_id=adjudication.id,
        action=UNDO,
        data={"document_id": document.id, "undoes": last.id, "action": last.action},
    )
    session.commit()
    return {
        "version": adjudication.version,
        "status": adjudication.status,
        "undone": last.action,
        "created": [item["id"] for item in change.created],
        "deleted": [item["id"] for item in change.deleted],
    }


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
}


# --------------------------------------------------------------------------
# Annotators against gold
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnotatorQuality:
    annotator: str
    n_documents: int
    by_label: Mapping[str | None, rules.Quality]  # None: all labels


def annotator_quality(
    session: Session, project: Project, mode: rules.Mode = "exact"
) -> list[AnnotatorQuality]:
    """Each annotator's span precision, recall and F1 per label against the
    gold layer of the adjudicated documents they submitted."""
    documents = session.scalars(
        select(Document)
        .join(Adjudication, Adjudication.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            Adjudication.status == AdjudicationStatus.ADJUDICATED,
        )
        .order_by(Document.id)
    ).all()
    pairs: dict[str, list[rules.DocumentPair]] = {}
    for document in documents:
        work = submitted_work(session, document)
        gold = [(g.start, g.end, g.label.name) for g in gold_spans(session, document)]
        mine = work.by_annotator()
        for uid, name in work.annotators:
            pairs.setdefault(name, []).append(
                rules.DocumentPair(document.text_length, gold, mine[uid])
            )
    labels = [label.name for label in project.labels]
    return [
        AnnotatorQuality(name, len(found), rules.quality_by_label(found, labels, mode))
        for name, found in sorted(pairs.items())
    ]
