"""The version claim every change of an annotator's work makes, and the
audit row it writes.

Every write names the assignment ``version`` the client last saw; it is
bumped with a compare-and-set (:mod:`annotator.services.versions`), so a
stale browser tab gets :class:`StaleVersion` (HTTP 409) instead of silently
overwriting newer work. Spans of a submitted or skipped document are frozen.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from annotator.core.spans import FieldError
from annotator.models import Assignment, AssignmentStatus, Document, User
from annotator.services import audit, versions
from annotator.services.annotations.reading import assignment_for, load_annotation
from annotator.services.errors import FieldRefused, ServiceError

CLOSED_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED)


class InvalidAnnotation(FieldRefused):
    """A span, link or status change the annotation API refuses."""


class StaleVersion(ServiceError):
    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__(
            "This document was changed elsewhere (another tab or window); "
            "the latest version has been loaded."
        )


def claimable(status: str, version: object, *, closed_ok: bool = False) -> int:
    """``version`` checked as the one a change of an assignment now
    ``status`` claims; refused while the assignment is submitted or skipped
    unless ``closed_ok`` (status changes, which may reopen it)."""
    claimed = versions.checked_version(version, InvalidAnnotation)
    if status in CLOSED_STATUSES and not closed_ok:
        raise InvalidAnnotation(
            FieldError(
                "status", f"this document is {status}: reopen it to change spans"
            )
        )
    return claimed


def claim_version(
    session: Session,
    document: Document,
    user: User,
    version: object,
    *,
    closed_ok: bool = False,
) -> tuple[Assignment, int]:
    """Bump the assignment's version if it still equals ``version`` (see
    :func:`claimable`), opening an assignment still to do; the assignment and
    its new version, or StaleVersion (rolled back) with the current state."""
    assignment = assignment_for(session, document, user)
    claimed = claimable(assignment.status, version, closed_ok=closed_ok)
    if not versions.bump(session, Assignment, assignment.id, claimed):
        session.rollback()
        raise StaleVersion(load_annotation(session, document, user))
    if assignment.status == AssignmentStatus.TODO:
        assignment.status = AssignmentStatus.IN_PROGRESS
    return assignment, claimed + 1


def record_change(
    session: Session,
    user: User,
    document: Document,
    entity: str,
    entity_id: int,
    action: str,
    data: dict[str, Any],
) -> None:
    """The audit row of a change ``user`` made to their work on ``document``."""
    audit.record(
        session,
        actor_id=user.id,
        project_id=document.project_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        data=audit.document_change(document.id, data),
    )
