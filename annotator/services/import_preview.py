"""What an import would store, worked out before anything is stored: the
documents, the spans per annotator and every problem (file, line, field)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from annotator.core.importing import ImportedDocument
from annotator.models import Project, User
from annotator.services import import_staging
from annotator.services.accounts import find_user
from annotator.services.documents import (
    DEFAULT_MAX_IMPORT_BYTES,
    ImportResult,
    import_files,
    may_file_spans_for,
    outsider_problems,
    parse_files,
    sort_out_stored,
)
from annotator.services.projects import membership_of, span_schema


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """An upload read but not stored. ``token`` names the staged files to
    confirm, None when there are problems (an import is all or nothing) or
    nothing new to store."""

    files: tuple[str, ...]
    documents: int
    skipped: int
    spans_by_annotator: dict[str, int]
    new_accounts: tuple[str, ...]
    problems: tuple[str, ...]
    token: str | None = None
    samples: tuple[str, ...] = field(default=())

    @property
    def spans(self) -> int:
        return sum(self.spans_by_annotator.values())


def _annotator_problems(
    session: Session,
    project: Project,
    documents: list[ImportedDocument],
    actor: User | None,
) -> tuple[list[str], list[str]]:
    """Names that would become new accounts, and problems for names of real
    accounts outside the project that ``actor`` may not speak for (read only)."""
    names = {a.annotator for doc in documents for a in doc.annotations}
    new, refused = [], set()
    for name in sorted(names):
        user = find_user(session, name)
        if user is None:
            new.append(name)
        elif membership_of(session, project.id, user.id) is None and not (
            may_file_spans_for(user, actor)
        ):
            refused.add(name)
    return new, outsider_problems(documents, refused) if refused else []


def preview_import(
    session: Session,
    project: Project,
    files: list[tuple[str, bytes]],
    *,
    split_paragraphs: bool,
    actor: User,
    staging_dir: Path,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> ImportPreview:
    """Read ``files`` as ``import_files`` would and stage them under a token
    when nothing is wrong; the database is only read."""
    documents, problems = parse_files(
        files, split_paragraphs, span_schema(project), max_bytes
    )
    sorted_out = sort_out_stored(session, project, documents)
    new_accounts, outsiders = _annotator_problems(
        session, project, sorted_out.new, actor
    )
    problems += sorted_out.problems + outsiders
    counts: Counter[str] = Counter()
    for document in sorted_out.new:
        for annotation in document.annotations:
            counts[annotation.annotator] += len(annotation.spans)
    token = None
    if not problems and sorted_out.new:
        token = import_staging.stage(
            staging_dir,
            files,
            project_id=project.id,
            user_id=actor.id,
            split_paragraphs=split_paragraphs,
        )
    return ImportPreview(
        files=tuple(name for name, _ in files),
        documents=len(sorted_out.new),
        skipped=sorted_out.skipped,
        spans_by_annotator=dict(sorted(counts.items())),
        new_accounts=tuple(new_accounts),
        problems=tuple(problems),
        token=token,
        samples=tuple(doc.title or doc.external_id for doc in sorted_out.new[:SAMPLES]),
    )


#: Document titles listed in a preview.
SAMPLES = 5


def confirm_import(
    session: Session,
    project: Project,
    token: str,
    *,
    actor: User,
    staging_dir: Path,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> ImportResult:
    """Store the upload staged under ``token`` (all or nothing) and remove
    the staged files; NotFoundError if it expired or is someone else's."""
    staged = import_staging.load(
        staging_dir, token, project_id=project.id, user_id=actor.id
    )
    try:
        return import_files(
            session,
            project,
            staged.files,
            split_paragraphs=staged.split_paragraphs,
            actor=actor,
            max_bytes=max_bytes,
        )
    finally:
        import_staging.discard(staging_dir, token)
