"""The model folder of a training that did not end done: what the training
wrote there is removed, and nothing else.

A model is written into a staging folder and moved into place only when
``train_model`` returns, so before that the training has put nothing in its
folder; after it, the folder is exactly the new model. A folder that was
there, empty, when the training started (``annotator train --out`` may name
one) is given back empty."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.models import Project, RegisteredSuggester, SuggesterKind


def remove_model(folder: Path, existed: bool) -> None:
    """Remove the model a training wrote into ``folder``; an empty folder
    that was there before the training is left, empty, as it was."""
    shutil.rmtree(folder, ignore_errors=True)
    if existed:
        folder.mkdir(parents=True, exist_ok=True)


def discard_folder(
    session: Session,
    project: Project,
    folder: Path,
    *,
    existed: bool,
    version: str | None,
) -> bool:
    """Remove the model a failed training wrote (``version``: the model it
    moved into ``folder``; None: it wrote none), unless a registration of
    the project names that folder and version (the model was registered
    before the failure: scoring the documents failed or was interrupted, and
    the model stays in use). Whether the model was kept for that reason."""
    session.rollback()
    if version is None or not folder.exists():
        return False
    path = str(folder.resolve())
    registered = session.execute(
        select(RegisteredSuggester.config, RegisteredSuggester.version).where(
            RegisteredSuggester.project_id == project.id,
            RegisteredSuggester.kind == SuggesterKind.SPANCAT,
        )
    ).all()
    session.rollback()
    if any(
        config.get("path") == path and named == version for config, named in registered
    ):
        return True
    remove_model(folder, existed)
    return False
