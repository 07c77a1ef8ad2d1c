"""A project's members: add one with a role, change a role, remove one after
a confirmation. Routes of the ``projects`` blueprint, so their endpoint names
(``projects.members``, ``projects.remove_member``) stay put."""

from __future__ import annotations

from typing import cast

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import members as member_service
from annotator.services import projects as project_service
from annotator.services.errors import LastAdmin, ServiceError
from annotator.web.forms import ConfirmForm, MemberForm
from annotator.web.projects import blueprint
from annotator.web.security import require_membership

#: The same answer for an unknown name and for an account a project admin
#: may not add (it shares no project with them).
NO_SUCH_ACCOUNT = (
    "no user named {!r} that you can add: a site admin can add any account"
)


def _user() -> User:
    return cast(User, current_user._get_current_object())


@blueprint.route("/projects/<int:project_id>/members", methods=["GET", "POST"])
@require_membership(Role.ADMIN)
def members(project: Project) -> ResponseReturnValue:
    form = MemberForm()
    status: int | None = None
    if form.validate_on_submit():
        user = member_service.account_to_add(
            current_session(), project, form.username.data, _user()
        )
        if user is None:
            form.username.errors.append(NO_SUCH_ACCOUNT.format(form.username.data))
        else:
            try:
                project_service.add_member(
                    current_session(), project, user, form.role.data, _user()
                )
            except LastAdmin as error:
                # Nothing changed: say so beside the role that was asked for.
                form.role.errors.append(f"Nothing changed: {error}")
                status = 409
            else:
                flash(f"{user.username} is now {form.role.data}.", "info")
                return redirect(url_for("projects.members", project_id=project.id))
    # Only site admins may see every account; others type a username.
    choices = (
        member_service.addable_accounts(current_session(), project)
        if _user().is_admin
        else None
    )
    return render_template(
        "projects/members.html",
        project=project,
        form=form,
        choices=choices,
        members=project_service.members(current_session(), project),
    ), status or (400 if form.errors else 200)


@blueprint.route(
    "/projects/<int:project_id>/members/<int:user_id>/remove", methods=["GET", "POST"]
)
@require_membership(Role.ADMIN)
def remove_member(project: Project, user_id: int) -> ResponseReturnValue:
    """GET: what removing the member changes; POST with the CSRF token: remove."""
    session = current_session()
    user = session.get(User, user_id)
    membership = project_service.membership_of(session, project.id, user_id)
    if user is None or membership is None:
        abort(404)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            project_service.remove_member(session, project, user, _user())
        except ServiceError as error:
            problem = str(error)
        else:
            flash(f"{user.username} is no longer a member.", "info")
            return redirect(url_for("projects.members", project_id=project.id))
    return render_template(
        "projects/remove_member.html",
        project=project,
        member=user,
        role=membership.role,
        form=form,
        problem=problem,
        work=member_service.member_work(session, project, user),
    ), 400 if problem or form.errors else 200
