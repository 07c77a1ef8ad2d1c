"""Review: the queue, one document's aligned spans and gold layer, and each
annotator's quality against gold. The reviewer's decisions are in
:mod:`annotator.services.adjudication`.

Only submitted work of complete documents is reviewed
(:mod:`annotator.services.submitted`). Offsets are code points, end exclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from annotator.core import adjudication as rules
from annotator.core.diff import (
    GROUP_KIND_TEXT,
    Group,
    GroupKind,
    SpanTriple,
    align,
    disagreement_rank,
    kind_counts_many,
)
from annotator.core.spans import (
    FieldError,
)
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Document,
    GoldLink,
    GoldSpan,
    Label,
    Project,
    RejectedSpan,
    SpanLink,
)
from annotator.models import Span as SpanRow
from annotator.services import submitted
from annotator.services.errors import FieldRefused, NotFoundError, ServiceError
from annotator.services.history import ENTITY as ENTITY
from annotator.services.history import history_json, iso, usernames


class InvalidDecision(FieldRefused):
    """A decision the service refuses; ``field`` names the bad input."""


class StaleReview(ServiceError):
    """The reviewer decided on an outdated view of the document."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__(
            "Another reviewer changed this document's gold layer meanwhile; "
            "the latest state has been loaded."
        )


class DecisionBlocked(ServiceError):
    """An undo or redo that later live decisions stand in the way of
    (:mod:`annotator.core.decisions`); ``blocking`` are their audit row ids."""

    def __init__(self, message: str, blocking: Sequence[int]) -> None:
        self.blocking = list(blocking)
        super().__init__(message)


class UndecidedGroups(ServiceError):
    """Adjudication asked while groups are undecided, without confirming
    their number; ``undecided`` is how many remain."""

    def __init__(self, undecided: int) -> None:
        self.undecided = undecided
        groups = "group is" if undecided == 1 else "groups are"
        super().__init__(
            f"{undecided} {groups} still undecided: decide them, or confirm "
            f"adjudicating without them by sending undecided={undecided}"
        )


def refuse(field_name: str, message: str) -> InvalidDecision:
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
    """Plain columns, not ORM objects: the queue reads every span of a project."""
    return (
        select(
            SpanRow.document_id,
            SpanRow.id,
            SpanRow.annotator_id,
            SpanRow.start,
            SpanRow.end,
            Label.name,
            SpanRow.attributes,
            SpanRow.note,
        )
        .join(Label, Label.id == SpanRow.label_id)
        .where(
            submitted.submitted_assignment(SpanRow.document_id, SpanRow.annotator_id)
        )
        .order_by(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.id)
    )


def _record(row: Any) -> SpanRecord:
    """A span from a row of :func:`_span_query` (after its document id)."""
    _, span_id, annotator_id, start, end, label, attributes, note = row
    return SpanRecord(span_id, annotator_id, start, end, label, attributes or {}, note)


def submitted_work(session: Session, document: Document) -> Submitted:
    """The submitted annotators of ``document`` and their spans."""
    work = submitted.document_work(session, document)
    rows = session.execute(
        _span_query().where(SpanRow.document_id == document.id)
    ).all()
    return Submitted(work.submitted, tuple(_record(row) for row in rows))


def annotator_links(session: Session, work: Submitted) -> list[rules.AnnotatorLink]:
    """The links submitted annotators drew between their spans of the document."""
    owner = {span.id: span.annotator_id for span in work.spans}
    if not owner:
        return []
    rows = session.execute(
        select(SpanLink.id, SpanLink.source_id, SpanLink.target_id, SpanLink.kind)
        .where(SpanLink.source_id.in_(list(owner)))
        .order_by(SpanLink.id)
    )
    return [
        rules.AnnotatorLink(link_id, owner[source], source, target, kind)
        for link_id, source, target, kind in rows
        if target in owner
    ]


def gold_ends(gold: Iterable[GoldSpan]) -> list[rules.GoldEnd]:
    """Gold spans as link ends: id, label name and source span ids."""
    return [
        rules.GoldEnd(
            g.id,
            g.label.name,
            frozenset(s.span_id for s in g.sources if s.span_id is not None),
        )
        for g in gold
    ]


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


