"""Registering a suggester for a project: what ``annotator train`` does with
the model it wrote, so the annotation page serves its suggestions.

A project has one trained model in use at a time: registering a ``spancat``
model makes it active and retires (deactivates) the project's other spancat
rows; the cue rules and any HTTP suggester stay as they are. Registering the
same name and version again updates that row (its config) instead of adding
one.

Registering a trained model then scores the project's documents with it for
the ``uncertainty`` queue order (``uncertainty.refresh_uncertainty``), so
every training, from the command line or the web, refreshes that order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import Project, RegisteredSuggester, SuggesterKind, User
from annotator.services import audit
from annotator.services.errors import rolls_back
from annotator.services.suggestions.settings import settings_for
from annotator.services.suggestions.uncertainty import (
    SCORED_KINDS,
    refresh_uncertainty,
)


@rolls_back
def register_suggester(
    session: Session,
    project: Project,
    *,
    kind: str,
    name: str,
    version: str,
    config: dict[str, Any],
    actor: User | None = None,
    beat: Callable[[], None] | None = None,
) -> RegisteredSuggester:
    """Insert or update the project's suggester ``name``/``version`` with
    ``config``, active; for a model kind, deactivate the project's other
    suggesters of that kind; commit. A trained model then scores the
    project's documents for the uncertainty queue order (committed apart:
    the model stays registered if scoring fails; ``beat`` is called per
    document, a job's heartbeat)."""
    if kind not in {k.value for k in SuggesterKind}:
        raise ValueError(f"unknown suggester kind {kind!r}")
    # The defaults (the rule suggester) are made and committed first.
    settings_for(session, project.id)
    rows = session.scalars(
        select(RegisteredSuggester).where(
            RegisteredSuggester.project_id == project.id,
            RegisteredSuggester.kind == kind,
        )
    ).all()
    found = next((r for r in rows if (r.name, r.version) == (name, version)), None)
    if found is None:
        found = RegisteredSuggester(
            project_id=project.id,
            kind=kind,
            name=name,
            version=version,
            last_error="",
        )
        session.add(found)
    found.config = dict(config)
    found.active = True
    found.last_error = ""
    if kind != SuggesterKind.RULES:
        for other in rows:
            if other is not found:
                other.active = False
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="suggester",
        entity_id=found.id,
        action="register",
        data={"kind": kind, "name": name, "version": version, "config": config},
    )
    session.commit()
    if kind in SCORED_KINDS:
        refresh_uncertainty(session, project, found, beat=beat)
    return found
