"""Projects, their labels and members."""

from __future__ import annotations

from typing import cast

from flask import abort, g, jsonify
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import members as member_service
from annotator.services import projects as project_service
from annotator.services.labels import labels_json
from annotator.web.errors import json_refusals
from annotator.web.jsonbody import json_body
from annotator.web.security import login_required, require_membership
from annotator.web.v1 import api_v1
from annotator.web.v1.docs import STRING, array, obj, operation, ref
from annotator.web.v1.docs import json_body as body_doc
from annotator.web.v1.params import refuse
from annotator.web.v1.shapes import ROLE, member_json, project_json

PROJECT = "/projects/<int:project_id>"
#: The same answer for an unknown name and for an account a project admin
#: may not add (as on the members page).
NO_SUCH_ACCOUNT = (
    "no user named {!r} that you can add: a site admin can add any account"
)


def _user() -> User:
    return cast(User, current_user._get_current_object())


@api_v1.get("/projects")
@login_required
@operation("The caller's projects", response=array(ref("Project")), tags=["projects"])
def projects() -> ResponseReturnValue:
    """Every project the caller may open, by name, with the role held there
    (site admins: every project, as admin)."""
    found = project_service.projects_for(current_session(), _user())
    return jsonify([project_json(project, role) for project, role in found])


@api_v1.get(PROJECT)
@require_membership(Role.ANNOTATOR)
@operation(
    "One project with its labels",
    response={"allOf": [ref("Project"), obj(["labels"], labels=array(ref("Label")))]},
    tags=["projects"],
)
def project(project: Project) -> ResponseReturnValue:
    labels = labels_json(project)
    return jsonify(project_json(project, g.role) | {"labels": labels})


@api_v1.get(f"{PROJECT}/labels")
@require_membership(Role.ANNOTATOR)
@operation(
    "The project's labels, in order", response=array(ref("Label")), tags=["projects"]
)
def labels(project: Project) -> ResponseReturnValue:
    return jsonify(labels_json(project))


@api_v1.get(f"{PROJECT}/members")
@require_membership(Role.ADMIN)
@operation(
    "The project's members (admins)", response=array(ref("Member")), tags=["members"]
)
def members(project: Project) -> ResponseReturnValue:
    found = project_service.members(current_session(), project)
    return jsonify([member_json(user, role) for user, role in found])


NEW_MEMBER = obj(["username", "role"], username=STRING, role=ROLE)


@api_v1.post(f"{PROJECT}/members")
@require_membership(Role.ADMIN)
@json_refusals
@operation(
    "Add a member, or change a member's role (admins)",
    body=body_doc(NEW_MEMBER),
    response=ref("Member"),
    tags=["members"],
)
def add_member(project: Project) -> ResponseReturnValue:
    """Same rules as the members page: a project admin may add only accounts
    that already share a project with them; an unknown name and an account
    from elsewhere get the same 400."""
    data = json_body()
    username, role = data.get("username"), data.get("role")
    if not isinstance(username, str) or not username.strip():
        raise refuse("username", "a username is required")
    if not isinstance(role, str) or role not in set(Role):
        raise refuse("role", "one of annotator, reviewer, admin")
    session = current_session()
    user = member_service.account_to_add(session, project, username.strip(), _user())
    if user is None:
        raise refuse("username", NO_SUCH_ACCOUNT.format(username.strip()))
    project_service.add_member(session, project, user, role, _user())
    return jsonify(member_json(user, role))


@api_v1.delete(f"{PROJECT}/members/<int:user_id>")
@require_membership(Role.ADMIN)
@json_refusals
@operation(
    "Remove a member (admins)",
    response=obj(["removed"], removed=ref("Member")),
    tags=["members"],
)
def remove_member(project: Project, user_id: int) -> ResponseReturnValue:
    """Their open documents go back to the pool; their submitted work stays."""
    session = current_session()
    user = session.get(User, user_id)
    membership = project_service.membership_of(session, project.id, user_id)
    if user is None or membership is None:
        abort(404)
    removed = member_json(user, membership.role)
    project_service.remove_member(session, project, user, _user())
    return jsonify(removed=removed)
