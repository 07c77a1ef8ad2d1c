"""The decisions on a whole document: mark its gold layer adjudicated
(confirming how many groups are left undecided) and reopen it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from annotator.core import adjudication as rules
from annotator.core.diff import Group
from annotator.core.spans import is_stored_int
from annotator.models import AdjudicationStatus, Document, Project, User
from annotator.models.base import utcnow
from annotator.services.adjudication.claims import claim, decision
from annotator.services.adjudication.recording import (
    ChangeLog,
    finish,
    status_change,
)
from annotator.services.review import (
    Submitted,
    UndecidedGroups,
    gold_marks,
    gold_spans,
    next_open_document,
    refuse,
    rejected_ids,
    submitted_work,
)


def open_groups(session: Session, document: Document, work: Submitted) -> list[Group]:
    """The groups the reviewer has not decided yet (:func:`rules.is_decided`)."""
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
    remaining = len(open_groups(session, document, submitted_work(session, document)))
    if remaining and confirmed != remaining:
        raise UndecidedGroups(remaining)


@decision
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
    adjudication = claim(session, document, data, open_only=True)
    moment = utcnow()
    log = ChangeLog(
        status=status_change(
            adjudication, AdjudicationStatus.ADJUDICATED, reviewer.id, moment
        )
    )
    adjudication.status = AdjudicationStatus.ADJUDICATED
    adjudication.adjudicated_by_id, adjudication.adjudicated_at = reviewer.id, moment
    result = finish(
        session, project, document, reviewer, adjudication, "adjudicate", log
    )
    return {
        **result,
        "next_document_id": next_open_document(session, project, document.id),
    }


@decision
def reopen(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Open an adjudicated document for decisions again."""
    adjudication = claim(session, document, data, open_only=False)
    if adjudication.status != AdjudicationStatus.ADJUDICATED:
        session.rollback()
        raise refuse("status", "this document is not adjudicated")
    log = ChangeLog(
        status=status_change(adjudication, AdjudicationStatus.OPEN, None, None)
    )
    adjudication.status = AdjudicationStatus.OPEN
    adjudication.adjudicated_by_id = adjudication.adjudicated_at = None
    return finish(session, project, document, reviewer, adjudication, "reopen", log)
