"""Stable pseudonyms: how exports name the people whose work they hold.

A person is ``annotator-<n>`` in every export of a project: the number is
stored the first time an export needs it (everyone assigned in the project
who has none gets the next numbers, by ascending user id) and never
recomputed, whoever joins or leaves later.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.models import Assignment, Document, Project, Pseudonym, User
from annotator.services.errors import ServiceError

#: Concurrent exports of one project may race for the same numbers; the
#: loser reads the winner's numbers and tries again.
ATTEMPTS = 3


def pseudonym(number: int) -> str:
    """The name written for pseudonym ``number``."""
    return f"annotator-{number}"


def _unnamed(session: Session, project: Project) -> list[int]:
    """Users assigned in the project without a pseudonym, by ascending id."""
    named = select(Pseudonym.user_id).where(Pseudonym.project_id == project.id)
    return list(
        session.scalars(
            select(Assignment.user_id)
            .join(Document, Document.id == Assignment.document_id)
            .where(Document.project_id == project.id, Assignment.user_id.not_in(named))
            .distinct()
            .order_by(Assignment.user_id)
        )
    )


def ensure_pseudonyms(session: Session, project: Project) -> None:
    """Give everyone assigned in ``project`` a pseudonym number if they have
    none (the next free numbers, by ascending user id); commits."""
    for _ in range(ATTEMPTS):
        unnamed = _unnamed(session, project)
        if not unnamed:
            session.rollback()
            return
        top = session.scalar(
            select(func.max(Pseudonym.number)).where(Pseudonym.project_id == project.id)
        )
        first = (top or 0) + 1
        session.add_all(
            Pseudonym(project_id=project.id, user_id=user_id, number=first + n)
            for n, user_id in enumerate(unnamed)
        )
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()
    raise ServiceError("annotators' pseudonyms changed while exporting: try again")


def everyone_named(session: Session, project: Project) -> bool:
    """True when everyone assigned in ``project`` has a pseudonym."""
    return not _unnamed(session, project)


def export_names(
    session: Session, project: Project, pseudonymise: bool = True
) -> dict[int, str]:
    """User id -> the name written in exports (``annotator-<n>``, or the
    username), in pseudonym order; only people who have a pseudonym."""
    rows = session.execute(
        select(Pseudonym.user_id, Pseudonym.number, User.username)
        .join(User, User.id == Pseudonym.user_id)
        .where(Pseudonym.project_id == project.id)
        .order_by(Pseudonym.number)
    ).all()
    return {
        user_id: pseudonym(number) if pseudonymise else username
        for user_id, number, username in rows
    }
