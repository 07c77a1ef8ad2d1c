"""Everything the review page shows about one document, as JSON values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.orm import Session

from annotator.core import adjudication as rules
from annotator.core.diff import GROUP_KIND_TEXT, Group, SpanTriple
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Document,
    GoldSpan,
    Project,
)
from annotator.services.documents import no_document
from annotator.services.history import history_json, iso, usernames
from annotator.services.labels import labels_json
from annotator.services.review.gold import Decided, decided_on, gold_links_of, link_json
from annotator.services.review.work import (
    Submitted,
    annotator_links,
    gold_ends,
    submitted_work,
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


def _pending_links_json(
    links: Sequence[rules.AnnotatorLink], decided: Decided, view: _View
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


def _spans_json(work: Submitted, decided: Decided, view: _View) -> list[dict[str, Any]]:
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
    work: Submitted, decided: Decided, view: _View
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
        raise no_document(project, document.id)
    work = submitted_work(session, document)
    decided = decided_on(session, document)
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
        "labels": labels_json(project),
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
