"""Importing documents, with any annotations they carry, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, func, insert, select
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
from annotator.services import audit
from annotator.services.accounts import find_user
from annotator.services.bulk import insert_rows
from annotator.services.errors import ServiceError
from annotator.services.projects import membership_of, set_membership

DEFAULT_MAX_IMPORT_BYTES = 50 * 1024 * 1024


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
    labels = {label.name: label.id for label in project.labels}
    documents, problems = _parse_all(files, split_paragraphs, labels, max_bytes)
    if problems:
        raise ImportRefused(problems)
    new_documents, skipped = _new_documents(session, project, documents)
    try:
        annotators = _annotator_accounts(session, project, new_documents, actor)
        document_ids = _insert_documents(session, project, new_documents)
        span_count = _insert_annotations(
            session, new_documents, document_ids, annotators, labels
        )
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
                "sources": sorted({doc.source.split(" line ")[0] for doc in documents}),
            },
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return ImportResult(len(new_documents), skipped, span_count, tuple(annotators))


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
) -> tuple[list[ImportedDocument], int]:
    """Drop documents already stored with the same text; refuse changed text."""
    rows = session.execute(
        select(Document.external_id, Document.text_sha256).where(
            Document.project_id == project.id
        )
    )
    stored = dict(rows.all())
    new, skipped, problems = [], 0, []
    for document in documents:
        digest = stored.get(document.external_id)
        if digest is None:
            new.append(document)
        elif digest == text_sha256(document.text):
            skipped += 1
        else:
            problems.append(
                f'{document.source}, field "text": document '
                f"{document.external_id!r} already exists with a different text; "
                "stored text never changes under existing spans (use a new id)"
            )
    if problems:
        raise ImportRefused(problems)
    return new, skipped


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


def _insert_documents(
    session: Session, project: Project, documents: list[ImportedDocument]
) -> list[int]:
    if not documents:
        return []
    rows = [
        {
            "project_id": project.id,
            "external_id": doc.external_id,
            "title": doc.title,
            "text": doc.text,
            "text_length": len(doc.text),
            "text_sha256": text_sha256(doc.text),
            "meta": dict(doc.meta),
        }
        for doc in documents
    ]
    result = session.execute(
        insert(Document).returning(Document.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def _insert_annotations(
    session: Session,
    documents: list[ImportedDocument],
    document_ids: list[int],
    annotators: dict[str, int],
    labels: dict[str, int],
) -> int:
    assignment_rows: list[tuple[int, int]] = []
    plain_spans: list[tuple[object, ...]] = []
    linked_blocks: list[tuple[ImportedAnnotation, list[dict[str, object]]]] = []
    for document, document_id in zip(documents, document_ids, strict=True):
        for annotation in document.annotations:
            annotator_id = annotators[annotation.annotator]
            assignment_rows.append((document_id, annotator_id))
            if annotation.links:
                rows = _span_rows(annotation, document_id, annotator_id, labels)
                linked_blocks.append((annotation, rows))
            else:
                plain_spans += _span_tuples(
                    annotation, document_id, annotator_id, labels
                )
    connection, now = session.connection(), utcnow()
    insert_rows(
        connection,
        cast(Table, Assignment.__table__),
        ("document_id", "user_id"),
        assignment_rows,
        constants={
            "status": str(AssignmentStatus.SUBMITTED),
            "skip_reason": "",
            "version": 0,
            "updated_at": now,
        },
    )
    # Spans nobody links to need no ids back: one executemany, no RETURNING.
    insert_rows(
        connection,
        cast(Table, Span.__table__),
        SPAN_COLUMNS,
        plain_spans,
        constants={
            "origin": str(SpanOrigin.IMPORTED),
            "created_at": now,
            "updated_at": now,
        },
    )
    for annotation, rows in linked_blocks:
        _insert_linked_block(session, annotation, rows)
    return len(plain_spans) + sum(len(rows) for _, rows in linked_blocks)


SPAN_COLUMNS = (
    "document_id",
    "annotator_id",
    "label_id",
    "start",
    "end",
    "attributes",
    "note",
)


def _span_tuples(
    annotation: ImportedAnnotation,
    document_id: int,
    annotator_id: int,
    labels: dict[str, int],
) -> list[tuple[object, ...]]:
    """Rows in SPAN_COLUMNS order."""
    return [
        (
            document_id,
            annotator_id,
            labels[span.label],
            span.start,
            span.end,
            dict(span.attributes),
            span.note,
        )
        for span in annotation.spans
    ]


def _insert_linked_block(
    session: Session, annotation: ImportedAnnotation, rows: list[dict[str, object]]
) -> None:
    span_ids = list(
        session.execute(
            insert(Span).returning(Span.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    session.execute(
        insert(SpanLink),
        [
            {
                "source_id": span_ids[link.source],
                "target_id": span_ids[link.target],
                "kind": link.kind,
            }
            for link in annotation.links
        ],
    )


def _span_rows(
    annotation: ImportedAnnotation,
    document_id: int,
    annotator_id: int,
    labels: dict[str, int],
) -> list[dict[str, object]]:
    return [
        {
            "document_id": document_id,
            "annotator_id": annotator_id,
            "label_id": labels[span.label],
            "start": span.start,
            "end": span.end,
            "attributes": dict(span.attributes),
            "note": span.note,
            "origin": SpanOrigin.IMPORTED,
        }
        for span in annotation.spans
    ]


def list_documents(session: Session, project: Project) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.project_id == project.id)
            .order_by(Document.id)
        )
    )


def span_counts(session: Session, project: Project) -> dict[int, int]:
    rows = session.execute(
        select(Span.document_id, func.count())
        .join(Document, Document.id == Span.document_id)
        .where(Document.project_id == project.id)
        .group_by(Span.document_id)
    )
    return dict(rows.all())
