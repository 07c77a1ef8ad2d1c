"""One annotator's spans and links on one document.

Every write names the assignment ``version`` the client last saw; it is bumped
with a compare-and-set, so a stale browser tab gets a conflict instead of
silently overwriting newer work. Offsets are code points, end exclusive.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from annotator.core.labels import LINK_RULES, SpanSchema
from annotator.core.spans import (
    MAX_SPANS_PER_DOCUMENT,
    FieldError,
    Link,
    Span,
    is_stored_int,
    link_errors,
    offset_errors,
    parse_span,
    span_errors,
    storable_text_errors,
)
from annotator.models import (
    Adjudication,
    Assignment,
    AssignmentStatus,
    Document,
    GoldSpan,
    Label,
    Project,
    Role,
    SpanLink,
    SpanOrigin,
    User,
)
from annotator.models import Span as SpanRow
from annotator.services import audit, span_write, versions
from annotator.services.errors import FieldRefused, NotFoundError, ServiceError
from annotator.services.projects import effective_role, has_role, span_schema
from annotator.services.span_write import SaveState

MAX_SOURCES = 500
CLOSED_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED)


class InvalidAnnotation(FieldRefused):
    """A span, link or status change the annotation API refuses."""


class StaleVersion(ServiceError):
    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__(
            "This document was changed elsewhere (another tab or window); "
            "the latest version has been loaded."
        )


def assignment_for(session: Session, document: Document, user: User) -> Assignment:
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.document_id == document.id, Assignment.user_id == user.id
        )
    )
    if assignment is None:
        raise NotFoundError("this document is not assigned to you")
    return assignment


def span_json(span: SpanRow, label_name: str) -> dict[str, Any]:
    return {
        "id": span.id,
        "start": span.start,
        "end": span.end,
        "label": label_name,
        "attributes": span.attributes,
        "note": span.note,
    }


def load_annotation(session: Session, document: Document, user: User) -> dict[str, Any]:
    """This user's own spans and links on the document (annotation is blind).

    Plain column reads, no ORM objects: the page of a long article loads
    thousands of spans.
    """
    assignment = assignment_for(session, document, user)
    mine = (SpanRow.document_id == document.id, SpanRow.annotator_id == user.id)
    rows = session.execute(
        select(
            SpanRow.id,
            SpanRow.start,
            SpanRow.end,
            Label.name,
            SpanRow.attributes,
            SpanRow.note,
        )
        .join(Label, Label.id == SpanRow.label_id)
        .where(*mine)
        .order_by(SpanRow.start, SpanRow.end, SpanRow.id)
    )
    links = session.execute(
        select(SpanLink.id, SpanLink.source_id, SpanLink.target_id, SpanLink.kind)
        .join(SpanRow, SpanRow.id == SpanLink.source_id)
        .where(*mine)
        .order_by(SpanLink.id)
    )
    fields = ("id", "start", "end", "label", "attributes", "note")
    return {
        "version": assignment.version,
        "status": assignment.status,
        "skip_reason": assignment.skip_reason,
        "spans": [dict(zip(fields, row, strict=True)) for row in rows],
        "links": [
            {"id": id_, "source": source, "target": target, "kind": kind}
            for id_, source, target, kind in links
        ],
    }


def claim_version(
    session: Session,
    document: Document,
    user: User,
    version: object,
    *,
    closed_ok: bool = False,
) -> tuple[Assignment, int]:
    """Bump the assignment's version if it still equals ``version``. Spans of
    a submitted or skipped document are frozen (``closed_ok`` is for status
    changes, which may reopen it)."""
    assignment = assignment_for(session, document, user)
    claimed = versions.checked_version(version, InvalidAnnotation)
    if assignment.status in CLOSED_STATUSES and not closed_ok:
        raise InvalidAnnotation(
            FieldError(
                "status",
                f"this document is {assignment.status}: reopen it to change spans",
            )
        )
    if not versions.bump(session, Assignment, assignment.id, claimed):
        session.rollback()
        raise StaleVersion(load_annotation(session, document, user))
    if assignment.status == AssignmentStatus.TODO:
        assignment.status = AssignmentStatus.IN_PROGRESS
    return assignment, claimed + 1


def _labels(project: Project) -> dict[str, int]:
    return {label.name: label.id for label in project.labels}


def _checked_span(data: dict[str, Any], document: Document, project: Project) -> Span:
    span, errors = parse_span(data, "span")
    if span is not None:
        errors = span_errors(span, document.text, span_schema(project), "span")
    if errors or span is None:
        raise InvalidAnnotation(_without_prefix(errors[0]))
    return span


def _without_prefix(error: FieldError) -> FieldError:
    return FieldError(error.field.removeprefix("span."), error.message)


def _audit(
    session: Session,
    user: User,
    document: Document,
    entity: str,
    entity_id: int,
    action: str,
    data: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor_id=user.id,
        project_id=document.project_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        data={"document_id": document.id, **data},
    )


def create_span(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    data: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    """Store a new span of ``user`` with its audit row, if ``data["version"]``
    is still the assignment's version. Reads first, one short write section
    last (see ``span_write``)."""
    span, errors = parse_span(data, "span")
    if span is not None:
        # Offsets first: the save-state query compares them in SQL, and an
        # integer past the database's range must be a 400, not an overflow.
        errors = offset_errors(span.start, span.end, document.text_length, "span")
    if span is None or errors:
        raise InvalidAnnotation(_without_prefix(errors[0]))
    state = span_write.save_state(session, project.id, document.id, user, span)
    labels = {span.label: state.label_id} if state.label_id else _labels(project)
    schema = SpanSchema(frozenset(labels), tuple(project.attribute_names))
    _check_new_span(span, document, schema, state)
    claimed = _claimed(state, data.get("version"))
    write = span_write.SpanWrite(
        document.id, document.project_id, user.id, labels[span.label], span
    )
    created = span_write.write_span(
        session, cast(int, state.assignment_id), state.status, claimed, write
    )
    if created is None:
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
    span = _checked_span(data, document, project)
    _refuse_too_many(session, document, user)
    _refuse_duplicate(session, document, user, span, _labels(project)[span.label])
    _, version = claim_version(session, document, user, data.get("version"))
    row = SpanRow(
        document_id=document.id,
        annotator_id=user.id,
        label_id=_labels(project)[span.label],
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
    _audit(session, user, document, "span", row.id, "create", {"after": created})
    return row, created, version


def _check_new_span(
    span: Span, document: Document, schema: SpanSchema, state: SaveState
) -> None:
    """The refusals of a new span, in the order the API has always given
    them: the span itself (labels and the project's attribute schema), too
    many spans, a duplicate."""
    errors = span_errors(span, document.text, schema, "span")
    if errors:
        raise InvalidAnnotation(_without_prefix(errors[0]))
    if state.span_count >= MAX_SPANS_PER_DOCUMENT:
        raise InvalidAnnotation(
            FieldError("span", f"at most {MAX_SPANS_PER_DOCUMENT} spans per document")
        )
    if state.duplicate:
        raise InvalidAnnotation(
            FieldError("span", "you already have this span with this label")
        )


def _claimed(state: SaveState, version: object) -> int:
    """The version a new span claims, checked like ``_claim_version`` does."""
    if state.assignment_id is None:
        raise NotFoundError("this document is not assigned to you")
    claimed = versions.checked_version(version, InvalidAnnotation)
    if state.status in CLOSED_STATUSES:
        raise InvalidAnnotation(
            FieldError(
                "status", f"this document is {state.status}: reopen it to change spans"
            )
        )
    return claimed


def _refuse_too_many(session: Session, document: Document, user: User) -> None:
    count = session.scalar(
        select(func.count())
        .select_from(SpanRow)
        .where(SpanRow.document_id == document.id, SpanRow.annotator_id == user.id)
    )
    if (count or 0) >= MAX_SPANS_PER_DOCUMENT:
        raise InvalidAnnotation(
            FieldError("span", f"at most {MAX_SPANS_PER_DOCUMENT} spans per document")
        )


def _refuse_duplicate(
    session: Session,
    document: Document,
    user: User,
    span: Span,
    label_id: int,
    other_than: int | None = None,
) -> None:
    same = select(SpanRow.id).where(
        SpanRow.document_id == document.id,
        SpanRow.annotator_id == user.id,
        SpanRow.start == span.start,
        SpanRow.end == span.end,
        SpanRow.label_id == label_id,
        SpanRow.id != (other_than or 0),
    )
    if session.scalar(same) is not None:
        raise InvalidAnnotation(
            FieldError("span", "you already have this span with this label")
        )


def _own_span(
    session: Session, document: Document, user: User, span_id: int
) -> SpanRow:
    span = session.get(SpanRow, span_id)
    if span is None or span.document_id != document.id or span.annotator_id != user.id:
        raise NotFoundError(f"no span {span_id} of yours on this document")
    return span


def update_span(
    session: Session,
    project: Project,
    document: Document,
    user: User,
    span_id: int,
    data: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    row = _own_span(session, document, user, span_id)
    before = span_json(row, row.label.name)
    merged = {**before, **{k: v for k, v in data.items() if k in before}}
    span = _checked_span(merged, document, project)
    label_id = _labels(project)[span.label]
    _refuse_duplicate(session, document, user, span, label_id, other_than=row.id)
    links_ok = _links_still_allowed(session, row.id, span.label)
    if not links_ok:
        raise InvalidAnnotation(
            FieldError("label", "a linked span cannot take a label its links forbid")
        )
    _, version = claim_version(session, document, user, data.get("version"))
    row.start, row.end = span.start, span.end
    row.label_id = _labels(project)[span.label]
    row.attributes, row.note = dict(span.attributes), span.note
    after = span_json(row, span.label)
    _audit(
        session,
        user,
        document,
        "span",
        row.id,
        "update",
        {"before": before, "after": after},
    )
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
    row = _own_span(session, document, user, span_id)
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
    _audit(
        session,
        user,
        document,
        "span",
        span_id,
        "delete",
        {"before": before, "deleted_links": link_ids},
    )
    return link_ids, version


def create_link(
    session: Session, document: Document, user: User, data: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    ids = [data.get("source"), data.get("target")]
    spans: list[SpanRow] = []
    for name, span_id in zip(("source", "target"), ids, strict=True):
        if not is_stored_int(span_id):
            raise InvalidAnnotation(FieldError(name, "must be a span id"))
        try:
            spans.append(_own_span(session, document, user, span_id))
        except NotFoundError:
            raise InvalidAnnotation(
                FieldError(name, "no span with this id among yours on this document")
            ) from None
    kind = data.get("kind", "denies")
    core_spans = [Span(s.start, s.end, s.label.name) for s in spans]
    errors = link_errors([Link(0, 1, str(kind))], core_spans, "link")
    if errors:
        raise InvalidAnnotation(_link_field(errors[0]))
    if _link_exists(session, spans[0].id, spans[1].id, str(kind)):
        raise InvalidAnnotation(FieldError("target", "this link already exists"))
    _, version = claim_version(session, document, user, data.get("version"))
    link = SpanLink(source_id=spans[0].id, target_id=spans[1].id, kind=str(kind))
    session.add(link)
    session.flush()
    created = {
        "id": link.id,
        "source": link.source_id,
        "target": link.target_id,
        "kind": link.kind,
    }
    _audit(session, user, document, "link", link.id, "create", {"after": created})
    session.commit()
    return created, version


def _link_field(error: FieldError) -> FieldError:
    return FieldError(error.field.removeprefix("link[0].") or "link", error.message)


def _link_exists(session: Session, source: int, target: int, kind: str) -> bool:
    return (
        session.scalar(
            select(SpanLink.id).where(
                SpanLink.source_id == source,
                SpanLink.target_id == target,
                SpanLink.kind == kind,
            )
        )
        is not None
    )


def delete_link(
    session: Session,
    document: Document,
    user: User,
    link_id: int,
    data: dict[str, Any],
) -> int:
    link = session.get(SpanLink, link_id)
    source = session.get(SpanRow, link.source_id) if link else None
    if (
        link is None
        or source is None
        or source.annotator_id != user.id
        or source.document_id != document.id
    ):
        raise NotFoundError(f"no link {link_id} of yours on this document")
    _, version = claim_version(session, document, user, data.get("version"))
    before = {"source": link.source_id, "target": link.target_id, "kind": link.kind}
    session.delete(link)
    _audit(session, user, document, "link", link_id, "delete", {"before": before})
    session.commit()
    return version


STATUSES = {"submitted", "skipped", "in_progress"}


def set_status(
    session: Session, document: Document, user: User, data: dict[str, Any]
) -> tuple[str, int]:
    status = data.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        raise InvalidAnnotation(
            FieldError("status", "one of submitted, skipped, in_progress")
        )
    reason = "" if data.get("reason") is None else data["reason"]
    if not isinstance(reason, str) or len(reason) > 2000:
        raise InvalidAnnotation(FieldError("reason", "a text of at most 2000"))
    if status == "skipped" and not reason.strip():
        raise InvalidAnnotation(FieldError("reason", "say why you skip"))
    for error in storable_text_errors(reason, "reason"):
        raise InvalidAnnotation(error)
    current = assignment_for(session, document, user).status
    refusal = reopen_refusal(session, document, user, current)
    if refusal is not None:
        raise InvalidAnnotation(FieldError("status", refusal))
    assignment, version = claim_version(
        session, document, user, data.get("version"), closed_ok=True
    )
    before = assignment.status
    assignment.status = str(status)
    assignment.skip_reason = reason if status == "skipped" else ""
    _audit(
        session,
        user,
        document,
        "assignment",
        assignment.id,
        "update",
        {"before": before, "after": status, "reason": reason},
    )
    session.commit()
    return str(status), version


def reopen_refusal(
    session: Session, document: Document, user: User, current: str
) -> str | None:
    """Why ``user`` may not change the status of their assignment on
    ``document`` (now ``current``), e.g. reopen it; None when they may. Only
    a submitted or skipped assignment is ever refused."""
    if current not in CLOSED_STATUSES:
        return None
    if _review_started(session, document):
        return "a reviewer has started on this document: its annotations are final"
    if _may_have_compared(session, document, user):
        return (
            "as a reviewer you may have seen the other annotators' spans on "
            "this document since you submitted, so your work on it is final"
        )
    if current == AssignmentStatus.SKIPPED and not _place_free(session, document):
        return "your place on this document went to someone else"
    return None


def _review_started(session: Session, document: Document) -> bool:
    """Once a reviewer has decided anything (a decision bumps the version; a
    refused one does not), annotators' submitted work stays as it was: the gold
    layer and its provenance rest on it."""
    found = session.scalar(
        select(Adjudication.id).where(
            Adjudication.document_id == document.id, Adjudication.version > 0
        )
    )
    return found is not None


def _may_have_compared(session: Session, document: Document, user: User) -> bool:
    """A reviewer or admin whose document is closed can open its side-by-side
    and review views; once someone else's work on it is submitted too,
    reopening would let them annotate with the others' spans in view."""
    if not has_role(effective_role(session, document.project_id, user), Role.REVIEWER):
        return False
    others = session.scalar(
        select(Assignment.id).where(
            Assignment.document_id == document.id,
            Assignment.user_id != user.id,
            Assignment.status == AssignmentStatus.SUBMITTED,
        )
    )
    return others is not None


def _place_free(session: Session, document: Document) -> bool:
    """Whether a skipped annotator's place is still free to take back."""
    holding = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(
            Assignment.document_id == document.id,
            Assignment.status != AssignmentStatus.SKIPPED,
        )
    )
    return (holding or 0) < document.project.annotators_per_document


def project_sources(session: Session, project: Project, user: User) -> list[str]:
    """Source names for suggestions: the user's own, and the gold layer's.

    Not other annotators' sources: those would tell a blind annotator who
    someone else thought was speaking.
    """
    found: set[str] = set()
    for model, mine in (
        (SpanRow, SpanRow.annotator_id == user.id),
        (GoldSpan, GoldSpan.id.is_not(None)),
    ):
        source = model.attributes["source"].as_string()
        found.update(
            session.scalars(
                select(source)
                .join(Document, Document.id == model.document_id)
                .where(Document.project_id == project.id, mine, source.is_not(None))
                .distinct()
                .limit(MAX_SOURCES)
            )
        )
    return sorted(value for value in found if value)
