"""Thin blueprints: parse, authorise, call one service, render."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    # importing and members add their routes to projects.blueprint, so that
    # the endpoint names (projects.upload, projects.members) stay put;
    # suggestions adds its routes to api.blueprint, suggestion_admin and
    # suggestion_effect to projects.blueprint.
    from annotator.web import (
        account,
        agreement,
        annotate,
        api,
        auth,
        export_jobs,
        exports,
        guideline,
        importing,  # noqa: F401
        members,  # noqa: F401
        projects,
        review,
        suggestion_admin,  # noqa: F401
        suggestion_effect,  # noqa: F401
        suggestions,  # noqa: F401
        training_jobs,
        users,
    )
    from annotator.web.v1 import blueprints as api_v1_blueprints

    return [
        auth.blueprint,
        projects.blueprint,
        users.blueprint,
        account.blueprint,
        annotate.blueprint,
        api.blueprint,
        agreement.blueprint,
        review.blueprint,
        exports.blueprint,
        export_jobs.blueprint,
        training_jobs.blueprint,
        guideline.blueprint,
        *api_v1_blueprints(),
    ]
