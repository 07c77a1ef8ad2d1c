"""What each annotator was shown on each document, recorded while their
work there is open (to do or in progress; a reopened assignment is in
progress again): ``Assignment.suggestions_shown`` is set when the
suggestions endpoint (or an accept or reject, which answers a suggestion
offered) hands a non-empty list to the assignee, never unset;
``Assignment.suggestions_withheld`` keeps why the endpoint last answered
an empty list (a calibration document, suggestions off, or nothing
proposed). Submitted or skipped work is never recorded: looking back at it
(the annotation page lists suggestions on load) changes nothing about how
it was annotated.

The effect of suggestions groups documents by these records
(:mod:`.effect`), not by the project's current settings. Does not commit:
the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, true, update
from sqlalchemy.orm import Session

from annotator.core.suggestions.calibration import (
    NONE_PROPOSED,
    SHOWN,
    WITHHELD,
    Seen,
)
from annotator.models import Assignment, AssignmentStatus, Document, Project
from annotator.services.assignments import OPEN_STATUSES

#: What the record keeps in ``suggestions_withheld``.
#: (NONE_PROPOSED: on, but nothing proposed, is kept under its own name.)
CALIBRATION = "calibration"
OFF = "off"
REASONS = {CALIBRATION: WITHHELD, OFF: WITHHELD, NONE_PROPOSED: NONE_PROPOSED}


def _write(session: Session, assignment: Assignment, **values: Any) -> None:
    """Leaves ``version`` (the page's compare-and-set) and ``updated_at`` as
    they are: seeing suggestions, or none, is not an edit."""
    session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id)
        .values(updated_at=Assignment.updated_at, **values)
        .execution_options(synchronize_session=False)
    )
    session.expire(assignment, list(values))


def record_shown(session: Session, assignment: Assignment) -> None:
    """Mark that ``assignment``'s annotator was shown suggestions on its
    document, if their work there is open."""
    if assignment.suggestions_shown or assignment.status not in OPEN_STATUSES:
        return
    _write(session, assignment, suggestions_shown=True)


def record_withheld(session: Session, assignment: Assignment, reason: str) -> None:
    """Keep why ``assignment``'s annotator was just shown no suggestions
    (a key of REASONS), if their work there is open and they were never
    shown any (then the reason no longer matters)."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    if (
        assignment.suggestions_shown is not False
        or assignment.status not in OPEN_STATUSES
        or assignment.suggestions_withheld == reason
    ):
        return
    _write(session, assignment, suggestions_withheld=reason)


def seen(shown: bool | None, withheld: str | None) -> Seen:
    """One annotator's record as the effect reads it: SHOWN, WITHHELD (by
    the settings: a calibration document or suggestions off),
    NONE_PROPOSED, or None (unknown: work from before the record, imported
    work, or suggestions never listed while it was open)."""
    if shown is None:
        return None
    if shown:
        return SHOWN
    return REASONS.get(withheld or "")


def submitted_shown(session: Session, project: Project) -> Mapping[int, list[Seen]]:
    """Per document of ``project`` with submitted work: what each
    submitting annotator's record says (:func:`seen`), in no particular
    order."""
    rows = session.execute(
        select(
            Assignment.document_id,
            Assignment.suggestions_shown,
            Assignment.suggestions_withheld,
        )
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Document.project_id == project.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    )
    found: dict[int, list[Seen]] = {}
    for document_id, shown, withheld in rows:
        found.setdefault(document_id, []).append(seen(shown, withheld))
    return found


def fingerprint(session: Session, project: Project) -> tuple[int, ...]:
    """Changes whenever a record of ``project`` does (a new or deleted
    assignment changes the counts; a reason that changes changes the sums
    of the ids holding each reason)."""
    shown, withheld = Assignment.suggestions_shown, Assignment.suggestions_withheld
    figures = [
        func.count(Assignment.id).filter(shown == true()),
        func.count(Assignment.id).filter(shown.is_(None)),
        func.coalesce(func.sum(Assignment.id).filter(shown == true()), 0),
    ]
    for reason in REASONS:
        figures.append(
            func.coalesce(func.sum(Assignment.id).filter(withheld == reason), 0)
        )
    row = session.execute(
        select(*figures)
        .join(Document, Document.id == Assignment.document_id)
        .where(Document.project_id == project.id)
    ).one()
    return tuple(int(value or 0) for value in row)
