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

from sqlalchemy.orm import Session

from annotator.core.importing import ImportedDocument, ImportFileError
from annotator.core.importing.foreign import ImportReport
from annotator.core.importing.offsets import OFFSET_MODES, OffsetMode
from annotator.core.importing.reading import (
    DEFAULT_OFFSETS,
    SOURCE_FORMATS,
    ImportOptions,
    ReadResult,
    read_files,
)
from annotator.core.importing.sniff import DETECT
from annotator.models import Project, User
from annotator.services import collector
from annotator.services.accounts import find_user
from annotator.services.documents import (
    DEFAULT_MAX_IMPORT_BYTES,
    ImportRefused,
    ImportResult,
    Progress,
    may_file_spans_for,
    outsider_problems,
    sort_out_stored,
    store_documents,
)
from annotator.services.errors import ServiceError
from annotator.services.projects import membership_of

__all__ = [
    "DEFAULT_OFFSETS",
    "DETECT",
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
    #: The options read with (``detect`` replaced by the format found).
    options: ImportOptions = field(default_factory=ImportOptions)
    #: What ``--from detect`` found, one line per file; empty otherwise.
    detected: tuple[str, ...] = ()
    #: Titles (or ids) of the first new documents.
    samples: tuple[str, ...] = ()

    @property
    def span_count(self) -> int:
        return sum(self.spans.values())

    @property
    def labels(self) -> list[str]:
        """The labels the spans carry, sorted."""
        return sorted({label for _, label in self.spans})


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


#: Document titles listed in a preview.
SAMPLES = 5


def _read(
    project: Project,
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions,
    max_bytes: int,
) -> ReadResult:
    labels = [label.name for label in project.labels]
    try:
        result = read_files(files, options, labels=labels, max_bytes=max_bytes)
    except ImportFileError as error:
        problems = [str(problem) for problem in error.problems]
        if error.truncated:
            problems.append(f"(stopped after {len(error.problems)} problems)")
        raise ImportRefused(problems) from None
    _check_duplicate_ids(result.documents)
    return result


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


def preview(
    session: Session,
    project: Project,
    files: Sequence[tuple[str, bytes]],
    options: ImportOptions | None = None,
    *,
    actor: User | None = None,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> ImportPreview:
    """What ``import_files`` would store, read-only (offsets code points, end
    exclusive); ImportRefused with every problem ``import_files`` would meet."""
    options = options or ImportOptions()
    with collector.paused():
        read = _read(project, files, options, max_bytes)
    sorted_out = sort_out_stored(session, project, read.documents)
    if sorted_out.problems:
        raise ImportRefused(sorted_out.problems)
    new = sorted_out.new
    annotators = annotator_statuses(session, project, new, actor)
    spans: Counter[tuple[str, str]] = Counter()
    links = 0
    for document in new:
        for block in document.annotations:
            links += len(block.links)
            spans.update((block.annotator, span.label) for span in block.spans)
    detection = read.detection
    return ImportPreview(
        documents=len(read.documents),
        new_documents=len(new),
        already_stored=sorted_out.skipped,
        spans=dict(sorted(spans.items())),
        links=links,
        annotators=annotators,
        report=read.report,
        offsets=read.options.offset_mode,
        options=read.options,
        detected=detection.findings if detection else (),
        samples=tuple(doc.title or doc.external_id for doc in new[:SAMPLES]),
    )


def annotator_statuses(
    session: Session,
    project: Project,
    documents: list[ImportedDocument],
    actor: User | None,
) -> dict[str, str]:
    """Each annotator of ``documents`` and what they are or would become;
    ImportRefused naming every block filed under an account ``actor`` may
    not speak for (``may_file_spans_for``, the one rule the store keeps too)."""
    names = sorted({block.annotator for doc in documents for block in doc.annotations})
    statuses: dict[str, str] = {}
    refused: set[str] = set()
    for name in names:
        user = find_user(session, name)
        if user is None:
            statuses[name] = "new import identity (cannot log in)"
        elif membership_of(session, project.id, user.id) is not None:
            statuses[name] = "project member"
        elif not may_file_spans_for(user, actor):
            refused.add(name)
        elif user.password_hash is None:
            statuses[name] = "import identity, added to the project"
        else:
            statuses[name] = "existing account, added to the project as annotator"
    if refused:
        raise ImportRefused(outsider_problems(documents, refused))
    return statuses


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
        read = _read(project, files, options, max_bytes)
        result = store_documents(
            session, project, read.documents, actor=actor, progress=progress
        )
    return ImportOutcome(result, read.report)
