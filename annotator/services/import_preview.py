"""The web import's two steps around ``services.importing``: preview an
upload (and keep its files under a token when it can be stored), then confirm
the token to store it. The preview and the store are ``importing.preview``
and ``importing.import_files``, the same as ``annotator import``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from annotator.models import Project, User
from annotator.services import import_staging, importing
from annotator.services.documents import DEFAULT_MAX_IMPORT_BYTES, ImportRefused


@dataclass(frozen=True, slots=True)
class UploadPreview:
    """An upload read but not stored: what it would store, or its problems.
    ``token`` names the staged files to confirm; None when there are problems
    (an import is all or nothing) or nothing new to store."""

    files: tuple[str, ...]
    options: importing.ImportOptions
    shown: importing.ImportPreview | None
    problems: tuple[str, ...] = ()
    token: str | None = None


def preview_upload(
    session: Session,
    project: Project,
    files: list[tuple[str, bytes]],
    options: importing.ImportOptions,
    *,
    actor: User,
    staging_dir: Path,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> UploadPreview:
    """``importing.preview`` of ``files``, staged under a token when it can be
    stored; the database is only read."""
    names = tuple(name for name, _ in files)
    try:
        shown = importing.preview(
            session, project, files, options, actor=actor, max_bytes=max_bytes
        )
    except ImportRefused as error:
        return UploadPreview(names, options, None, tuple(error.problems))
    token = None
    if shown.new_documents:
        token = import_staging.stage(
            staging_dir,
            files,
            project_id=project.id,
            user_id=actor.id,
            options=shown.options,
        )
    return UploadPreview(names, shown.options, shown, token=token)


def confirm_import(
    session: Session,
    project: Project,
    token: str,
    *,
    actor: User,
    staging_dir: Path,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> importing.ImportOutcome:
    """Store the upload staged under ``token`` with the options it was
    previewed with (all or nothing) and remove the staged files;
    NotFoundError if it expired or is someone else's."""
    staged = import_staging.load(
        staging_dir, token, project_id=project.id, user_id=actor.id
    )
    try:
        return importing.import_files(
            session,
            project,
            staged.files,
            staged.options,
            actor=actor,
            max_bytes=max_bytes,
        )
    finally:
        import_staging.discard(
            staging_dir, token, project_id=project.id, user_id=actor.id
        )
