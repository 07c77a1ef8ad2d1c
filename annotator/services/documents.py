"""A project's documents: finding one (:func:`find_document`), and
importing them, with any annotations they carry, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from annotator.core.importing import ImportedDocument, text_sha256
from annotator.models import (
    Document,
    Project,
    Role,
    User,
)
from annotator.services import audit
from annotator.services.accounts import find_user
from annotator.services.errors import NotFoundError, ServiceError
from annotator.services.import_rows import insert_annotations, insert_documents
from annotator.services.projects import membership_of, set_membership

DEFAULT_MAX_IMPORT_BYTES = 50 * 1024 * 1024
#: Documents whose annotations are written between two progress reports.
STORE_BATCH = 1000

Progress = Callable[[int, int], None]


def find_document(
    session: Session, project: Project, document_id: int, *, text: bool = True
) -> Document:
    """The project's document ``document_id``; another project's is not found
    (NotFoundError), like one that does not exist. Without ``text`` the text
    loads only when used (every API save looks the document up, and articles
    are long)."""
    options = [] if text else [defer(Document.text)]
    found = session.get(Document, document_id, options=options)
    if found is None or found.project_id != project.id:
        raise no_document(project, document_id)
    return found


def no_document(project: Project, document_id: int) -> NotFoundError:
    """The refusal of a document that is not in ``project`` (another
    project's is not found, like one that does not exist)."""
    return NotFoundError(f"no document {document_id} in {project.name}")


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
    """This project's own files (.txt, .jsonl, .csv) stored in one
    transaction, through ``services.importing`` like every import; on any
    error nothing is stored and ``ImportRefused`` says why."""
    # Imported here: services.importing builds on this module's store.
    from annotator.services import importing

    options = importing.ImportOptions(split_paragraphs=split_paragraphs)
    outcome = importing.import_files(
        session, project, list(files), options, actor=actor, max_bytes=max_bytes
    )
    return outcome.result


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
        document_ids = insert_documents(session, project, new_documents, digests)
        total = len(new_documents)
        for first in range(0, total, STORE_BATCH):
            batch = slice(first, first + STORE_BATCH)
            insert_annotations(
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


def _new_documents(
    session: Session, project: Project, documents: list[ImportedDocument]
) -> tuple[list[ImportedDocument], list[str], int]:
    """The documents not stored yet, with their texts' SHA-256, and how many
    are stored already with the same text; changed text is refused."""
    sorted_out = sort_out_stored(session, project, documents)
    if sorted_out.problems:
        raise ImportRefused(sorted_out.problems)
    return sorted_out.new, sorted_out.digests, sorted_out.skipped


@dataclass(slots=True)
class SortedOut:
    """Documents of an import against what the project holds: the new ones
    (and their texts' SHA-256), how many are stored already with the same
    text, and a problem per document stored with a different text."""

    new: list[ImportedDocument] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def sort_out_stored(
    session: Session, project: Project, documents: list[ImportedDocument]
) -> SortedOut:
    """Compare ``documents`` with the stored ones by id (read only)."""
    rows = session.execute(
        select(Document.external_id, Document.text_sha256).where(
            Document.project_id == project.id
        )
    )
    stored = dict(rows.all())
    result = SortedOut()
    for document in documents:
        digest = text_sha256(document.text)
        earlier = stored.get(document.external_id)
        if earlier is None:
            result.new.append(document)
            result.digests.append(digest)
        elif earlier == digest:
            result.skipped += 1
        else:
            result.problems.append(
                f'{document.source}, field "text": document '
                f"{document.external_id!r} already exists with a different text; "
                "stored text never changes under existing spans (use a new id)"
            )
    return result


def _refuse_names_differing_in_case(names: list[str]) -> None:
    """Account names are unique ignoring case, so ``Amy`` and ``amy`` in one
    import would be one account: refused rather than merged silently."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.lower(), []).append(name)
    clashes = [group for group in groups.values() if len(group) > 1]
    if clashes:
        raise ImportRefused(
            [
                f"annotators {' and '.join(map(repr, group))} differ only in "
                "case: account names are unique ignoring case; use one spelling"
                for group in clashes
            ]
        )


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
    _refuse_names_differing_in_case(names)
    accounts: dict[str, int] = {}
    refused: list[str] = []
    for name in names:
        user = find_user(session, name)
        if user is None:
            user = User(username=name, password_hash=None)
            session.add(user)
            session.flush()
        member = membership_of(session, project.id, user.id) is not None
        if not member and not may_file_spans_for(user, actor):
            refused.append(name)
            continue
        if not member:
            set_membership(session, project, user, Role.ANNOTATOR, actor)
        accounts[name] = user.id
    if refused:
        session.rollback()
        raise ImportRefused(outsider_problems(documents, set(refused)))
    return accounts


def may_file_spans_for(user: User, actor: User | None) -> bool:
    """Whether ``actor`` may import spans under ``user``'s name."""
    imported_account = user.password_hash is None
    return imported_account or actor is None or actor.is_admin


def outsider_problems(documents: list[ImportedDocument], names: set[str]) -> list[str]:
    return [
        f'{document.source}, field "annotations[{index}].annotator": '
        f"{annotation.annotator!r} is an account outside this project; add them "
        "as a member first, or import under another name"
        for document in documents
        for index, annotation in enumerate(document.annotations)
        if annotation.annotator in names
    ]
