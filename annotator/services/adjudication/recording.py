"""What a decision changed, gathered while it changes the gold layer, then
written as its audit row through the codec (:mod:`annotator.core.changes`)
and answered to the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from annotator.core.changes import (
    Change,
    GoldEntry,
    LinkEntry,
    Source,
    StatusChange,
    encode,
)
from annotator.models import Adjudication, Document, GoldLink, GoldSpan, Project, User
from annotator.services import audit
from annotator.services.history import ENTITY, iso


def gold_entry(gold: GoldSpan) -> GoldEntry:
    """A gold span with everything needed to put it back."""
    return GoldEntry(
        id=gold.id,
        start=gold.start,
        end=gold.end,
        label_id=gold.label_id,
        attributes=dict(gold.attributes),
        note=gold.note,
        decision=gold.decision,
        decided_by_id=gold.decided_by_id,
        decided_at=gold.decided_at.isoformat(),
        sources=tuple(Source(s.span_id, s.annotator_id) for s in gold.sources),
    )


def link_entry(link: GoldLink) -> LinkEntry:
    return LinkEntry(link.id, link.source_id, link.target_id, link.kind)


def status_change(
    adjudication: Adjudication, after: str, by: int | None, at: datetime | str | None
) -> StatusChange:
    """The document going from its status now to ``after``, adjudicated by
    ``by`` at ``at`` afterwards (None, None: not adjudicated)."""
    return StatusChange(
        before=adjudication.status,
        after=after,
        adjudicated_by_id=adjudication.adjudicated_by_id,
        adjudicated_at=iso(adjudication.adjudicated_at),
        after_adjudicated_by_id=by,
        after_adjudicated_at=at.isoformat() if isinstance(at, datetime) else at,
    )


@dataclass(slots=True)
class ChangeLog:
    """What one decision, undo or redo has done so far."""

    created: list[GoldEntry] = field(default_factory=list)
    deleted: list[GoldEntry] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    unrejected: list[int] = field(default_factory=list)
    created_links: list[LinkEntry] = field(default_factory=list)
    deleted_links: list[LinkEntry] = field(default_factory=list)
    status: StatusChange | None = None

    def change(
        self,
        document: Document,
        *,
        undoes: int | None = None,
        redoes: int | None = None,
        action: str | None = None,
    ) -> Change:
        """The audit row's content (an undo or redo names its row and action)."""
        return Change(
            document.id,
            created=tuple(self.created),
            deleted=tuple(self.deleted),
            rejected=tuple(self.rejected),
            unrejected=tuple(self.unrejected),
            created_links=tuple(self.created_links),
            deleted_links=tuple(self.deleted_links),
            status=self.status,
            undoes=undoes,
            redoes=redoes,
            action=action,
        )


def record(
    session: Session,
    project: Project,
    reviewer: User,
    adjudication: Adjudication,
    action: str,
    change: Change,
) -> None:
    """Write the audit row of ``change`` and commit the decision with it."""
    audit.record(
        session,
        actor_id=reviewer.id,
        project_id=project.id,
        entity=ENTITY,
        entity_id=adjudication.id,
        action=action,
        data=encode(change),
    )
    session.commit()


def finish(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    adjudication: Adjudication,
    action: str,
    log: ChangeLog,
) -> dict[str, Any]:
    """Record a decision and answer what it did: the version and status now,
    the gold span ids created and deleted, the annotator spans rejected and
    the gold link ids created."""
    record(session, project, reviewer, adjudication, action, log.change(document))
    return {
        "version": adjudication.version,
        "status": adjudication.status,
        "created": [entry.id for entry in log.created],
        "deleted": [entry.id for entry in log.deleted],
        "rejected": log.rejected,
        "created_links": [entry.id for entry in log.created_links],
    }
