"""An annotator's status on a document: submit, skip (with a reason) and
reopen, and when reopening is refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.spans import FieldError, storable_text_errors
from annotator.models import (
    Adjudication,
    Assignment,
    AssignmentStatus,
    Document,
    Role,
    User,
)
from annotator.services.annotations.claims import (
    CLOSED_STATUSES,
    InvalidAnnotation,
    claim_version,
    record_change,
)
from annotator.services.annotations.reading import assignment_for
from annotator.services.projects import effective_role, has_role

STATUSES = {"submitted", "skipped", "in_progress"}


def set_status(
    session: Session, document: Document, user: User, data: dict[str, Any]
) -> tuple[str, int]:
    status = data.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        raise InvalidAnnotation(
            FieldError("status", "one of submitted, skipped, in_progress")
        )
    reason = "" if data.get("reason") is None else data["reason"]
    if not isinstance(reason, str) or len(reason) > 2000:
        raise InvalidAnnotation(FieldError("reason", "a text of at most 2000"))
    if status == "skipped" and not reason.strip():
        raise InvalidAnnotation(FieldError("reason", "say why you skip"))
    for error in storable_text_errors(reason, "reason"):
        raise InvalidAnnotation(error)
    current = assignment_for(session, document, user).status
    refusal = reopen_refusal(session, document, user, current)
    if refusal is not None:
        raise InvalidAnnotation(FieldError("status", refusal))
    assignment, version = claim_version(
        session, document, user, data.get("version"), closed_ok=True
    )
    before = assignment.status
    assignment.status = str(status)
    assignment.skip_reason = reason if status == "skipped" else ""
    change = {"before": before, "after": status, "reason": reason}
    record_change(
        session, user, document, "assignment", assignment.id, "update", change
    )
    session.commit()
    return str(status), version


def reopen_refusal(
    session: Session, document: Document, user: User, current: str
) -> str | None:
    """Why ``user`` may not change the status of their assignment on
    ``document`` (now ``current``), e.g. reopen it; None when they may. Only
    a submitted or skipped assignment is ever refused."""
    if current not in CLOSED_STATUSES:
        return None
    if _review_started(session, document):
        return "a reviewer has started on this document: its annotations are final"
    if _may_have_compared(session, document, user):
        return (
            "as a reviewer you may have seen the other annotators' spans on "
            "this document since you submitted, so your work on it is final"
        )
    if current == AssignmentStatus.SKIPPED and not _place_free(session, document):
        return "your place on this document went to someone else"
    return None


def _review_started(session: Session, document: Document) -> bool:
    """Once a reviewer has decided anything (a decision bumps the version; a
    refused one does not), annotators' submitted work stays as it was: the gold
    layer and its provenance rest on it."""
    found = session.scalar(
        select(Adjudication.id).where(
            Adjudication.document_id == document.id, Adjudication.version > 0
        )
    )
    return found is not None


def _may_have_compared(session: Session, document: Document, user: User) -> bool:
    """A reviewer or admin whose document is closed can open its side-by-side
    and review views; once someone else's work on it is submitted too,
    reopening would let them annotate with the others' spans in view."""
    if not has_role(effective_role(session, document.project_id, user), Role.REVIEWER):
        return False
    others = session.scalar(
        select(Assignment.id).where(
            Assignment.document_id == document.id,
            Assignment.user_id != user.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    )
    return others is not None


def _place_free(session: Session, document: Document) -> bool:
    """Whether a skipped annotator's place is still free to take back."""
    holding = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(
            Assignment.document_id == document.id,
            Assignment.status != AssignmentStatus.SKIPPED,
        )
    )
    return (holding or 0) < document.project.annotators_per_document