def _project_work(
    session: Session, project: Project, work: submitted.ProjectWork, ids: Sequence[int]
) -> dict[int, Submitted]:
    spans: dict[int, list[SpanRecord]] = {i: [] for i in ids}
    query = _span_query().join(Document, Document.id == SpanRow.document_id)
    for row in session.execute(query.where(Document.project_id == project.id)):
        if row[0] in spans:
            spans[row[0]].append(_record(row))
    return {i: Submitted(work.of(i).submitted, tuple(spans[i])) for i in ids}


def _entry(
    document: Document,
    work: Submitted,
    kinds: Mapping[GroupKind, int],
    label: str | None,
    status: str,
    n_gold: int,
) -> QueueEntry | None:
    n_groups = sum(kinds.values())
    if label is not None and not n_groups:
        return None
    return QueueEntry(
        document_id=document.id,
        external_id=document.external_id,
        title=document.title,
        n_annotators=len(work.annotators),
        n_groups=n_groups,
        n_disagreements=n_groups - kinds[GroupKind.SAME],
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
        raise refuse(
            "label", f"unknown label {label!r} (this project has: {', '.join(names)})"
        )
    return label


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """The queue, and a sentence about documents waiting for more annotators."""

    entries: list[QueueEntry]
    waiting: str | None


def review_queue(
    session: Session, project: Project, label: str | None = None
) -> list[QueueEntry]:
    """Complete documents nobody is still working on
    (:mod:`annotator.services.submitted`), most disagreements first (then the
    larger share of disagreeing groups); with ``label``, only groups with a
    span of that label count and documents without one are left out."""
    return queue_overview(session, project, label).entries


def queue_overview(
    session: Session, project: Project, label: str | None = None
) -> ReviewQueue:
    """:func:`review_queue` and what waits for more annotators, in words."""
    chosen = check_label(project, label)
    complete = submitted.project_work(session, project)
    ids = complete.reviewable_ids()
    work = _project_work(session, project, complete, ids)
    statuses, gold = _statuses(session, ids), _gold_counts(session, ids)
    documents = session.scalars(select(Document).where(Document.id.in_(ids))).all()
    counted = kind_counts_many(
        [work[document.id].by_annotator() for document in documents], chosen
    )
    entries = [
        _entry(
            document,
            work[document.id],
            kinds,
            chosen,
            statuses.get(document.id, AdjudicationStatus.OPEN),
            gold.get(document.id, 0),
        )
        for document, kinds in zip(documents, counted, strict=True)
    ]
    found = [entry for entry in entries if entry is not None]
    ranked = sorted(
        found,
        key=lambda e: (
            *disagreement_rank(e.n_disagreements, e.n_groups),
            e.document_id,
        ),
    )
    return ReviewQueue(ranked, complete.waiting_message())


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


def adjudication_of(session: Session, document: Document) -> Adjudication | None:
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


def link_json(link: GoldLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "source_id": link.source_id,
        "target_id": link.target_id,
        "kind": link.kind,
    }


def rejected_ids(session: Session, document: Document) -> set[int]:
    return set(
        session.scalars(
            select(RejectedSpan.span_id).where(RejectedSpan.document_id == document.id)
        )
    )


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
        "decided_at": iso(gold.decided_at),
    }


