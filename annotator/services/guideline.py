"""A project's guideline: saved versions (author and time), the history, and
which version each reader has been shown ("Guideline updated" appears once).

The text is Markdown source, stored as written; the web layer renders it
safely. ``Project.guideline`` always holds the newest version's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from annotator.core.spans import FieldError, storable_text_errors
from annotator.models import GuidelineRead, GuidelineVersion, Project, User
from annotator.models.base import utcnow
from annotator.services import audit
from annotator.services.errors import FieldRefused, NotFoundError, rolls_back

#: The longest guideline stored, in characters (code points).
MAX_GUIDELINE_CHARS = 200_000
#: The largest guideline file read from disk, in bytes (UTF-8).
MAX_GUIDELINE_BYTES = 4 * MAX_GUIDELINE_CHARS


class InvalidGuideline(FieldRefused):
    """A guideline text the project cannot store; ``field`` is ``guideline``."""


@dataclass(frozen=True, slots=True)
class Saved:
    """The newest version after a save, and whether the save made it."""

    version: GuidelineVersion
    changed: bool


@dataclass(frozen=True, slots=True)
class ReaderView:
    """The guideline a member reads: its newest version (None before the
    first), and what is new for them since their last visit: ``first_visit``
    (never shown any version) or ``updated`` (shown an older one)."""

    version: GuidelineVersion | None
    first_visit: bool
    updated: bool

    @property
    def number(self) -> int:
        return self.version.number if self.version else 0

    @property
    def text(self) -> str:
        return self.version.text if self.version else ""


def check_text(text: str) -> None:
    """Refuse a guideline longer than :data:`MAX_GUIDELINE_CHARS` or with a
    character the databases cannot store."""
    if len(text) > MAX_GUIDELINE_CHARS:
        raise InvalidGuideline(
            FieldError(
                "guideline",
                f"{len(text)} characters; at most {MAX_GUIDELINE_CHARS} allowed",
            )
        )
    for error in storable_text_errors(text, "guideline"):
        raise InvalidGuideline(error)


def newest(session: Session, project: Project) -> GuidelineVersion | None:
    return session.scalar(
        select(GuidelineVersion)
        .where(GuidelineVersion.project_id == project.id)
        .order_by(GuidelineVersion.number.desc())
        .limit(1)
        .options(selectinload(GuidelineVersion.author))
    )


def add_version(
    session: Session, project: Project, text: str, actor: User | None
) -> GuidelineVersion:
    """Add the next version in the caller's transaction (no commit)."""
    check_text(text)
    last = session.scalar(
        select(func.max(GuidelineVersion.number)).where(
            GuidelineVersion.project_id == project.id
        )
    )
    version = GuidelineVersion(
        project_id=project.id,
        number=(last or 0) + 1,
        text=text,
        author_id=actor.id if actor else None,
        created_at=utcnow(),
    )
    session.add(version)
    project.guideline = text
    session.flush()
    if actor is not None:
        _mark_seen(session, project, actor, version.number)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="guideline",
        entity_id=version.id,
        action="create",
        data={"number": version.number, "characters": len(text)},
    )
    return version


@rolls_back
def save_guideline(
    session: Session, project: Project, text: str, actor: User | None
) -> Saved:
    """Store ``text`` as the project's next guideline version and commit; the
    same text as the newest version stores nothing (``changed`` is False)."""
    current = newest(session, project)
    if current is not None and current.text == text:
        return Saved(current, changed=False)
    if current is None and not text.strip():
        check_text(text)
        raise InvalidGuideline(FieldError("guideline", "write some text first"))
    version = add_version(session, project, text, actor)
    session.commit()
    return Saved(version, changed=True)


def history(session: Session, project: Project) -> list[GuidelineVersion]:
    """Every version, newest first, with its author loaded."""
    return list(
        session.scalars(
            select(GuidelineVersion)
            .where(GuidelineVersion.project_id == project.id)
            .order_by(GuidelineVersion.number.desc())
            .options(selectinload(GuidelineVersion.author))
        )
    )


def version(session: Session, project: Project, number: int) -> GuidelineVersion:
    """Version ``number`` of the project's guideline, or :class:`NotFoundError`."""
    found = session.scalar(
        select(GuidelineVersion)
        .where(
            GuidelineVersion.project_id == project.id,
            GuidelineVersion.number == number,
        )
        .options(selectinload(GuidelineVersion.author))
    )
    if found is None:
        raise NotFoundError(f"guideline version {number} of {project.name}")
    return found


def read_guideline(session: Session, project: Project, user: User) -> ReaderView:
    """The newest guideline for ``user``, with what is new to them, and record
    that they have now been shown it (commits), so each notice shows once."""
    current = newest(session, project)
    seen = session.get(GuidelineRead, (project.id, user.id))
    if current is None:
        return ReaderView(None, first_visit=False, updated=False)
    view = ReaderView(
        current,
        first_visit=seen is None,
        updated=seen is not None and seen.number < current.number,
    )
    if seen is None or seen.number < current.number:
        try:
            _mark_seen(session, project, user, current.number)
            session.commit()
        except IntegrityError:
            # Another tab of the same user recorded it at the same moment:
            # it is recorded, which is all this wanted.
            session.rollback()
    return view


def _mark_seen(session: Session, project: Project, user: User, number: int) -> None:
    seen = session.get(GuidelineRead, (project.id, user.id))
    if seen is None:
        session.add(
            GuidelineRead(project_id=project.id, user_id=user.id, number=number)
        )
    else:
        seen.number, seen.seen_at = max(seen.number, number), utcnow()
    session.flush()
