"""An annotator's suggestions on a document (``decisions`` accepts, rejects
and undoes them).

Suggestions are computed from the document text by the project's active
suggesters, the same for every annotator (blind annotation holds); each
annotator sees them minus the ones they already accepted or rejected and
minus spans they already drew. A suggestion is never a span: only an
accepted one becomes the annotator's own span (origin ``suggested``), and
only then does it count anywhere (agreement, review, gold, exports).

Offsets are code points, end exclusive.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.suggestions import SuggesterError, Suggestion
from annotator.core.suggestions.calibration import NONE_PROPOSED
from annotator.models import (
    Document,
    Label,
    Project,
    RegisteredSuggester,
    Span,
    SuggestionDecision,
    SuggestionMode,
    User,
)
from annotator.services import annotations as annotation_service
from annotator.services.suggestions import cache, shown
from annotator.services.suggestions.factory import load_suggester
from annotator.services.suggestions.settings import (
    active_suggesters,
    is_calibration,
    settings_for,
    shows_suggestions,
)
from annotator.services.suggestions.shown import record_shown, record_withheld

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Offered:
    """A suggestion with the suggester that made it, and its stable id."""

    suggestion: Suggestion
    suggester: str
    version: str

    @property
    def id(self) -> str:
        s = self.suggestion
        key = f"{self.suggester}\x1f{self.version}\x1f{s.start}\x1f{s.end}\x1f{s.label}"
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    def to_json(self) -> dict[str, Any]:
        s = self.suggestion
        return {
            "id": self.id,
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "score": s.score,
            "suggester": self.suggester,
            "version": self.version,
        }


def fits(found: Suggestion, text_length: int, labels: set[str]) -> bool:
    """Whether a proposal is inside the text (code points), of a label asked
    for and scored in [0, 1]; others are dropped."""
    return (
        0 <= found.start < found.end <= text_length
        and found.label in labels
        and 0.0 <= found.score <= 1.0
    )


@dataclass(frozen=True, slots=True)
class Proposals:
    """What one suggester proposes for a document: its name and version (as
    registered when it could not be loaded) and its valid suggestions."""

    suggester: str
    version: str
    offered: list[Offered]


def propose(
    session: Session,
    registered: RegisteredSuggester,
    document: Document,
    labels: list[str],
) -> Proposals:
    """One suggester's valid suggestions for the document, whatever the
    project's mode, from the cache when it has run on this text with this
    version already (see ``cache``); a failure is recorded on it for the
    admins (never a broken annotation page) and gives none."""
    key = cache.key_for(session, registered, document, labels)
    kept = cache.cache_for(session).get(key)
    if kept is not None:
        offered = list(kept)
        if offered:
            return Proposals(offered[0].suggester, offered[0].version, offered)
        return Proposals(registered.name, cache.key_version(key), offered)
    found = _compute(session, registered, document, labels)
    if found is None:
        return Proposals(registered.name, registered.version, [])
    cache.cache_for(session).put(key, tuple(found.offered))
    return found


def _compute(
    session: Session,
    registered: RegisteredSuggester,
    document: Document,
    labels: list[str],
) -> Proposals | None:
    """Run one suggester: its valid suggestions, or None when it failed (the
    failure recorded on it for the admins, never a broken annotation page)."""
    try:
        suggester = load_suggester(session, registered)
        name, version = suggester.name, suggester.version
        # A service that is told which document it reads (the http kind).
        for_document = getattr(suggester, "for_document", None)
        if callable(for_document):
            suggester = for_document(document.external_id)
        found = suggester.suggest(document.text, labels)
    except SuggesterError as error:
        log.warning("suggester %s failed: %s", registered.name, error)
        registered.last_error = str(error)[:2000]
        return None
    except Exception as error:  # a model or service of the team's own
        # Anything else a suggester raises is its fault, not the page's:
        # recorded for the admins like a SuggesterError, the page still works.
        log.exception("suggester %s broke", registered.name)
        registered.last_error = f"suggester broke: {type(error).__name__}: {error}"[
            :2000
        ]
        return None
    wanted = set(labels)
    valid = [s for s in found if fits(s, document.text_length, wanted)]
    if len(valid) < len(found):
        registered.last_error = (
            f"{len(found) - len(valid)} suggestions outside the text, with an "
            "unknown label or a score outside 0-1 were dropped"
        )
    elif registered.last_error:
        registered.last_error = ""
    return Proposals(name, version, [Offered(s, name, version) for s in valid])


def _offered(session: Session, project: Project, document: Document) -> list[Offered]:
    """Every current suggestion on the document (everyone's, before any
    annotator's decisions), empty when suggestions are off or the document
    is a calibration document."""
    settings = settings_for(session, project.id)
    if not shows_suggestions(settings, document.id):
        return []
    labels = [label.name for label in project.labels]
    offered: dict[str, Offered] = {}
    for registered in active_suggesters(session, project.id):
        for item in propose(session, registered, document, labels).offered:
            offered.setdefault(item.id, item)
    return sorted(
        offered.values(),
        key=lambda o: (o.suggestion.start, o.suggestion.end, o.suggestion.label),
    )


def _answered(session: Session, document: Document, user: User) -> set[str]:
    return set(
        session.scalars(
            select(SuggestionDecision.suggestion_id).where(
                SuggestionDecision.document_id == document.id,
                SuggestionDecision.annotator_id == user.id,
            )
        )
    )


def _drawn(
    session: Session, document: Document, user: User
) -> set[tuple[int, int, str]]:
    rows = session.execute(
        select(Span.start, Span.end, Label.name)
        .join(Label, Label.id == Span.label_id)
        .where(Span.document_id == document.id, Span.annotator_id == user.id)
    )
    return {(start, end, name) for start, end, name in rows}


def offered_to(
    session: Session, project: Project, document: Document, user: User
) -> list[Offered]:
    """The suggestions ``user`` is offered on a document assigned to them:
    everyone's minus those they answered or drew already (404 when it is
    not assigned to them)."""
    annotation_service.assignment_for(session, document, user)
    answered = _answered(session, document, user)
    drawn = _drawn(session, document, user)
    return [
        item
        for item in _offered(session, project, document)
        if item.id not in answered
        and (item.suggestion.start, item.suggestion.end, item.suggestion.label)
        not in drawn
    ]


def suggestions_for(
    session: Session, project: Project, document: Document, user: User
) -> list[dict[str, Any]]:
    """The caller's current suggestions on a document assigned to them, in
    text order (404 when it is not assigned to them); while their work there
    is open, the answer is recorded on their assignment: shown when not
    empty, else why (:mod:`.shown`)."""
    found = [item.to_json() for item in offered_to(session, project, document, user)]
    assignment = annotation_service.assignment_for(session, document, user)
    if found:
        record_shown(session, assignment)
    else:
        record_withheld(session, assignment, _why_none(session, project, document))
    session.commit()
    return found


def _why_none(session: Session, project: Project, document: Document) -> str:
    """Why an empty answer was empty: the settings withheld suggestions
    (suggestions off, or a calibration document), or none were proposed."""
    settings = settings_for(session, project.id)
    if settings.mode == SuggestionMode.OFF:
        return shown.OFF
    if is_calibration(settings, document.id):
        return shown.CALIBRATION
    return NONE_PROPOSED
