"""Whether a project's annotators see suggestions: off, on, or on except a
calibration share of documents (annotated without suggestions, so that
agreement with and without them can be compared).

A new project starts in ``calibrate`` mode with 10 % and the cue rules on;
the defaults are made the first time a project's settings are read.
"""

from __future__ import annotations

import hashlib
import math

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.core.spans import FieldError
from annotator.models import (
    Project,
    RegisteredSuggester,
    SuggesterKind,
    SuggestionMode,
    SuggestionSettings,
    User,
)
from annotator.services import audit
from annotator.services.errors import FieldRefused, NotFoundError, rolls_back
from annotator.services.suggestions import lexicons

DEFAULT_MODE = SuggestionMode.CALIBRATE
DEFAULT_SHARE = 0.1


class InvalidSettings(FieldRefused):
    """A mode or share the settings refuse; ``field`` names which."""


def settings_for(session: Session, project_id: int) -> SuggestionSettings:
    """The project's settings, made with the defaults (and the rule
    suggester registered, lexicon version 1) the first time: committed at
    once, so call it before writing anything else."""
    found = session.get(SuggestionSettings, project_id)
    if found is None:
        _make_defaults(session, project_id)
        found = session.get(SuggestionSettings, project_id)
    if found is None:  # the project was deleted meanwhile
        raise NotFoundError(f"no project {project_id}")
    return found


def _make_defaults(session: Session, project_id: int) -> None:
    session.add(
        SuggestionSettings(
            project_id=project_id, mode=DEFAULT_MODE, calibration_share=DEFAULT_SHARE
        )
    )
    session.add(
        RegisteredSuggester(
            project_id=project_id,
            kind=SuggesterKind.RULES,
            name="rules",
            version="",
            config={},
            active=True,
            last_error="",
        )
    )
    lexicons.current_lexicon(session, project_id)
    try:
        session.commit()
    except IntegrityError:
        # Another request made them at the same moment: they exist now.
        session.rollback()


def checked_share(value: object) -> float:
    """A calibration share: a number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSettings(FieldError("share", "must be a number from 0 to 1"))
    share = float(value)
    if not math.isfinite(share) or not 0.0 <= share <= 1.0:
        raise InvalidSettings(FieldError("share", "must be a number from 0 to 1"))
    return share


@rolls_back
def set_suggestions(
    session: Session,
    project: Project,
    mode: str,
    share: object | None = None,
    actor: User | None = None,
) -> SuggestionSettings:
    """Set the mode (off, on, calibrate) and, if given, the calibration
    share; commit."""
    if mode not in {m.value for m in SuggestionMode}:
        raise InvalidSettings(FieldError("mode", "must be off, on or calibrate"))
    settings = settings_for(session, project.id)
    settings.mode = mode
    if share is not None:
        settings.calibration_share = checked_share(share)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="suggestion_settings",
        entity_id=project.id,
        action="update",
        data={"mode": mode, "share": settings.calibration_share},
    )
    session.commit()
    return settings


def calibration_rank(project_id: int, document_id: int) -> float:
    """A document's fixed place in [0, 1) for calibration: the same for
    every annotator and every request (a seeded hash, not a random draw), so
    raising the share only adds documents."""
    digest = hashlib.sha256(f"calibration:{project_id}:{document_id}".encode())
    return int.from_bytes(digest.digest()[:8], "big") / 2**64


def is_calibration(settings: SuggestionSettings, document_id: int) -> bool:
    """Whether a document is annotated without suggestions in calibrate mode."""
    return (
        settings.mode == SuggestionMode.CALIBRATE
        and calibration_rank(settings.project_id, document_id)
        < settings.calibration_share
    )


def shows_suggestions(settings: SuggestionSettings, document_id: int) -> bool:
    """Whether annotators of this document see suggestions."""
    if settings.mode == SuggestionMode.OFF:
        return False
    return not is_calibration(settings, document_id)


def active_suggesters(session: Session, project_id: int) -> list[RegisteredSuggester]:
    """The project's active suggesters, in registration order."""
    settings_for(session, project_id)
    return list(
        session.scalars(
            select(RegisteredSuggester)
            .where(
                RegisteredSuggester.project_id == project_id,
                RegisteredSuggester.active.is_(True),
            )
            .order_by(RegisteredSuggester.id)
        )
    )
