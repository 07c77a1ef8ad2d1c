from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from annotator.models import AuditEvent


def record(
    session: Session,
    *,
    actor_id: int | None,
    project_id: int | None,
    entity: str,
    entity_id: int | None,
    action: str,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the caller's transaction (it commits with the change)."""
    row = AuditEvent(
        actor_id=actor_id,
        project_id=project_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        data=data or {},
    )
    session.add(row)
    return row
