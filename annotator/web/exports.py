"""The Exports page: start a dataset export (a job: see web/export_jobs.py),
follow it, list past ones, download them (one zip per export, or file by
file). The page's script submits the same job through the JSON API and shows
its progress; without the script the form posts here and the page refreshes
itself until the job is done."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from annotator.core.exports import format_names, get_format
from annotator.core.spans import MAX_STORED_INT
from annotator.extensions import current_session
from annotator.models import ExportJob, Project, Role, User
from annotator.services import export_jobs
from annotator.services import exports as export_service
from annotator.services.errors import NotFoundError, ServiceError
from annotator.web import export_runner
from annotator.web.forms import ExportForm
from annotator.web.security import refuse_while_annotating_in, require_membership

blueprint = Blueprint("exports", __name__)

#: The form's fields carried in the page's address after an export, so that
#: the form shows the same choices again.
KEPT_FIELDS = (
    "format",
    "layer",
    "min_annotators",
    "min_agreement",
    "labels",
    "status",
    "split",
    "seed",
    "real_names",
)


def _export_dir() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def _settings(form: ExportForm) -> export_service.ExportSettings:
    """The form's choices as the service's settings (ServiceError when the
    split is malformed)."""
    split = (form.split.data or "").strip()
    doccano = form.format.data == "doccano"
    return export_service.ExportSettings(
        format=form.format.data,
        layer=form.layer.data,
        min_annotators=form.min_annotators.data,
        min_agreement=form.min_agreement.data,
        labels=tuple(form.labels.data or ()),
        status=form.status.data,
        split=export_service.parse_ratios(split) if split else None,
        seed=form.seed.data or 0,
        pseudonymise=not form.real_names.data,
        offsets=form.offsets.data if doccano else None,
        doccano_shape=form.doccano_shape.data if doccano else None,
    )


def _submit(project: Project, form: ExportForm) -> ExportJob | str:
    """Start the export the form asks for as a job: the job, or the reason
    it was refused."""
    user = cast(User, current_user._get_current_object())
    try:
        job = export_jobs.submit_job(current_session(), project, user, _settings(form))
        export_runner.start(job.id)
        return export_jobs.get_job(current_session(), project, job.id)
    except ServiceError as error:
        return str(error)


def _shown_job(project: Project) -> ExportJob | None:
    """The job named by ``?job=`` in the address, if it is this project's."""
    job_id = request.args.get("job", type=int)
    if job_id is None or not 0 < job_id <= MAX_STORED_INT:
        return None
    try:
        return export_jobs.get_job(current_session(), project, job_id)
    except NotFoundError:
        return None


def _kept() -> dict[str, Any]:
    """The submitted choices, as query arguments for the page after the export."""
    kept: dict[str, Any] = {}
    for name in KEPT_FIELDS:
        values = [v for v in request.form.getlist(name) if v]
        if values:
            kept[name] = values if name == "labels" else values[0]
    return kept


def _other_files(project: Project, summary: export_service.ExportSummary) -> list[str]:
    """Files of an export besides the data file, card and manifest (the
    articles of semeval-tsv), from its manifest."""
    folder = _export_dir() / export_service.project_folder_name(project) / summary.name
    manifest = export_service.read_manifest(folder) or {}
    return sorted(set(manifest.get("files", {})) - set(summary.files))


def _form(project: Project) -> ExportForm:
    """The form, filled from a POST, or from the address after an export."""
    chosen = request.args if request.method == "GET" and request.args else None
    form = ExportForm(formdata=chosen) if chosen is not None else ExportForm()
    form.labels.choices = [
        SelectChoice(label.name, label.display_name) for label in project.labels
    ]
    return form


@blueprint.route("/projects/<int:project_id>/exports", methods=["GET", "POST"])
@require_membership(Role.REVIEWER)
def index(project: Project) -> ResponseReturnValue:
    form = _form(project)
    problem = None
    job = _shown_job(project)
    if form.validate_on_submit():
        refuse_while_annotating_in(project)
        submitted = _submit(project, form)
        if isinstance(submitted, str):
            problem = submitted
        elif submitted.status == export_jobs.FAILED:
            problem = submitted.error
        else:
            return redirect(_after(project, submitted))
    if job is not None and job.status == export_jobs.FAILED:
        problem = job.error
    status = 400 if form.errors or (problem and request.method == "POST") else 200
    made = request.args.get("made")
    if job is not None and job.status == export_jobs.DONE:
        made = job.export_name
    return render_template(
        "exports/index.html",
        project=project,
        form=form,
        problem=problem,
        made=made,
        job=job,
        running=job is not None and job.status in export_jobs.UNFINISHED,
        exports=export_service.list_exports(_export_dir(), project),
        other_files=_other_files,
        formats=[get_format(name) for name in format_names()],
    ), status


def _after(project: Project, job: ExportJob) -> str:
    """Where the form leads: the finished export, or the job's progress."""
    if job.status == export_jobs.DONE:
        flash(f"Export written: {_documents(project, job)} documents.", "info")
        return url_for(
            "exports.index",
            project_id=project.id,
            made=job.export_name,
            **_kept(),
            _anchor="past-exports",
        )
    return url_for(
        "exports.index",
        project_id=project.id,
        job=job.id,
        **_kept(),
        _anchor="export-status",
    )


def _documents(project: Project, job: ExportJob) -> int:
    summary = export_service.export_summary(
        _export_dir(), project, job.export_name or ""
    )
    return summary.documents if summary else 0


@blueprint.route("/projects/<int:project_id>/exports/<name>.zip")
@require_membership(Role.REVIEWER)
def download_zip(project: Project, name: str) -> ResponseReturnValue:
    """The export ``name`` of this project as one zip."""
    refuse_while_annotating_in(project)
    try:
        archive = export_service.export_archive(_export_dir(), project, name)
    except NotFoundError:
        abort(404)
    return send_file(
        archive.stream,
        mimetype="application/zip",
        as_attachment=True,
        download_name=archive.filename,
        max_age=0,
    )


# Without merge_slashes, ".../name//etc/passwd" is a 404, not a redirect.
@blueprint.route(
    "/projects/<int:project_id>/exports/<name>/<path:filename>", merge_slashes=False
)
@require_membership(Role.REVIEWER)
def download(project: Project, name: str, filename: str) -> ResponseReturnValue:
    refuse_while_annotating_in(project)
    try:
        path = export_service.export_file(_export_dir(), project, name, filename)
    except NotFoundError:
        abort(404)
    # Files in subfolders (each annotator's train.tsv) keep their folders in
    # the name, so downloads do not overwrite each other.
    name = filename.replace("/", "_")
    return send_file(path, as_attachment=True, download_name=name, max_age=0)
