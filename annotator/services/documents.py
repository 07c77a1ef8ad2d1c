"""Importing documents, with any annotations they carry, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from annotator.core.importing import (
    ImportedAnnotation,
    ImportedDocument,
    ImportFileError,
    parse_import_file,
    text_sha256,
)
from annotator.models import (
    Assignment,
    AssignmentStatus,
    Document,
    Project,
    Role,
    Span,
    SpanLink,
    SpanOrigin,
    User,
)
from annotator.models.base import utcnow
from annotator.services import audit, collector
from annotator.services.accounts import find_user
from annotator.services.bulk import insert_rows, reserve_ids
from annotator.services.errors import ServiceError
from annotator.services.projects import membership_of, set_membership

DEFAULT_MAX_IMPORT_BYTES = 50 * 1024 * 1024
#: Documents whose annotations are written between two progress reports.
STORE_BATCH = 1000

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    skipped: int
    spans: int
    annotators: tuple[str, ...]


class ImportRefused(ServiceError):
    """An import refused; ``problems`` lists every file/line/field in error."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems[:20]))


def import_files(
    session: Session,
    project: Project,
    files: Iterable[tuple[str, bytes]],
    *,
    split_paragraphs: bool = False,
    actor: User | None = None,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
) -> ImportResult:
    """Parse every file, then store all its documents and spans in one
    transaction; on any error nothing is stored and ``ImportRefused`` says why."""
    with collector.paused():
        return _import(session, project, files, split_paragraphs, actor, max_bytes)


def _import(
    session: Session,
    project: Project,
    files: Iterable[tuple[str, bytes]],
    split_paragraphs: bool,
    actor: User | None,
    max_bytes: int,
) -> ImportResult:
    labels = {label.name: label.id for label in project.labels}
    documents, problems = _parse_all(files, split_paragraphs, labels, max_bytes)
    if problems:
        raise ImportRefused(problems)
    return store_documents(session, project, documents, actor=actor)


