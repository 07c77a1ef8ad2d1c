"""A project's documents: the list with each one's status, and import."""

from __future__ import annotations

from typing import Any, cast

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.progress import DocumentStatus
from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import importing
from annotator.services import progress as progress_service
from annotator.services.documents import ImportRefused
from annotator.services.errors import ServiceError
from annotator.web.errors import json_refusals
from annotator.web.security import require_membership
from annotator.web.v1 import api_v1, params
from annotator.web.v1.docs import (
    BOOLEAN,
    INTEGER,
    NULLABLE_INTEGER,
    STRING,
    array,
    obj,
    operation,
    query,
    ref,
)

DOCUMENTS = "/projects/<int:project_id>/documents"
MAX_PER_PAGE = 200


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _row_json(row: progress_service.DocumentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "external_id": row.external_id,
        "title": row.title,
        "text_length": row.text_length,
        "status": str(row.status),
        "needed": row.progress.needed,
        "submitted": row.progress.submitted,
        "open": row.progress.open,
        "assignees": [
            {"name": person.name, "state": person.state, "is_you": person.is_viewer}
            for person in row.assignees
        ],
        "unnamed_assignees": row.unnamed,
        "spans": row.n_spans,
        "reviewable": row.reviewable,
        "annotating": row.annotating,
    }


STATUS = {"type": "string", "enum": [status.value for status in DocumentStatus]}
DOCUMENT_ROW = obj(
    ["id", "external_id", "title", "status", "assignees"],
    id=INTEGER,
    external_id=STRING,
    title=STRING,
    text_length=INTEGER,
    status=STATUS,
    needed=INTEGER,
    submitted=INTEGER,
    open=INTEGER,
    assignees=array(obj(["name", "state"], name=STRING, state=STRING, is_you=BOOLEAN)),
    unnamed_assignees={
        **INTEGER,
        "description": "assignees not named: you annotate this document (blind)",
    },
    spans={**NULLABLE_INTEGER, "description": "submitted spans; null while blind"},
    reviewable=BOOLEAN,
    annotating=BOOLEAN,
)


@api_v1.get(DOCUMENTS)
@require_membership(Role.REVIEWER)
@json_refusals
@operation(
    "The project's documents, a page at a time, with each one's status",
    parameters=[
        query("page", {**INTEGER, "minimum": 1, "maximum": 10**9}, "Page, from 1"),
        query(
            "per_page",
            {**INTEGER, "minimum": 1, "maximum": MAX_PER_PAGE},
            f"Documents per page (default {progress_service.PAGE_SIZE})",
        ),
        query("status", STATUS, "Only documents in this status"),
        query("label", STRING, "Only documents with a submitted or gold span of it"),
    ],
    response=obj(
        ["documents", "page", "counts"],
        documents=array(DOCUMENT_ROW),
        page=ref("Page"),
        counts={"type": "object", "additionalProperties": INTEGER},
    ),
    tags=["documents"],
)
def documents(project: Project) -> ResponseReturnValue:
    """Documents in id order, as the team view lists them; a page past the
    last one answers the last page."""
    per_page = params.integer("per_page", progress_service.PAGE_SIZE, 1, MAX_PER_PAGE)
    found = progress_service.documents_page(
        current_session(),
        project,
        _user(),
        status=params.text("status"),
        label=params.text("label"),
        page=params.integer("page", 1, 1, 10**9),
        per_page=per_page,
    )
    return jsonify(
        documents=[_row_json(row) for row in found.rows],
        page={
            "page": found.page,
            "per_page": per_page,
            "pages": found.pages,
            "total": found.n_matching,
        },
        counts={str(status): count for status, count in found.counts.items()},
    )


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------

