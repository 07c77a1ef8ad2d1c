"""Importing documents in two steps: upload and see a preview (documents,
spans per annotator, problems), then confirm to store. Routes of the
``projects`` blueprint (``projects.upload`` stays the page's endpoint)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.importing.offsets import UNIT_NAMES
from annotator.core.labels import LINK_RULES
from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import import_preview, import_staging, importing
from annotator.services.documents import ImportRefused
from annotator.services.errors import NotFoundError, ServiceError
from annotator.web.forms import IMPORT_FORMATS, ConfirmImportForm, UploadForm
from annotator.web.projects import blueprint
from annotator.web.security import require_membership


def _form_page(project: Project, form: UploadForm, **context: object) -> str:
    return render_template(
        "projects/import.html",
        project=project,
        form=form,
        link_kinds=sorted(LINK_RULES),
        **context,
    )


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _staging_dir() -> Path:
    return Path(current_app.instance_path) / "import-staging"


def _max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


@blueprint.route("/projects/<int:project_id>/import", methods=["GET", "POST"])
@require_membership(Role.ADMIN)
def upload(project: Project) -> ResponseReturnValue:
    """GET: the upload form; POST: read the files as the chosen options say
    and show what an import would store. Nothing is stored here."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _form_page(project, form), 400 if form.errors else 200
    try:
        options = _options(form)
    except ServiceError as error:
        return _refused(project, str(error), form=form)
    files = [
        (storage.filename or "upload", storage.read())
        for storage in request.files.getlist(form.files.name)
    ]
    preview = import_preview.preview_upload(
        current_session(),
        project,
        files,
        options,
        actor=_user(),
        staging_dir=_staging_dir(),
        max_bytes=_max_bytes(),
    )
    confirm = ConfirmImportForm(formdata=None, token=preview.token or "")
    page = render_template(
        "projects/import_preview.html",
        project=project,
        preview=preview,
        shown=preview.shown,
        form=confirm,
        formats=dict(IMPORT_FORMATS),
        unit_names=UNIT_NAMES,
    )
    return page, 400 if preview.problems else 200


def _options(form: UploadForm) -> importing.ImportOptions:
    """The import options the form chose, as ``annotator import`` takes them."""
    offsets = next((m for m in importing.OFFSET_MODES if m == form.offsets.data), None)
    return importing.ImportOptions(
        source_format=form.source_format.data or importing.DETECT,
        offsets=offsets,
        annotator_map=importing.parse_mapping(form.annotator_map.data, "Annotator map"),
        label_map=importing.parse_mapping(form.label_map.data, "Label map"),
        split_paragraphs=bool(form.split_paragraphs.data),
    )


@blueprint.route("/projects/<int:project_id>/import/confirm", methods=["POST"])
@require_membership(Role.ADMIN)
def confirm_import(project: Project) -> ResponseReturnValue:
    """Store the previewed upload (or drop it when cancelled)."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return _refused(project, "The form's security token is missing or old.")
    token = form.token.data or ""
    if form.cancel.data:
        import_staging.discard(
            _staging_dir(), token, project_id=project.id, user_id=_user().id
        )
        flash("Import cancelled: nothing was stored.", "info")
        return redirect(url_for("projects.upload", project_id=project.id))
    try:
        outcome = import_preview.confirm_import(
            current_session(),
            project,
            token,
            actor=_user(),
            staging_dir=_staging_dir(),
            max_bytes=_max_bytes(),
        )
    except NotFoundError as error:
        return _refused(project, str(error))
    except ImportRefused as error:
        return _refused(project, "Nothing was imported.", error.problems)
    result = outcome.result
    flash(
        f"Imported {result.added} documents ({result.skipped} skipped as "
        f"duplicates, {result.spans} spans).",
        "info",
    )
    return redirect(url_for("projects.show", project_id=project.id))


def _refused(
    project: Project,
    message: str,
    problems: list[str] | None = None,
    form: UploadForm | None = None,
) -> ResponseReturnValue:
    page = _form_page(
        project,
        form or UploadForm(formdata=None),
        refusal=message,
        problems=problems or [],
    )
    return page, 400
