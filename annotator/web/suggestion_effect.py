"""How much suggestions steer a project's annotators, for its reviewers and
admins: a sub-page of the Suggestions page (``projects.suggestion_effect``);
the same figures as ``GET /api/v1/projects/<id>/suggestions/effect`` and
``annotator suggestion-effect``."""

from __future__ import annotations

from typing import cast

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.suggestions.effect import MEASURE_NAME
from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services.suggestions.effect import suggestion_effect
from annotator.web.agreement import number, plural
from annotator.web.projects import blueprint
from annotator.web.security import require_membership


@blueprint.route(
    "/projects/<int:project_id>/suggestions/effect", endpoint="suggestion_effect"
)
@require_membership(Role.REVIEWER)
def suggestion_effect_page(project: Project) -> ResponseReturnValue:
    """Leaves out the documents the viewer has open to annotate, as the
    Agreement page does."""
    viewer = cast(User, current_user._get_current_object())
    report = suggestion_effect(current_session(), project, viewer=viewer)
    return render_template(
        "projects/suggestion_effect.html",
        project=project,
        report=report,
        measure=MEASURE_NAME,
        number=number,
        plural=plural,
    )
