"""The Exports page: write a dataset export, list past ones, download files."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from annotator.extensions import current_session
from annotator.models import Project, Role
from annotator.services import exports as export_service
from annotator.services.errors import NotFoundError, ServiceError
from annotator.web.forms import ExportForm
from annotator.web.security import refuse_while_annotating_in, require_membership

blueprint = Blueprint("exports", __name__)


def _export_dir() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def _settings(form: ExportForm) -> export_service.ExportSettings:
    """The form's choices as the service's settings (ServiceError when the
    split is malformed)."""
    split = (form.split.data or "").strip()
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
    )


def _write(project: Project, form: ExportForm) -> str | None:
    """Write the export the form asks for; the reason if it was refused."""
    try:
        result = export_service.write_export(
            current_session(), project, _settings(form), _export_dir()
        )
    except ServiceError as error:
        return str(error)
    documents = result.manifest["documents"]["exported"]
    flash(f"Export {result.folder.name} written: {documents} documents.", "info")
    return None


def _other_files(project: Project, summary: export_service.ExportSummary) -> list[str]:
    """Files of an export besides the data file, card and manifest (the
    articles of semeval-tsv), from its manifest."""
    folder = _export_dir() / export_service.project_folder_name(project) / summary.name
    manifest = export_service.read_manifest(folder) or {}
    return sorted(set(manifest.get("files", {})) - set(summary.files))


@blueprint.route("/projects/<int:project_id>/exports", methods=["GET", "POST"])
@require_membership(Role.REVIEWER)
def index(project: Project) -> ResponseReturnValue:
    form = ExportForm()
    form.labels.choices = [
        SelectChoice(label.name, label.display_name) for label in project.labels
    ]
    problem = None
    if form.validate_on_submit():
        refuse_while_annotating_in(project)
        problem = _write(project, form)
        if problem is None:
            return redirect(url_for("exports.index", project_id=project.id))
    status = 400 if problem or form.errors else 200
    return render_template(
        "exports/index.html",
        project=project,
        form=form,
        problem=problem,
        exports=export_service.list_exports(_export_dir(), project),
        other_files=_other_files,
    ), status


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
