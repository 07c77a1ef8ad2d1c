"""Thin blueprints: parse, authorise, call one service, render."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from annotator.web import (
        agreement,
        annotate,
        api,
        auth,
        exports,
        guideline,
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
        guideline.blueprint,
    ]
