"""Claiming a document's adjudication version before a decision: every
decision names the ``version`` the reviewer last saw and bumps it with the
compare-and-set of :mod:`annotator.services.versions`, so that a second
reviewer's stale decision gets :class:`StaleReview` (HTTP 409) instead of
overwriting. A refused decision leaves the transaction rolled back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Document,
    Project,
    User,
)
from annotator.models.base import utcnow
from annotator.services import versions
from annotator.services.errors import ServiceError
from annotator.services.review import (
    InvalidDecision,
    StaleReview,
    adjudication_of,
    refuse,
)

#: A decision: (session, project, document, reviewer, JSON body) -> answer.
Decision = Callable[
    [Session, Project, Document, User, Mapping[str, Any]], dict[str, Any]
]


def checked_version(data: Mapping[str, Any]) -> int:
    """The body's ``version`` (400 naming ``version`` unless an integer)."""
    return versions.checked_version(data.get("version"), InvalidDecision)


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


def current(adjudication: Adjudication | None) -> dict[str, Any]:
    """What a :class:`StaleReview` tells the page: the version and status now."""
    if adjudication is None:
        return {"version": 0, "status": str(AdjudicationStatus.OPEN)}
    return {"version": adjudication.version, "status": adjudication.status}


def claim(
    session: Session, document: Document, data: Mapping[str, Any], *, open_only: bool
) -> Adjudication:
    """Bump the adjudication's version if it still equals ``data["version"]``;
    ``open_only`` refuses an adjudicated document."""
    version = checked_version(data)
    adjudication = _ensure_adjudication(session, document)
    if adjudication.version != version:
        session.rollback()
        raise StaleReview(current(adjudication))
    if open_only and adjudication.status == AdjudicationStatus.ADJUDICATED:
        raise refuse(
            "status", "this document is adjudicated: reopen it to change its gold"
        )
    if not versions.bump(
        session, Adjudication, adjudication.id, version, updated_at=utcnow()
    ):
        session.rollback()
        session.refresh(adjudication)
        raise StaleReview(current(adjudication))
    session.expire(adjudication, ["version", "updated_at"])
    return adjudication


def decision(function: Decision) -> Decision:
    """Refuse a stale version before validating anything else: a reviewer
    who decided on an outdated view learns that first (the compare-and-set in
    :func:`claim` still guards against races). A refused decision leaves
    the transaction rolled back, the version bump included."""

    @wraps(function)
    def checked(
        session: Session,
        project: Project,
        document: Document,
        reviewer: User,
        data: Mapping[str, Any],
    ) -> dict[str, Any]:
        version = checked_version(data)
        found = adjudication_of(session, document)
        if (found.version if found else 0) != version:
            raise StaleReview(current(found))
        try:
            return function(session, project, document, reviewer, data)
        except ServiceError:
            session.rollback()
            raise

    return checked
