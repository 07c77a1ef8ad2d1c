"""Whether each annotator was shown suggestions on each document
(``Assignment.suggestions_shown``): set when the suggestions endpoint (or
an accept or reject, which answers a suggestion offered) hands a non-empty
list to the assignee, never unset. The effect of suggestions groups
documents by it (:mod:`.effect`), not by the project's current settings.
Does not commit: the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select, true, update
from sqlalchemy.orm import Session

from annotator.models import Assignment, AssignmentStatus, Document, Project


def record_shown(session: Session, assignment: Assignment) -> None:
    """Mark that ``assignment``'s annotator was shown suggestions on its
    document. Leaves ``version`` (the page's compare-and-set) and
    ``updated_at`` as they are: seeing suggestions is not an edit."""
    if assignment.suggestions_shown:
        return
    session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id)
        .values(suggestions_shown=True, updated_at=Assignment.updated_at)
        .execution_options(synchronize_session=False)
    )
    session.expire(assignment, ["suggestions_shown"])


def submitted_shown(
    session: Session, project: Project
) -> Mapping[int, list[bool | None]]:
    """Per document of ``project`` with submitted work: what each
    submitting annotator's record says (True shown, False not, None
    unknown), in no particular order."""
    rows = session.execute(
        select(Assignment.document_id, Assignment.suggestions_shown)
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Document.project_id == project.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    )
    found: dict[int, list[bool | None]] = {}
    for document_id, shown in rows:
        found.setdefault(document_id, []).append(shown)
    return found


def fingerprint(session: Session, project: Project) -> tuple[int, ...]:
    """Changes whenever a record of ``project`` does (records only ever
    become True; a new or deleted assignment changes the counts)."""
    shown = Assignment.suggestions_shown
    row = session.execute(
        select(
            func.count(Assignment.id).filter(shown == true()),
            func.count(Assignment.id).filter(shown.is_(None)),
            func.coalesce(func.sum(Assignment.id).filter(shown == true()), 0),
        )
        .join(Document, Document.id == Assignment.document_id)
        .where(Document.project_id == project.id)
    ).one()
    return tuple(int(value or 0) for value in row)
