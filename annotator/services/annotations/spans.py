"""One annotator's spans on one document: add, change, delete.

A new span is refused for the same reasons, in the same order, on both ways
in (:func:`create_span`, the page's fast save, and :func:`add_span`, for
callers that write more in the same transaction): the rule is
:func:`annotator.core.spans.new_span_errors`, checked against one read of
the annotator's state (:func:`annotator.services.span_write.save_state`).
Offsets are code points, end exclusive.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from annotator.core.labels import LINK_RULES, SpanSchema
from annotator.core.spans import (
    DUPLICATE_SPAN,
    FieldError,
    Span,
    is_stored_int,
    new_span_errors,
    offset_errors,
    parse_span,
    span_errors,
)
from annotator.models import Document, Label, Project, SpanLink, SpanOrigin, User
from annotator.models import Span as SpanRow
from annotator.services import span_write
from annotator.services.annotations.claims import (
    InvalidAnnotation,
    StaleVersion,
    claim_version,
    claimable,
    record_change,
)
from annotator.services.annotations.reading import load_annotation, span_json
from annotator.services.documents import find_document, no_document
from annotator.services.errors import NotFoundError
from annotator.services.projects import span_schema
from annotator.services.span_write import SaveState


def _labels(project: Project) -> dict[str, int]:
    return {label.name: label.id for label in project.labels}


def _without_prefix(error: FieldError) -> FieldError:
    return FieldError(error.field.removeprefix("span."), error.message)


def _new_span(
    session: Session,
    project: Project,
    document_id: int,
    user: User,
    data: dict[str, Any],
) -> tuple[Span, SaveState, dict[str, int]]:
    """The new span in ``data``, the state it was checked against (the
    document's text in it), and the label ids it may use; NotFoundError for a
    document outside the project, whatever was sent, InvalidAnnotation naming
    the field otherwise."""
    span, errors = parse_span(data, "span")
    if span is None or not _stored(span):
        # Refused before the save state is read (the offsets are compared in
        # SQL, and an integer past the database's range must be a 400, not
        # an overflow): the document alone is looked up, for the 404.
        document = find_document(session, project, document_id, text=False)
        if span is not None:
            # Never empty: an offset outside 0..2**31-1 is outside the text.
            errors = offset_errors(span.start, span.end, document.text_length, "span")
        raise InvalidAnnotation(_without_prefix(errors[0]))
    state = span_write.save_state(session, project.id, document_id, user, span)
    if state.text is None:
        raise no_document(project, document_id)
    # A known label needs no other (and no read of them all); an unknown one
    # is refused naming every label the project has.
    labels = {span.label: state.label_id} if state.label_id else _labels(project)
    schema = SpanSchema(frozenset(labels), tuple(project.attribute_names))
    errors = new_span_errors(
        span, state.text, schema, state.span_count, state.duplicate, "span"
    )
    if errors:
        raise InvalidAnnotation(_without_prefix(errors[0]))
    return span, state, labels


def _stored(span: Span) -> bool:
    """Offsets the database can compare (any beyond are refused anyway)."""
    return is_stored_int(span.start) and is_stored_int(span.end)


def create_span(
    session: Session,
    project: Project,
    document_id: int,
    user: User,
    data: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    """Store a new span of ``user`` on the project's document
    ``document_id`` with its audit row, if ``data["version"]`` is still the
    assignment's version. Reads first (the document in the same query as
    the rest, see ``span_write``), one short write section last."""
    span, state, labels = _new_span(session, project, document_id, user, data)
    if state.assignment_id is None:
        raise NotFoundError("this document is not assigned to you")
    claimed = claimable(state.status, data.get("version"))
    write = span_write.SpanWrite(
        document_id, project.id, user.id, labels[span.label], span
    )
    created = span_write.write_span(session, state.assignment_id, state, claimed, write)
    if created is None:
        document = find_document(session, project, document_id, text=False)
        raise StaleVersion(load_annotation(session, document, user))
    return created, claimed + 1


def add_span(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    data: dict[str, Any],
    *,
    suggested_by: tuple[str, str] | None = None,
) -> tuple[SpanRow, dict[str, Any], int]:
    """:func:`create_span` without the commit, for callers that write more
    in the same transaction. ``suggested_by`` (suggester name, version) makes
    the span an accepted suggestion (origin ``suggested``)."""
    span, _, labels = _new_span(session, project, document.id, user, data)
    _, version = claim_version(session, document, user, data.get("version"))
    row = SpanRow(
        document_id=document.id,
        annotator_id=user.id,
        label_id=labels[span.label],
        start=span.start,
        end=span.end,
        attributes=dict(span.attributes),
        note=span.note,
    )
    if suggested_by is not None:
        row.origin = SpanOrigin.SUGGESTED
        row.suggester, row.suggester_version = suggested_by
    session.add(row)
    session.flush()
    created = span_json(row, span.label)
    record_change(session, user, document, "span", row.id, "create", {"after": created})
    return row, created, version


def own_span(session: Session, document: Document, user: User, span_id: int) -> SpanRow:
    """``user``'s span ``span_id`` on ``document``; NotFoundError otherwise."""
    span = session.get(SpanRow, span_id)
    if span is None or span.document_id != document.id or span.annotator_id != user.id:
        raise NotFoundError(f"no span {span_id} of yours on this document")
    return span