def store_documents(
    session: Session,
    project: Project,
    documents: list[ImportedDocument],
    *,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Store parsed documents with their annotations in one transaction, skipping
    those stored already with the same text; ``ImportRefused`` stores nothing.
    ``progress(done, total)`` is called as documents' annotations are written."""
    labels = {label.name: label.id for label in project.labels}
    new_documents, digests, skipped = _new_documents(session, project, documents)
    span_count = sum(
        len(annotation.spans) for doc in new_documents for annotation in doc.annotations
    )
    try:
        annotators = _annotator_accounts(session, project, new_documents, actor)
        # Written first: on SQLite this takes the write lock, which the id
        # reservations below rely on.
        audit.record(
            session,
            actor_id=actor.id if actor else None,
            project_id=project.id,
            entity="import",
            entity_id=None,
            action="create",
            data={
                "documents": len(new_documents),
                "skipped": skipped,
                "spans": span_count,
                "sources": sorted({_file_of(doc.source) for doc in documents}),
            },
        )
        session.flush()
        document_ids = _insert_documents(session, project, new_documents, digests)
        total = len(new_documents)
        for first in range(0, total, STORE_BATCH):
            batch = slice(first, first + STORE_BATCH)
            _insert_annotations(
                session, new_documents[batch], document_ids[batch], annotators, labels
            )
            if progress is not None:
                progress(min(first + STORE_BATCH, total), total)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ImportResult(len(new_documents), skipped, span_count, tuple(annotators))


def _file_of(source: str) -> str:
    """``a.jsonl`` of ``a.jsonl line 3`` or ``tasks.json, task 2 (id 7)``."""
    return source.split(" line ")[0].split(", task ")[0]


def _parse_all(
    files: Iterable[tuple[str, bytes]],
    split_paragraphs: bool,
    labels: dict[str, int],
    max_bytes: int,
) -> tuple[list[ImportedDocument], list[str]]:
    documents: list[ImportedDocument] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for filename, data in files:
        try:
            parsed = parse_import_file(
                filename,
                data,
                split_paragraphs=split_paragraphs,
                labels=labels.keys(),
                max_bytes=max_bytes,
            )
        except ImportFileError as error:
            problems += [str(problem) for problem in error.problems]
            continue
        for document in parsed:
            earlier = first_seen.setdefault(document.external_id, document.source)
            if earlier != document.source:
                problems.append(
                    f'{document.source}, field "id": id {document.external_id!r} '
                    f"is also used at {earlier}"
                )
        documents += parsed
    return documents, problems


def _new_documents(
    session: Session, project: Project, documents: list[ImportedDocument]
) -> tuple[list[ImportedDocument], list[str], int]:
    """The documents not stored yet, with their texts' SHA-256, and how many
    are stored already with the same text; changed text is refused."""
    rows = session.execute(
        select(Document.external_id, Document.text_sha256).where(
            Document.project_id == project.id
        )
    )
    stored = dict(rows.all())
    new, digests, skipped, problems = [], [], 0, []
    for document in documents:
        digest = text_sha256(document.text)
        earlier = stored.get(document.external_id)
        if earlier is None:
            new.append(document)
            digests.append(digest)
        elif earlier == digest:
            skipped += 1
        else:
            problems.append(
                f'{document.source}, field "text": document '
                f"{document.external_id!r} already exists with a different text; "
                "stored text never changes under existing spans (use a new id)"
            )
    if problems:
        raise ImportRefused(problems)
    return new, digests, skipped


def _annotator_accounts(
    session: Session,
    project: Project,
    documents: list[ImportedDocument],
    actor: User | None,
) -> dict[str, int]:
    """Map each annotator name to a project member, creating accounts that
    cannot log in for names this instance has not seen.

    A project admin may not file spans under a real account from outside the
    project (a site admin, someone of another project): that would put words
    in their mouth. Site admins and the command line (actor None) may.
    """
    names = sorted(
        {annotation.annotator for doc in documents for annotation in doc.annotations}
    )
    accounts: dict[str, int] = {}
    refused: list[str] = []
    for name in names:
        user = find_user(session, name)
        if user is None:
            user = User(username=name, password_hash=None)
            session.add(user)
            session.flush()
        member = membership_of(session, project.id, user.id) is not None
        if not member and not _may_file_spans_for(user, actor):
            refused.append(name)
            continue
        if not member:
            set_membership(session, project, user, Role.ANNOTATOR, actor)
        accounts[name] = user.id
    if refused:
        session.rollback()
        raise ImportRefused(_outsider_problems(documents, set(refused)))
    return accounts


def _may_file_spans_for(user: User, actor: User | None) -> bool:
    imported_account = user.password_hash is None
    return imported_account or actor is None or actor.is_admin


def _outsider_problems(documents: list[ImportedDocument], names: set[str]) -> list[str]:
    return [
        f'{document.source}, field "annotations[{index}].annotator": '
        f"{annotation.annotator!r} is an account outside this project; add them "
        "as a member first, or import under another name"
        for document in documents
        for index, annotation in enumerate(document.annotations)
        if annotation.annotator in names
    ]


DOCUMENT_COLUMNS = (
    "id",
    "project_id",
    "external_id",
    "title",
    "text",
    "text_length",
    "text_sha256",
    "meta",
)


def _insert_documents(
    session: Session,
    project: Project,
    documents: list[ImportedDocument],
    digests: list[str],
) -> list[int]:
    """Store the documents under ids reserved first, so that nothing is read back."""
    connection, table = session.connection(), cast(Table, Document.__table__)
    ids = reserve_ids(connection, table, len(documents))
    rows = [
        (
            document_id,
            project.id,
            doc.external_id,
            doc.title,
            doc.text,
            len(doc.text),
            digest,
            doc.meta,
        )
        for document_id, doc, digest in zip(ids, documents, digests, strict=True)
    ]
    constants = {"created_at": utcnow()}
    insert_rows(connection, table, DOCUMENT_COLUMNS, rows, constants=constants)
    return ids


SPAN_COLUMNS = (
    "document_id",
    "annotator_id",
    "label_id",
    "start",
    "end",
    "attributes",
    "note",
)


_SpanRow = tuple[object, ...]


@dataclass
class _AnnotationRows:
    """Rows for the assignments and spans of imported annotations, in the
    column orders of ``insert_rows``; blocks with links wait for span ids."""

    assignments: list[tuple[int, int]] = field(default_factory=list)
    spans: list[_SpanRow] = field(default_factory=list)
    linked: list[tuple[ImportedAnnotation, list[_SpanRow]]] = field(
        default_factory=list
    )


def _insert_annotations(
    session: Session,
    documents: list[ImportedDocument],
    document_ids: list[int],
    annotators: dict[str, int],
    labels: dict[str, int],
) -> None:
    connection, now = session.connection(), utcnow()
    span_table = cast(Table, Span.__table__)
    rows = _annotation_rows(documents, document_ids, annotators, labels)
    insert_rows(
        connection,
        cast(Table, Assignment.__table__),
        ("document_id", "user_id"),
        rows.assignments,
        constants={
            "status": str(AssignmentStatus.SUBMITTED),
            "skip_reason": "",
            "version": 0,
            "updated_at": now,
        },
    )
    span_constants = {
        "origin": str(SpanOrigin.IMPORTED),
        "created_at": now,
        "updated_at": now,
    }
    insert_rows(connection, span_table, SPAN_COLUMNS, rows.spans, span_constants)
    # Spans that links join get reserved ids; the others need none back.
    span_count = sum(len(spans) for _, spans in rows.linked)
    span_ids = reserve_ids(connection, span_table, span_count)
    linked_spans, links = _numbered(rows.linked, span_ids)
    insert_rows(
        connection,
        span_table,
        ("id", *SPAN_COLUMNS),
        linked_spans,
        span_constants,
    )
    insert_rows(
        connection,
        cast(Table, SpanLink.__table__),
        ("source_id", "target_id", "kind"),
        links,
    )


def _annotation_rows(
    documents: list[ImportedDocument],
    document_ids: list[int],
    annotators: dict[str, int],
    labels: dict[str, int],
) -> _AnnotationRows:
    rows = _AnnotationRows()
    for document, document_id in zip(documents, document_ids, strict=True):
        for annotation in document.annotations:
            annotator_id = annotators[annotation.annotator]
            rows.assignments.append((document_id, annotator_id))
            spans: list[_SpanRow] = [
                (
                    document_id,
                    annotator_id,
                    labels[span.label],
                    span.start,
                    span.end,
                    span.attributes,
                    span.note,
                )
                for span in annotation.spans
            ]
            if annotation.links:
                rows.linked.append((annotation, spans))
            else:
                rows.spans += spans
    return rows


def _numbered(
    linked: list[tuple[ImportedAnnotation, list[_SpanRow]]], span_ids: list[int]
) -> tuple[list[_SpanRow], list[tuple[int, int, str]]]:
    """Linked spans' rows with ids first, and the links as (source id, target
    id, kind)."""
    spans: list[_SpanRow] = []
    links: list[tuple[int, int, str]] = []
    for annotation, rows in linked:
        ids = span_ids[len(spans) : len(spans) + len(rows)]
        spans += [(span_id, *row) for span_id, row in zip(ids, rows, strict=True)]
        links += [
            (ids[link.source], ids[link.target], link.kind) for link in annotation.links
        ]
    return spans, links