def _group_json(
    index: int,
    group: Group,
    spans: _SpanIndex,
    view: _View,
    decided: bool,
    threshold: int,
) -> dict[str, Any]:
    ids: dict[str, list[int]] = {}
    for uid, triples in cast(Mapping[int, tuple[SpanTriple, ...]], group.spans).items():
        ids[view.keys[uid]] = sorted(
            {i for triple in triples for i in spans.of(uid, triple)}
        )
    majority = [
        {
            "start": found.start,
            "end": found.end,
            "label": found.label,
            "span_ids": spans.with_triple(found.triple),
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


class _SpanIndex:
    """Submitted span ids by (annotator, triple) and by triple, in id order:
    one pass over the spans instead of one per group (long documents)."""

    def __init__(self, work: Submitted) -> None:
        self._mine: dict[tuple[int, SpanTriple], list[int]] = {}
        self._all: dict[SpanTriple, list[int]] = {}
        for span in sorted(work.spans, key=lambda found: found.id):
            triple = span.triple
            self._mine.setdefault((span.annotator_id, triple), []).append(span.id)
            self._all.setdefault(triple, []).append(span.id)

    def of(self, annotator_id: int, triple: SpanTriple) -> list[int]:
        return self._mine.get((annotator_id, triple), [])

    def with_triple(self, triple: SpanTriple) -> list[int]:
        return self._all.get(triple, [])


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

    def gold_marks(self, work: Submitted) -> list[rules.GoldMark]:
        return gold_marks(self.gold, work)

    def rejected_triples(self, work: Submitted) -> set[SpanTriple]:
        return {s.triple for s in work.spans if s.id in self.rejected}


def gold_marks(gold: Iterable[GoldSpan], work: Submitted) -> list[rules.GoldMark]:
    """Gold spans as the decided rule sees them (:func:`rules.is_decided`):
    their sources as the triples of the reviewed spans they came from."""
    triples = {span.id: span.triple for span in work.spans}
    return [
        rules.GoldMark(
            g.start,
            g.end,
            g.label.name,
            frozenset(triples[s.span_id] for s in g.sources if s.span_id in triples),
        )
        for g in gold
    ]


def _decided(session: Session, document: Document) -> _Decided:
    return _Decided(
        adjudication_of(session, document),
        gold_spans(session, document),
        rejected_ids(session, document),
    )


def _pending_links_json(
    links: Sequence[rules.AnnotatorLink], decided: _Decided, view: _View
) -> list[dict[str, Any]]:
    in_gold = decided.gold_sources()
    return [
        {
            "id": link.id,
            "annotator": view.keys[cast(int, link.annotator)],
            "source_span_id": link.source,
            "target_span_id": link.target,
            "kind": link.kind,
            "source_in_gold": link.source in in_gold,
            "target_in_gold": link.target in in_gold,
            "rejected_end": bool({link.source, link.target} & decided.rejected),
        }
        for link in rules.links_not_in_gold(links, gold_ends(decided.gold))
    ]


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
    gold = decided.gold_marks(work)
    rejected = decided.rejected_triples(work)
    groups = work.groups()
    flags = rules.decided_flags(groups, gold, rejected)
    spans = _SpanIndex(work)
    return [
        _group_json(index, group, spans, view, flag, threshold)
        for index, (group, flag) in enumerate(zip(groups, flags, strict=True))
    ]


def _state_json(
    session: Session, adjudication: Adjudication | None, view: _View
) -> dict[str, Any]:
    """Version, status, who adjudicated, and the decisions with what undo
    and redo can do (:func:`annotator.services.history.history_json`)."""
    if adjudication is None:
        status, version, by, at = str(AdjudicationStatus.OPEN), 0, None, None
    else:
        status, version = adjudication.status, adjudication.version
        by = view.users.get(adjudication.adjudicated_by_id or 0)
        at = iso(adjudication.adjudicated_at)
    return {
        "version": version,
        "status": status,
        "adjudicated_by": by,
        "adjudicated_at": at,
        **history_json(session, adjudication),
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
    majority proposal, the gold layer with provenance and links, the
    annotators' links not in gold yet (an end is not a source of a gold span),
    and the ``version`` the next decision must name."""
    if document.project_id != project.id:
        raise NotFoundError(f"no document {document.id} in {project.name}")
    work = submitted_work(session, document)
    decided = _decided(session, document)
    adjudication = decided.adjudication
    view = _View(_keys(work, show_names))
    view.users = usernames(
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
            {
                "name": label.name,
                "display_name": label.display_name,
                "color": label.color,
                "hotkey": label.hotkey,
                "underline": label.underline,
            }
            for label in project.labels
        ],
        "annotators": [
            {"key": view.keys[uid], "n_spans": len(spans)}
            for uid, spans in work.by_annotator().items()
        ],
        "spans": _spans_json(work, decided, view),
        "groups": groups,
        "gold": [_gold_json(g, view) for g in decided.gold],
        "gold_links": [link_json(link) for link in links],
        "annotator_links_not_in_gold": _pending_links_json(
            annotator_links(session, work), decided, view
        ),
        "majority_threshold": rules.majority_threshold(len(work.annotators)),
        "undecided": sum(not row["decided"] for row in groups),
    }


# --------------------------------------------------------------------------
# Annotators against gold
# --------------------------------------------------------------------------


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
        decided = _decided(session, document)
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