def _checked_span(data: dict[str, Any], document: Document, project: Project) -> Span:
    span, errors = parse_span(data, "span")
    if span is not None:
        errors = span_errors(span, document.text, span_schema(project), "span")
    if errors or span is None:
        raise InvalidAnnotation(_without_prefix(errors[0]))
    return span


def _refuse_duplicate(
    session: Session,
    document: Document,
    user: User,
    span: Span,
    label_id: int,
    row_id: int,
) -> None:
    """Refuse moving span ``row_id`` onto another of ``user``'s spans."""
    same = select(SpanRow.id).where(
        SpanRow.document_id == document.id,
        SpanRow.annotator_id == user.id,
        SpanRow.start == span.start,
        SpanRow.end == span.end,
        SpanRow.label_id == label_id,
        SpanRow.id != row_id,
    )
    if session.scalar(same) is not None:
        raise InvalidAnnotation(FieldError("span", DUPLICATE_SPAN))


def update_span(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    span_id: int,
    data: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    row = own_span(session, document, user, span_id)
    before = span_json(row, row.label.name)
    merged = {**before, **{k: v for k, v in data.items() if k in before}}
    span = _checked_span(merged, document, project)
    label_id = _labels(project)[span.label]
    _refuse_duplicate(session, document, user, span, label_id, row.id)
    if not _links_still_allowed(session, row.id, span.label):
        raise InvalidAnnotation(
            FieldError("label", "a linked span cannot take a label its links forbid")
        )
    _, version = claim_version(session, document, user, data.get("version"))
    row.start, row.end = span.start, span.end
    row.label_id = label_id
    row.attributes, row.note = dict(span.attributes), span.note
    after = span_json(row, span.label)
    change = {"before": before, "after": after}
    record_change(session, user, document, "span", row.id, "update", change)
    session.commit()
    return after, version


def _links_still_allowed(session: Session, span_id: int, label: str) -> bool:
    rows = session.execute(
        select(SpanLink.kind, SpanLink.source_id, SpanRow.id, Label.name)
        .join(
            SpanRow,
            or_(
                (SpanLink.source_id == span_id) & (SpanRow.id == SpanLink.target_id),
                (SpanLink.target_id == span_id) & (SpanRow.id == SpanLink.source_id),
            ),
        )
        .join(Label, Label.id == SpanRow.label_id)
        .where(or_(SpanLink.source_id == span_id, SpanLink.target_id == span_id))
    ).all()
    for kind, source_id, _other, other_label in rows:
        pair = (label, other_label) if source_id == span_id else (other_label, label)
        if pair not in LINK_RULES.get(kind, frozenset()):
            return False
    return True


def delete_span(
    session: Session,
    document: Document,
    user: User,
    span_id: int,
    data: dict[str, Any],
) -> tuple[list[int], int]:
    """Delete one of the user's spans with its links and audit row if
    ``data["version"]`` is current; commit; (the links deleted, the new
    version)."""
    deleted = remove_span(session, document, user, span_id, data)
    session.commit()
    return deleted


def remove_span(
    session: Session,
    document: Document,
    user: User,
    span_id: int,
    data: dict[str, Any],
) -> tuple[list[int], int]:
    """:func:`delete_span` without the commit, for callers that write more
    in the same transaction."""
    row = own_span(session, document, user, span_id)
    before = span_json(row, row.label.name)
    _, version = claim_version(session, document, user, data.get("version"))
    link_ids = list(
        session.scalars(
            select(SpanLink.id).where(
                or_(SpanLink.source_id == row.id, SpanLink.target_id == row.id)
            )
        )
    )
    if link_ids:
        session.execute(delete(SpanLink).where(SpanLink.id.in_(link_ids)))
    session.delete(row)
    change = {"before": before, "deleted_links": link_ids}
    record_change(session, user, document, "span", span_id, "delete", change)
    return link_ids, version
