"""Reading the submitted work the agreement figures compare: each submitted
annotator's spans by document (plain columns), the project's documents, and
their lengths and texts. Which work counts as submitted is
:mod:`annotator.services.submitted`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.agreement import DocumentAnnotations
from annotator.core.agreement.results import Unit
from annotator.core.diff import SpanTriple
from annotator.models import Document, Label, Project, User
from annotator.models import Span as SpanRow
from annotator.services import submitted
from annotator.services.agreement.summary import DocumentRef


def submitted_spans(
    session: Session, project: Project, document_id: int | None = None
) -> dict[int, dict[str, list[SpanTriple]]]:
    """Document id -> username -> spans, for submitted work only."""
    query = (
        select(SpanRow.document_id, User.username, SpanRow.start, SpanRow.end)
        .add_columns(Label.name)
        .join(Document, Document.id == SpanRow.document_id)
        .join(User, User.id == SpanRow.annotator_id)
        .join(Label, Label.id == SpanRow.label_id)
        .where(
            Document.project_id == project.id,
            submitted.submitted_assignment(SpanRow.document_id, SpanRow.annotator_id),
        )
        .order_by(SpanRow.document_id, SpanRow.start, SpanRow.end)
    )
    if document_id is not None:
        query = query.where(SpanRow.document_id == document_id)
    result: dict[int, dict[str, list[SpanTriple]]] = {}
    for doc_id, username, start, end, label in session.execute(query):
        result.setdefault(doc_id, {}).setdefault(username, []).append(
            (start, end, label)
        )
    return result


def document_refs(session: Session, project: Project) -> dict[int, DocumentRef]:
    rows = session.execute(
        select(Document.id, Document.external_id, Document.title)
        .where(Document.project_id == project.id)
        .order_by(Document.id)
    )
    return {row.id: DocumentRef(row.id, row.external_id, row.title) for row in rows}


def lengths_and_texts(
    session: Session, project: Project, unit: Unit
) -> dict[int, tuple[int, str | None]]:
    """Document id -> (length in code points, text); the text is read only
    for token units, which need it."""
    where = Document.project_id == project.id
    if unit == "token":
        rows = session.execute(
            select(Document.id, Document.text_length, Document.text).where(where)
        )
        return {doc_id: (length, text) for doc_id, length, text in rows}
    lengths = session.execute(select(Document.id, Document.text_length).where(where))
    return {doc_id: (length, None) for doc_id, length in lengths}


def document_annotations(
    session: Session,
    project: Project,
    unit: Unit,
    work: submitted.ProjectWork,
    counted: Sequence[int],
) -> list[DocumentAnnotations]:
    """The counted documents with each submitted annotator's spans."""
    spans = submitted_spans(session, project)
    texts = lengths_and_texts(session, project, unit)
    return [
        DocumentAnnotations(
            document_id=doc_id,
            annotations={
                name: spans.get(doc_id, {}).get(name, [])
                for name in work.of(doc_id).usernames
            },
            text=texts[doc_id][1],
            text_length=texts[doc_id][0],
        )
        for doc_id in counted
    ]
