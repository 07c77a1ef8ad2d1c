"""The model folder a training that did not end done leaves behind: removed,
unless it is not this training's to remove."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import Project, RegisteredSuggester, SuggesterKind


def remove_folder(folder: Path) -> None:
    """Remove a cancelled training's model folder (no model left behind)."""
    shutil.rmtree(folder, ignore_errors=True)


def discard_folder(
    session: Session, project: Project, folder: Path, existed: bool
) -> None:
    """Remove the model folder a failed training wrote, unless it was there
    before (another training's) or its model was registered before the
    failure (scoring the documents failed: the model stays in use)."""
    session.rollback()
    if existed or not folder.exists():
        return
    path = str(folder.resolve())
    registered = session.scalars(
        select(RegisteredSuggester.config).where(
            RegisteredSuggester.project_id == project.id,
            RegisteredSuggester.kind == SuggesterKind.SPANCAT,
        )
    ).all()
    session.rollback()
    if any(config.get("path") == path for config in registered):
        return
    remove_folder(folder)
