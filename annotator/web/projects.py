from __future__ import annotations

from typing import cast

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.labels import LabelSpec, example_lines
from annotator.core.progress import STATUS_MEANING, DocumentStatus
from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import layers as layer_service
from annotator.services import overview as overview_service
from annotator.services import progress as progress_service
from annotator.services import projects as project_service
from annotator.services.documents import find_document
from annotator.services.errors import NotFoundError, ServiceError
from annotator.web.forms import (
    NEW_LABEL_ROWS,
    LabelsForm,
    ProjectForm,
)
from annotator.web.markdown import render_markdown
from annotator.web.security import (
    login_required,
    refuse_while_annotating,
    require_membership,
    site_admin_required,
)

blueprint = Blueprint("projects", __name__)
#: Label colour slots in static/css/annotate.css (``.lbl-0`` .. ``.lbl-11``).
LABEL_SLOTS = 12


def _user() -> User:
    return cast(User, current_user._get_current_object())


@blueprint.route("/")
@login_required
def index() -> ResponseReturnValue:
    projects = project_service.projects_for(current_session(), _user())
    return render_template("projects/index.html", projects=projects)


@blueprint.route("/projects/new", methods=["GET", "POST"])
@site_admin_required
def create() -> ResponseReturnValue:
    form = ProjectForm()
    if form.validate_on_submit():
        try:
            project = project_service.create_project(
                current_session(),
                form.name.data,
                description=form.description.data or "",
                guideline=form.guideline.data or "",
                annotators_per_document=form.annotators_per_document.data,
                actor=_user(),
            )
        except ServiceError as error:
            form.name.errors.append(str(error))
        else:
            flash(f"Project {project.name} created.", "info")
            return redirect(url_for("projects.show", project_id=project.id))
    return render_template("projects/new.html", form=form), 400 if form.errors else 200


@blueprint.route("/projects/<int:project_id>")
@require_membership(Role.ANNOTATOR)
def show(project: Project) -> ResponseReturnValue:
    return render_template(
        "projects/show.html",
        project=project,
        overview=overview_service.project_overview(
            current_session(), project, _user(), g.role
        ),
        statuses=list(DocumentStatus),
        guideline_html=render_markdown(project.guideline),
    )


@blueprint.route("/projects/<int:project_id>/documents")
@require_membership(Role.REVIEWER)
def documents(project: Project) -> ResponseReturnValue:
    status = request.args.get("status") or None
    label = request.args.get("label") or None
    try:
        found = progress_service.documents_page(
            current_session(),
            project,
            _user(),
            status=status,
            label=label,
            page=request.args.get("page", 1, type=int),
        )
    except progress_service.InvalidFilter as error:
        abort(400, description=str(error))
    return render_template(
        "projects/documents.html",
        project=project,
        found=found,
        status=status,
        label=label,
        statuses=list(DocumentStatus),
        meaning=STATUS_MEANING,
    )


def _looks(project: Project) -> dict[str, str]:
    """Each label's CSS classes: its colour slot and its underline style, as
    on the annotation page (static/css/annotate.css)."""
    return {
        label.name: f"lbl-{index % LABEL_SLOTS} u-{label.underline}"
        for index, label in enumerate(project.labels)
    }


@blueprint.route("/projects/<int:project_id>/documents/<int:document_id>")
@require_membership(Role.REVIEWER)
def document(project: Project, document_id: int) -> ResponseReturnValue:
    try:
        found = find_document(current_session(), project, document_id)
    except NotFoundError:
        abort(404)
    refuse_while_annotating(found.id)
    shown = request.args.get("names") == "shown"
    try:
        layers = layer_service.document_layers(
            current_session(),
            project,
            found,
            show_names=shown,
            layer=request.args.get("layer") or None,
        )
    except progress_service.InvalidFilter as error:
        abort(400, description=str(error))
    return render_template(
        "projects/document.html",
        project=project,
        document=found,
        found=layers,
        shown=shown,
        looks=_looks(project),
        labels={label.name: label for label in project.labels},
        colors=[
            {"slot": index % LABEL_SLOTS, "color": label.color}
            for index, label in enumerate(project.labels)
        ],
    )


def _fill_label_rows(form: LabelsForm, project: Project) -> None:
    for label in project.labels:
        form.rows.append_entry(
            {
                "name": label.name,
                "display_name": label.display_name,
                "color": label.color,
                "hotkey": label.hotkey,
                "underline": label.underline,
                "definition": label.definition,
                "examples": label.examples,
            }
        )
    for _ in range(NEW_LABEL_ROWS):
        form.rows.append_entry({"underline": "dashed"})


def _label_specs(form: LabelsForm) -> list[LabelSpec]:
    """The labels to keep, in the form's order; removed and blank rows drop."""
    specs = []
    for row in form.rows.data:
        name, display, color, hotkey = (
            (row[field] or "").strip()
            for field in ("name", "display_name", "color", "hotkey")
        )
        if name and not row["remove"]:
            specs.append(
                LabelSpec(
                    name,
                    display or name,
                    color.lower(),
                    hotkey.lower(),
                    row["underline"] or "",
                    (row["definition"] or "").strip(),
                    "\n".join(example_lines(row["examples"] or "")),
                )
            )
    return specs


@blueprint.route("/projects/<int:project_id>/labels", methods=["GET", "POST"])
@require_membership(Role.ADMIN)
def labels(project: Project) -> ResponseReturnValue:
    form = LabelsForm()
    problem = None
    if form.validate_on_submit():
        try:
            specs = _label_specs(form)
            project_service.replace_labels(current_session(), project, specs, _user())
        except ServiceError as error:
            problem = str(error)
        else:
            flash("Labels saved.", "info")
            return redirect(url_for("projects.labels", project_id=project.id))
    elif not form.is_submitted():
        _fill_label_rows(form, project)
    status = 400 if form.errors or problem else 200
    page = render_template(
        "projects/labels.html", project=project, form=form, problem=problem
    )
    return page, status
