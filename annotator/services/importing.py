"""Importing from this project's files or another tool's: preview, then store.

``preview`` reads every file as ``ImportOptions`` say and answers what would be
stored (documents, spans per annotator and label, links, the annotators and
what they would become, offset conversions, warnings) without writing
anything; ``import_files`` reads them the same way and stores them all or
nothing. Both raise ``ImportRefused`` listing every problem (file, line or
task, field). The web import page and ``annotator import`` call these two.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.importing import ImportedDocument, ImportFileError, text_sha256
from annotator.core.importing.foreign import ImportReport
from annotator.core.importing.offsets import OFFSET_MODES, OffsetMode
from annotator.core.importing.reading import (
    DEFAULT_OFFSETS,
    SOURCE_FORMATS,
    ImportOptions,
    read_files,
)
from annotator.models import Document, Project, User
from annotator.services import collector
from annotator.services.accounts import find_user
from annotator.services.documents import (
    DEFAULT_MAX_IMPORT_BYTES,
    ImportRefused,
    ImportResult,
    Progress,
    store_documents,
)
from annotator.services.errors import ServiceError, rolls_back
from annotator.services.projects import membership_of, span_schema

__all__ = [
    "DEFAULT_OFFSETS",
    "OFFSET_MODES",
    "SOURCE_FORMATS",
    "ImportOptions",
    "ImportOutcome",
    "ImportPreview",
    "ImportReport",
    "OffsetMode",
    "import_files",
    "parse_mapping",
    "preview",
]


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import would store; nothing has been written."""

    documents: int
    new_documents: int
    already_stored: int
    #: Spans by (annotator, label), annotators as they would be stored.
    spans: Mapping[tuple[str, str], int]
    links: int
    #: Each annotator and what they are or would become in this project.
    annotators: Mapping[str, str]
    report: ImportReport = field(default_factory=ImportReport)
    offsets: str = "codepoints"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    result: ImportResult
    report: ImportReport


def parse_mapping(value: str | None, option: str) -> dict[str, str]:
    """``"A=x,B=y"`` as {"A": "x", "B": "y"}; ServiceError naming ``option``."""
    mapping: dict[str, str] = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        source, equals, target = part.partition("=")
        if not equals or not source.strip() or not target.strip():
            raise ServiceError(f"{option} {part.strip()!r}: expected SOURCE=TARGET")
        if source.strip() in mapping:
            raise ServiceError(f"{option}: {source.strip()!r} is mapped twice")
        mapping[source.strip()] = target.strip()
    return mapping


def _read(
    project: Project,
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions,
    max_bytes: int,
) -> tuple[list[ImportedDocument], ImportReport]:
    try:
        result = read_files(
            files, options, labels=span_schema(project), max_bytes=max_bytes
        )
    except ImportFileError as error:
        problems = [str(problem) for problem in error.problems]
        if error.truncated:
            problems.append(f"(stopped after {len(error.problems)} problems)")
        raise ImportRefused(problems) from None
    _check_duplicate_ids(result.documents)
    return result.documents, result.report


def _check_duplicate_ids(documents: list[ImportedDocument]) -> None:
    first_seen: dict[str, str] = {}
    problems = []
    for document in documents:
        earlier = first_seen.setdefault(document.external_id, document.source)
        if earlier != document.source:
            problems.append(
                f'{document.source}, field "id": id {document.external_id!r} '
                f"is also used at {earlier}"
            )
    if problems:
        raise ImportRefused(problems)


@rolls_back
def preview(
    session: Session,
    project: Project,
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions | None = None,
    *,
    actor: User | None = None,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> ImportPreview:
    """What ``import_files`` would store, read-only; ImportRefused on problems."""
    options = options or ImportOptions()
    with collector.paused():
        documents, report = _read(project, files, options, max_bytes)
    stored = dict(
        session.execute(
            select(Document.external_id, Document.text_sha256).where(
                Document.project_id == project.id
            )
        ).all()
    )
    new = [doc for doc in documents if doc.external_id not in stored]
    changed = [
        doc
        for doc in documents
        if doc.external_id in stored
        and stored[doc.external_id] != text_sha256(doc.text)
    ]
    if changed:
        raise ImportRefused(
            [
                f'{doc.source}, field "text": document {doc.external_id!r} already '
                "exists with a different text; stored text never changes under "
                "existing spans (use a new id)"
                for doc in changed
            ]
        )
    spans: Counter[tuple[str, str]] = Counter()
    links = 0
    for document in new:
        for block in document.annotations:
            links += len(block.links)
            spans.update((block.annotator, span.label) for span in block.spans)
    names = sorted({block.annotator for doc in new for block in doc.annotations})
    return ImportPreview(
        documents=len(documents),
        new_documents=len(new),
        already_stored=len(documents) - len(new),
        spans=dict(sorted(spans.items())),
        links=links,
        annotators={
            name: _annotator_status(session, project, name, actor) for name in names
        },
        report=report,
        offsets=options.offset_mode,
    )


def _annotator_status(
    session: Session, project: Project, name: str, actor: User | None
) -> str:
    user = find_user(session, name)
    if user is None:
        return "new import identity (cannot log in)"
    if membership_of(session, project.id, user.id) is not None:
        return "project member"
    if user.password_hash is None:
        return "import identity, added to the project"
    if actor is None or actor.is_admin:
        return "existing account, added to the project as annotator"
    return "refused: an account outside this project"


@rolls_back
def import_files(
    session: Session,
    project: Project,
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions | None = None,
    *,
    actor: User | None = None,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Read ``files`` as ``options`` say and store every document, span and
    link in one transaction (offsets code points, end exclusive); on any
    problem nothing is stored and ImportRefused lists them all."""
    options = options or ImportOptions()
    with collector.paused():
        documents, report = _read(project, files, options, max_bytes)
        result = store_documents(
            session, project, documents, actor=actor, progress=progress
        )
    return ImportOutcome(result, report)
