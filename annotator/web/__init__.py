"""Thin blueprints: parse, authorise, call one service, render."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    # importing and members add their routes to projects.blueprint, so that
    # the endpoint names (projects.upload, projects.members) stay put.
    from annotator.web import (
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
        users,
    )

    return [
        auth.blueprint,
        projects.blueprint,
        users.blueprint,
        annotate.blueprint,
        api.blueprint,
        agreement.blueprint,
        review.blueprint,
        exports.blueprint,
        export_jobs.blueprint,
        guideline.blueprint,
    ]
