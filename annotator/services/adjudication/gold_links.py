"""The decisions on gold links: link two gold spans under the link rules of
annotators' spans, and unlink them. Each is one audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.spans import Link, Span, is_stored_int, link_errors
from annotator.models import Document, GoldLink, GoldSpan, Project, User
from annotator.services.adjudication.claims import claim, decision
from annotator.services.adjudication.recording import ChangeLog, finish, link_entry
from annotator.services.review import refuse


def _link_end(
    session: Session, document: Document, data: Mapping[str, Any], end: str
) -> GoldSpan:
    gold_id = data.get(end)
    gold = session.get(GoldSpan, gold_id) if is_stored_int(gold_id) else None
    if gold is None or gold.document_id != document.id:
        raise refuse(end, "no gold span with this id on this document")
    return gold


def _checked_kind(source: GoldSpan, target: GoldSpan, kind: object) -> str:
    if not isinstance(kind, str):
        raise refuse("kind", "must be a string")
    ends = [Span(g.start, g.end, g.label.name) for g in (source, target)]
    same = source.id == target.id  # one span: the rule's own self check
    errors = link_errors([Link(0, 0 if same else 1, kind)], ends, "link")
    if errors:
        first = errors[0]
        raise refuse(first.field.removeprefix("link[0].") or "link", first.message)
    return kind


@decision
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
    kind = _checked_kind(source, target, data.get("kind", "denies"))
    exists = session.scalar(
        select(GoldLink.id).where(
            GoldLink.source_id == source.id,
            GoldLink.target_id == target.id,
            GoldLink.kind == kind,
        )
    )
    if exists is not None:
        raise refuse("target", "this link already exists")
    adjudication = claim(session, document, data, open_only=True)
    created = GoldLink(source_id=source.id, target_id=target.id, kind=kind)
    session.add(created)
    session.flush()
    log = ChangeLog(created_links=[link_entry(created)])
    return finish(session, project, document, reviewer, adjudication, "link", log)


@decision
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
    adjudication = claim(session, document, data, open_only=True)
    log = ChangeLog(deleted_links=[link_entry(found)])
    session.delete(found)
    return finish(session, project, document, reviewer, adjudication, "unlink", log)
