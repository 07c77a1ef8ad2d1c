"""A project's labels as every page and the API show them, in one shape:
name, display name, colour, key, underline style, definition and examples
(one a line, trimmed, blank lines dropped). The annotation page, its
guideline drawer and key dialog, the review page and ``/api/v1`` all read
it here, so they cannot disagree on a label's look or its guide."""

from __future__ import annotations

from typing import Any

from annotator.core.labels import example_lines
from annotator.models import Label, Project


def label_json(label: Label) -> dict[str, Any]:
    """One label as JSON values (see the module docstring)."""
    return {
        "name": label.name,
        "display_name": label.display_name,
        "color": label.color,
        "hotkey": label.hotkey,
        "underline": label.underline,
        "definition": label.definition,
        "examples": example_lines(label.examples),
    }


def labels_json(project: Project) -> list[dict[str, Any]]:
    """The project's labels in its order, each as :func:`label_json`."""
    return [label_json(label) for label in project.labels]