IMPORT_FORM = obj(
    ["files"],
    files=array({"type": "string", "contentMediaType": "application/octet-stream"}),
    format={"type": "string", "enum": list(importing.SOURCE_FORMATS)},
    offsets={"type": "string", "enum": list(importing.OFFSET_MODES)},
    annotator_map={**STRING, "description": "SRC=USER,..."},
    label_map={**STRING, "description": "SRC=LABEL,..."},
    split={"type": "string", "enum": ["paragraphs"]},
    dry_run=BOOLEAN,
)
REPORT = obj(
    ["conversions", "warnings", "skipped", "offsets"],
    conversions=array(STRING),
    warnings=array(STRING),
    skipped={"type": "object", "additionalProperties": INTEGER},
    offsets={"type": "object", "additionalProperties": INTEGER},
)
IMPORTED = obj(
    ["added", "skipped", "spans", "report"],
    added=INTEGER,
    skipped=INTEGER,
    spans=INTEGER,
    annotators=array(STRING),
    report=REPORT,
)
PREVIEW = obj(
    ["dry_run", "documents", "new_documents", "already_stored", "spans", "links"],
    dry_run={"const": True},
    documents=INTEGER,
    new_documents=INTEGER,
    already_stored=INTEGER,
    spans=array(
        obj(
            ["annotator", "label", "count"],
            annotator=STRING,
            label=STRING,
            count=INTEGER,
        )
    ),
    links=INTEGER,
    annotators={"type": "object", "additionalProperties": STRING},
    offsets=STRING,
    report=REPORT,
)


def _options() -> importing.ImportOptions:
    offsets = params.choice("offsets", importing.OFFSET_MODES)
    mode = next((m for m in importing.OFFSET_MODES if m == offsets), None)
    return importing.ImportOptions(
        source_format=params.choice("format", importing.SOURCE_FORMATS, "native")
        or "native",
        offsets=mode,
        annotator_map=_mapping("annotator_map"),
        label_map=_mapping("label_map"),
        split_paragraphs=params.choice("split", ("paragraphs",)) == "paragraphs",
    )


def _mapping(name: str) -> dict[str, str]:
    try:
        return importing.parse_mapping(params.text(name, 10_000), name)
    except ServiceError as error:
        raise params.refuse(name, str(error).removeprefix(f"{name} ")) from None


def _files() -> list[tuple[str, bytes]]:
    files = [
        (storage.filename or "upload", storage.read())
        for storage in request.files.getlist("files")
    ]
    if not files:
        raise params.refuse("files", "send one or more files (multipart field 'files')")
    return files


def _report_json(report: importing.ImportReport) -> dict[str, Any]:
    return {
        "conversions": list(report.conversions),
        "warnings": list(report.warnings),
        "skipped": dict(report.skipped),
        "offsets": dict(report.offsets),
    }


def _preview_json(shown: importing.ImportPreview) -> dict[str, Any]:
    return {
        "dry_run": True,
        "documents": shown.documents,
        "new_documents": shown.new_documents,
        "already_stored": shown.already_stored,
        "spans": [
            {"annotator": annotator, "label": label, "count": count}
            for (annotator, label), count in shown.spans.items()
        ],
        "links": shown.links,
        "annotators": dict(shown.annotators),
        "offsets": shown.offsets,
        "report": _report_json(shown.report),
    }


@api_v1.post(DOCUMENTS)
@require_membership(Role.ADMIN)
@json_refusals
@operation(
    "Import documents (and annotations), all or nothing",
    body={
        "required": True,
        "content": {"multipart/form-data": {"schema": IMPORT_FORM}},
    },
    status=201,
    response=IMPORTED,
    responses={200: ("dry_run: what would be stored; nothing was", PREVIEW)},
    tags=["documents"],
)
def import_documents(project: Project) -> ResponseReturnValue:
    """The options of ``annotator import`` as form fields (``format`` is its
    ``--from``). On any problem nothing is stored and the 400 lists every
    file/line/field in error under ``problems``."""
    options, dry_run, files = _options(), params.flag("dry_run"), _files()
    limit = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    session = current_session()
    try:
        if dry_run:
            shown = importing.preview(
                session, project, files, options, actor=_user(), max_bytes=limit
            )
            return jsonify(_preview_json(shown))
        outcome = importing.import_files(
            session, project, files, options, actor=_user(), max_bytes=limit
        )
    except ImportRefused as error:
        return jsonify(error=error.problems[0], problems=error.problems), 400
    result = outcome.result
    return jsonify(
        added=result.added,
        skipped=result.skipped,
        spans=result.spans,
        annotators=list(result.annotators),
        report=_report_json(outcome.report),
    ), 201
