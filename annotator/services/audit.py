"""The audit row every change writes, defined once: :func:`values` gives its
columns, :func:`record` adds it to the caller's transaction as an ORM object,
and the fast span save inserts the same values with one Core statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from annotator.models import AuditEvent


def values(
    *,
    actor_id: int | None,
    project_id: int | None,
    entity: str,
    entity_id: int | None,
    action: str,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of an audit row: who (``actor_id``, None for the system)
    did ``action`` to which ``entity`` of which project, and ``data`` (what
    changed, as JSON)."""
    return {
        "actor_id": actor_id,
        "project_id": project_id,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "data": data or {},
    }


def document_change(document_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of the audit row of a change to an annotator's work on a
    document: the document's id beside what changed."""
    return {"document_id": document_id, **data}


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
        **values(
            actor_id=actor_id,
            project_id=project_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            data=data,
        )
    )
    session.add(row)
    return row
