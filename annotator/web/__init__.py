"""Thin blueprints: parse, authorise, call one service, render."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from annotator.web import annotate, api, auth, projects

    return [auth.blueprint, projects.blueprint, annotate.blueprint, api.blueprint]
