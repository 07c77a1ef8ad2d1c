"""An annotator's answers to suggestions: accept (the suggestion becomes
their own span, origin ``suggested``), reject (not offered to them again),
and undo either (the decision is forgotten, so the suggestion is offered
again; the span an acceptance made is deleted as span deletion deletes it).

Each names the assignment ``version`` like every span write: a stale one is
a conflict and writes nothing. Offsets are code points, end exclusive.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import (
    Document,
    Project,
    SuggestionDecision,
    SuggestionOutcome,
    User,
)
from annotator.services import annotations as annotation_service
from annotator.services import audit
from annotator.services.errors import NotFoundError
from annotator.services.suggestions.serving import Offered, offered_to
from annotator.services.suggestions.shown import record_shown


def _find(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    suggestion_id: str,
) -> Offered:
    for item in offered_to(session, project, document, user):
        if item.id == suggestion_id:
            # Answering a suggestion means it was shown (a script may
            # answer one without listing them first).
            assignment = annotation_service.assignment_for(session, document, user)
            record_shown(session, assignment)
            return item
    raise NotFoundError(
        f"no suggestion {suggestion_id} for you on this document (answered "
        "already, or no longer suggested)"
    )


def _audit(
    session: Session,
    document: Document,
    user: User,
    decision_id: int,
    action: str,
    data: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor_id=user.id,
        project_id=document.project_id,
        entity="suggestion",
        entity_id=decision_id,
        action=action,
        data=audit.document_change(document.id, data),
    )


def _record(
    session: Session,
    document: Document,
    user: User,
    item: Offered,
    decision: SuggestionOutcome,
    span_id: int | None,
) -> None:
    s = item.suggestion
    row = SuggestionDecision(
        document_id=document.id,
        annotator_id=user.id,
        suggestion_id=item.id,
        start=s.start,
        end=s.end,
        label=s.label,
        score=s.score,
        suggester=item.suggester,
        suggester_version=item.version,
        decision=decision,
        span_id=span_id,
    )
    session.add(row)
    session.flush()
    _audit(
        session,
        document,
        user,
        row.id,
        str(decision),
        {**item.to_json(), "span_id": span_id},
    )


def accept_suggestion(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    suggestion_id: str,
    data: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    """Make the suggestion the caller's own span (origin ``suggested``, with
    the suggester's name and version) if ``data["version"]`` is current;
    commit; (the span as the span API answers it, the new version)."""
    item = _find(session, project, document, user, suggestion_id)
    s = item.suggestion
    body = {"start": s.start, "end": s.end, "label": s.label}
    row, created, version = annotation_service.add_span(
        session,
        project,
        document,
        user,
        {**body, "version": data.get("version")},
        suggested_by=(item.suggester, item.version),
    )
    _record(session, document, user, item, SuggestionOutcome.ACCEPTED, row.id)
    session.commit()
    return created, version


def reject_suggestion(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    suggestion_id: str,
    data: dict[str, Any],
) -> int:
    """Remember that the caller rejected the suggestion (it is not offered
    to them again) if ``data["version"]`` is current; commit; the new
    version."""
    item = _find(session, project, document, user, suggestion_id)
    _, version = annotation_service.claim_version(
        session, document, user, data.get("version")
    )
    _record(session, document, user, item, SuggestionOutcome.REJECTED, None)
    session.commit()
    return version


def undo_decision(
    session: Session,
    document: Document,
    user: User,
    suggestion_id: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """Forget the caller's accept or reject of a suggestion if
    ``data["version"]`` is current, so it is offered again; an acceptance's
    span (if it still exists) is deleted in the same transaction, with its
    links and audit row, as :func:`annotations.delete_span` deletes a span;
    commit; ``{"version", "deleted_span", "deleted_links"}``."""
    annotation_service.assignment_for(session, document, user)
    decision = session.scalar(
        select(SuggestionDecision).where(
            SuggestionDecision.document_id == document.id,
            SuggestionDecision.annotator_id == user.id,
            SuggestionDecision.suggestion_id == suggestion_id,
        )
    )
    if decision is None:
        raise NotFoundError(
            f"you have not accepted or rejected suggestion {suggestion_id} on "
            "this document"
        )
    span_id = decision.span_id
    claim = {"version": data.get("version")}
    if span_id is not None:
        links, version = annotation_service.remove_span(
            session, document, user, span_id, claim
        )
    else:
        links = []
        _, version = annotation_service.claim_version(
            session, document, user, claim["version"]
        )
    _audit(
        session,
        document,
        user,
        decision.id,
        "undo",
        {
            "suggestion_id": suggestion_id,
            "decision": decision.decision,
            "start": decision.start,
            "end": decision.end,
            "label": decision.label,
            "suggester": decision.suggester,
            "version": decision.suggester_version,
            "span_id": span_id,
        },
    )
    session.delete(decision)
    session.commit()
    return {"version": version, "deleted_span": span_id, "deleted_links": links}
