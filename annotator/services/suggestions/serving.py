"""An annotator's suggestions on a document, and accepting or rejecting one.

Suggestions are computed from the document text by the project's active
suggesters, the same for every annotator (blind annotation holds); each
annotator sees them minus the ones they already accepted or rejected and
minus spans they already drew. A suggestion is never a span: only an
accepted one becomes the annotator's own span (origin ``suggested``), and
only then does it count anywhere (agreement, review, gold, exports).

Accept and reject name the assignment ``version`` like every span write.
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
from annotator.models import (
    Document,
    Label,
    Project,
    RegisteredSuggester,
    Span,
    SuggestionDecision,
    SuggestionOutcome,
    User,
)
from annotator.services import annotations as annotation_service
from annotator.services import audit
from annotator.services.errors import NotFoundError
from annotator.services.suggestions.factory import load_suggester
from annotator.services.suggestions.settings import (
    active_suggesters,
    settings_for,
    shows_suggestions,
)

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


def _run(
    session: Session,
    registered: RegisteredSuggester,
    document: Document,
    labels: list[str],
) -> list[Offered]:
    """One suggester's valid suggestions; a failure is recorded on it for
    the admins (never a broken annotation page) and gives none."""
    try:
        suggester = load_suggester(session, registered)
        # A service that is told which document it reads (the http kind).
        for_document = getattr(suggester, "for_document", None)
        if callable(for_document):
            suggester = for_document(document.external_id)
        found = suggester.suggest(document.text, labels)
    except SuggesterError as error:
        log.warning("suggester %s failed: %s", registered.name, error)
        registered.last_error = str(error)[:2000]
        return []
    except Exception as error:  # a model or service of the team's own
        # Anything else a suggester raises is its fault, not the page's:
        # recorded for the admins like a SuggesterError, the page still works.
        log.exception("suggester %s broke", registered.name)
        registered.last_error = f"suggester broke: {type(error).__name__}: {error}"[
            :2000
        ]
        return []
    wanted = set(labels)
    valid = [s for s in found if fits(s, document.text_length, wanted)]
    if len(valid) < len(found):
        registered.last_error = (
            f"{len(found) - len(valid)} suggestions outside the text, with an "
            "unknown label or a score outside 0-1 were dropped"
        )
    elif registered.last_error:
        registered.last_error = ""
    return [Offered(s, suggester.name, suggester.version) for s in valid]


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
        for item in _run(session, registered, document, labels):
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


def _for_user(
    session: Session, project: Project, document: Document, user: User
) -> list[Offered]:
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
    text order (404 when it is not assigned to them)."""
    found = [item.to_json() for item in _for_user(session, project, document, user)]
    session.commit()
    return found


def _find(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    suggestion_id: str,
) -> Offered:
    for item in _for_user(session, project, document, user):
        if item.id == suggestion_id:
            return item
    raise NotFoundError(
        f"no suggestion {suggestion_id} for you on this document (answered "
        "already, or no longer suggested)"
    )


def _record(
    session: Session,
    document: Document,
    user: User,
    item: Offered,
    decision: SuggestionOutcome,
    span_id: int | None,
) -> None:
    s = item.suggestion
    row = SuggestionDecision(
        document_id=document.id,
        annotator_id=user.id,
        suggestion_id=item.id,
        start=s.start,
        end=s.end,
        label=s.label,
        score=s.score,
        suggester=item.suggester,
        suggester_version=item.version,
        decision=decision,
        span_id=span_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        project_id=document.project_id,
        entity="suggestion",
        entity_id=row.id,
        action=str(decision),
        data={"document_id": document.id, **item.to_json(), "span_id": span_id},
    )


def accept_suggestion(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    suggestion_id: str,
    data: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    """Make the suggestion the caller's own span (origin ``suggested``, with
    the suggester's name and version) if ``data["version"]`` is current;
    commit; (the span as the span API answers it, the new version)."""
    item = _find(session, project, document, user, suggestion_id)
    s = item.suggestion
    body = {"start": s.start, "end": s.end, "label": s.label}
    row, created, version = annotation_service.add_span(
        session,
        project,
        document,
        user,
        {**body, "version": data.get("version")},
        suggested_by=(item.suggester, item.version),
    )
    _record(session, document, user, item, SuggestionOutcome.ACCEPTED, row.id)
    session.commit()
    return created, version


def reject_suggestion(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    suggestion_id: str,
    data: dict[str, Any],
) -> int:
    """Remember that the caller rejected the suggestion (it is not offered
    to them again) if ``data["version"]`` is current; commit; the new
    version."""
    item = _find(session, project, document, user, suggestion_id)
    _, version = annotation_service.claim_version(
        session, document, user, data.get("version")
    )
    _record(session, document, user, item, SuggestionOutcome.REJECTED, None)
    session.commit()
    return version
