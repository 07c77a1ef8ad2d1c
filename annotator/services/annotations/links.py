"""Links between one annotator's own spans on one document: add, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.spans import FieldError, Link, Span, is_stored_int, link_errors
from annotator.models import Document, SpanLink, User
from annotator.models import Span as SpanRow
from annotator.services.annotations.claims import (
    InvalidAnnotation,
    claim_version,
    record_change,
)
from annotator.services.annotations.spans import own_span
from annotator.services.errors import NotFoundError


def create_link(
    session: Session, document: Document, user: User, data: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    ids = [data.get("source"), data.get("target")]
    spans: list[SpanRow] = []
    for name, span_id in zip(("source", "target"), ids, strict=True):
        if not is_stored_int(span_id):
            raise InvalidAnnotation(FieldError(name, "must be a span id"))
        try:
            spans.append(own_span(session, document, user, span_id))
        except NotFoundError:
            raise InvalidAnnotation(
                FieldError(name, "no span with this id among yours on this document")
            ) from None
    kind = data.get("kind", "denies")
    core_spans = [Span(s.start, s.end, s.label.name) for s in spans]
    errors = link_errors([Link(0, 1, str(kind))], core_spans, "link")
    if errors:
        raise InvalidAnnotation(_link_field(errors[0]))
    if _link_exists(session, spans[0].id, spans[1].id, str(kind)):
        raise InvalidAnnotation(FieldError("target", "this link already exists"))
    _, version = claim_version(session, document, user, data.get("version"))
    link = SpanLink(source_id=spans[0].id, target_id=spans[1].id, kind=str(kind))
    session.add(link)
    session.flush()
    created = {
        "id": link.id,
        "source": link.source_id,
        "target": link.target_id,
        "kind": link.kind,
    }
    record_change(
        session, user, document, "link", link.id, "create", {"after": created}
    )
    session.commit()
    return created, version


def _link_field(error: FieldError) -> FieldError:
    return FieldError(error.field.removeprefix("link[0].") or "link", error.message)


def _link_exists(session: Session, source: int, target: int, kind: str) -> bool:
    return (
        session.scalar(
            select(SpanLink.id).where(
                SpanLink.source_id == source,
                SpanLink.target_id == target,
                SpanLink.kind == kind,
            )
        )
        is not None
    )


def delete_link(
    session: Session,
    document: Document,
    user: User,
    link_id: int,
    data: dict[str, Any],
) -> int:
    link = session.get(SpanLink, link_id)
    source = session.get(SpanRow, link.source_id) if link else None
    if (
        link is None
        or source is None
        or source.annotator_id != user.id
        or source.document_id != document.id
    ):
        raise NotFoundError(f"no link {link_id} of yours on this document")
    _, version = claim_version(session, document, user, data.get("version"))
    before = {"source": link.source_id, "target": link.target_id, "kind": link.kind}
    session.delete(link)
    record_change(
        session, user, document, "link", link_id, "delete", {"before": before}
    )
    session.commit()
    return version
