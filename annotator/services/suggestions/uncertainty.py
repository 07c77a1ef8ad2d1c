"""Scoring a project's documents with its trained model, for the
``uncertainty`` queue order (services/queue_order.py).

When a model is registered (``annotator train``, or any caller of
``register_suggester``), it is run once over every document of the project
and each document's proposals are summed up as ``confidence_margin``: the
mean of |score - 0.5| over the spans it proposes (only proposals inside the
text, of the project's labels, scored in [0, 1], as the annotation page
serves them), None when it proposes none. The rows replace the project's
earlier ones in one transaction, so handing out documents never runs the
model and never sees half of a refresh.

Only trained models (``spancat``) are run: the cue rules are not a model's
doubt, and a team's HTTP service is asked per document as annotators open
them, not for a whole project at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from annotator.core.queue import confidence_margin
from annotator.core.suggestions import Suggester, SuggesterError
from annotator.models import (
    Document,
    DocumentUncertainty,
    Project,
    RegisteredSuggester,
    SuggesterKind,
)
from annotator.models.base import utcnow
from annotator.services.errors import rolls_back
from annotator.services.suggestions.factory import load_suggester
from annotator.services.suggestions.serving import fits

log = logging.getLogger(__name__)

#: The suggester kinds whose registration scores the project's documents.
SCORED_KINDS = frozenset({SuggesterKind.SPANCAT})
#: Documents read from the database at a time.
BATCH = 32


@dataclass(frozen=True, slots=True)
class Scored:
    """What a refresh did: documents scored, those with proposals, those the
    model failed on (left unscored), and why nothing was scored if so."""

    documents: int
    with_proposals: int
    failed: int
    error: str = ""


@rolls_back
def refresh_uncertainty(
    session: Session,
    project: Project,
    registered: RegisteredSuggester,
    *,
    beat: Callable[[], None] | None = None,
) -> Scored:
    """Run ``registered`` over every document of ``project`` and store each
    document's margin, replacing the project's earlier scores; commit. A
    model that cannot be loaded changes no score: its error is stored as
    the suggester's last error for the admins. ``beat`` is called before
    each document (a job's heartbeat: scoring a large project takes
    minutes)."""
    try:
        suggester = load_suggester(session, registered)
    except SuggesterError as error:
        registered.last_error = f"scoring documents for the queue: {error}"[:2000]
        session.commit()
        return Scored(0, 0, 0, str(error))
    rows, failed = _score_all(session, project, suggester, beat)
    # Two registrations at once (a web training beside ``annotator train``)
    # replace the scores one after the other: the reads above end their
    # transaction (on SQLite a read that turns into a write after another
    # writer committed fails at once), then the project's row is locked on
    # PostgreSQL until the new scores are committed.
    session.commit()
    session.execute(
        select(Project.id).where(Project.id == project.id).with_for_update()
    )
    session.execute(
        delete(DocumentUncertainty).where(DocumentUncertainty.project_id == project.id)
    )
    if rows:
        session.execute(insert(DocumentUncertainty), rows)
    if failed:
        registered.last_error = (
            f"scoring documents for the queue: the model failed on {failed} "
            "documents (left unscored: handed out after the scored ones)"
        )
    session.commit()
    with_proposals = sum(1 for row in rows if row["margin"] is not None)
    return Scored(len(rows), with_proposals, failed)


def _score_all(
    session: Session,
    project: Project,
    suggester: Suggester,
    beat: Callable[[], None] | None,
) -> tuple[list[dict[str, object]], int]:
    labels = [label.name for label in project.labels]
    wanted, now = set(labels), utcnow()
    rows: list[dict[str, object]] = []
    failed = 0
    # Closed however the loop ends (a beat that raises, Ctrl-C): PostgreSQL
    # streams the rows through a server-side cursor.
    with session.execute(
        select(Document.id, Document.text, Document.text_length)
        .where(Document.project_id == project.id)
        .order_by(Document.id)
        .execution_options(yield_per=BATCH)
    ) as documents:
        for document_id, text, length in documents:
            if beat is not None:
                beat()
            try:
                found = suggester.suggest(text, labels)
            except Exception:  # the model's own failure on one text
                log.exception(
                    "%s could not score document %s", suggester.name, document_id
                )
                failed += 1
                continue
            valid = [s for s in found if fits(s, length, wanted)]
            rows.append(
                {
                    "document_id": document_id,
                    "project_id": project.id,
                    "suggester": suggester.name,
                    "suggester_version": suggester.version,
                    "proposals": len(valid),
                    "margin": confidence_margin(s.score for s in valid),
                    "scored_at": now,
                }
            )
    return rows, failed
