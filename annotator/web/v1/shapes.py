"""JSON shapes of the API's resources and their JSON Schemas, side by side so
that the OpenAPI document says what the views answer."""

from __future__ import annotations

from typing import Any

from annotator.core.labels import UNDERLINE_STYLES
from annotator.models import Project, User
from annotator.services.queue_order import ORDERS as QUEUE_ORDERS
from annotator.web.v1.docs import (
    BOOLEAN,
    INTEGER,
    NULLABLE_INTEGER,
    NULLABLE_STRING,
    STRING,
    Schema,
    array,
    obj,
    ref,
)

ROLE: Schema = {"type": "string", "enum": ["annotator", "reviewer", "admin"]}


LABEL = obj(
    ["name", "display_name", "color"],
    name=STRING,
    display_name=STRING,
    color=STRING,
    hotkey=STRING,
    underline={"type": "string", "enum": list(UNDERLINE_STYLES)},
    definition=STRING,
    examples=array(STRING),
)


def project_json(project: Project, role: str) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "annotators_per_document": project.annotators_per_document,
        "queue_order": project.queue_order,
        "queue_seed": project.queue_seed,
        "role": str(role),
    }


PROJECT = obj(
    ["id", "name", "role"],
    id=INTEGER,
    name=STRING,
    description=STRING,
    annotators_per_document=INTEGER,
    queue_order={
        "type": "string",
        "enum": list(QUEUE_ORDERS),
        "description": "the order documents are handed out in",
    },
    queue_seed={
        **NULLABLE_INTEGER,
        "description": "the random order's seed (kept when another order is "
        "chosen); null until one is chosen",
    },
    role=ROLE,
)


def member_json(user: User, role: str) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": str(role)}


MEMBER = obj(["id", "username", "role"], id=INTEGER, username=STRING, role=ROLE)

ERROR = obj(
    ["error"],
    error=STRING,
    status=INTEGER,
    field={**NULLABLE_STRING, "description": "the field or parameter refused"},
    problems={**array(STRING), "description": "every file/line/field in error"},
)

PAGE = obj(
    ["page", "per_page", "pages", "total"],
    page=INTEGER,
    per_page=INTEGER,
    pages=INTEGER,
    total=INTEGER,
)

COMPONENTS: dict[str, Schema] = {
    "Error": ERROR,
    "Label": LABEL,
    "Project": PROJECT,
    "Member": MEMBER,
    "Page": PAGE,
}

__all__ = ["BOOLEAN", "COMPONENTS", "ref"]
