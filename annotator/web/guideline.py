"""The guideline page: the newest version rendered, its history, an old
version, and (project admins) the editor that saves a new version."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import guideline as guideline_service
from annotator.services.errors import NotFoundError
from annotator.services.projects import has_role
from annotator.web.forms import GuidelineForm
from annotator.web.markdown import render_markdown
from annotator.web.security import require_membership

blueprint = Blueprint("guideline", __name__)


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _page(project: Project, form: GuidelineForm, status: int) -> ResponseReturnValue:
    session = current_session()
    versions = guideline_service.history(session, project)
    newest = versions[0] if versions else None
    return render_template(
        "guideline/show.html",
        project=project,
        form=form,
        versions=versions,
        shown=newest,
        guideline_html=render_markdown(newest.text if newest else ""),
        may_edit=has_role(cast(Role, g.role), Role.ADMIN),
    ), status


@blueprint.route("/projects/<int:project_id>/guideline")
@require_membership(Role.ANNOTATOR)
def show(project: Project) -> ResponseReturnValue:
    form = GuidelineForm(guideline=project.guideline)
    return _page(project, form, 200)


@blueprint.route("/projects/<int:project_id>/guideline", methods=["POST"])
@require_membership(Role.ADMIN)
def save(project: Project) -> ResponseReturnValue:
    form = GuidelineForm()
    if not form.validate_on_submit():
        return _page(project, form, 400)
    text = (form.guideline.data or "").replace("\r\n", "\n")
    try:
        saved = guideline_service.save_guideline(
            current_session(), project, text, _user()
        )
    except guideline_service.InvalidGuideline as error:
        form.guideline.errors = [str(error)]
        return _page(project, form, 400)
    number = saved.version.number
    if saved.changed:
        flash(f"Guideline saved as version {number}.", "info")
    else:
        flash(f"Nothing changed: the guideline is still version {number}.", "info")
    return redirect(url_for("guideline.show", project_id=project.id))


@blueprint.route("/projects/<int:project_id>/guideline/versions/<int:number>")
@require_membership(Role.ANNOTATOR)
def version(project: Project, number: int) -> ResponseReturnValue:
    session = current_session()
    try:
        shown = guideline_service.version(session, project, number)
    except NotFoundError:
        abort(404)
    return render_template(
        "guideline/version.html",
        project=project,
        shown=shown,
        newest=guideline_service.newest(session, project),
        guideline_html=render_markdown(shown.text),
    )
