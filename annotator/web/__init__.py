"""Thin blueprints: parse, authorise, call one service, render."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    from annotator.web import auth, projects

    return [auth.blueprint, projects.blueprint]
