"""OpenAPI operation docs declared next to each view.

``@operation(...)`` stores the view's OpenAPI operation object on the
function (``functools.wraps`` in the access decorators copies it onto their
wrappers), and :mod:`annotator.web.v1.openapi` collects them from the URL map.
Schemas are plain JSON Schema dicts; ``ref("Name")`` points at a component.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

View = TypeVar("View", bound=Callable[..., Any])
Schema = dict[str, Any]

#: Where a view keeps its operations: {method (lower case): operation}.
ATTRIBUTE = "openapi_operations"


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(required: Sequence[str] = (), **properties: Schema) -> Schema:
    """An object with these properties (more may be added later: scripts
    must ignore keys they do not know)."""
    return {"type": "object", "required": list(required), "properties": properties}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}
NULLABLE_INTEGER: Schema = {"type": ["integer", "null"]}


def query(
    name: str, schema: Schema, description: str, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def json_body(schema: Schema) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def operation(
    summary: str,
    *,
    response: Schema | None = None,
    status: int = 200,
    responses: Mapping[int, tuple[str, Schema]] | None = None,
    parameters: Sequence[dict[str, Any]] = (),
    body: dict[str, Any] | None = None,
    method: str | None = None,
    tags: Sequence[str] = (),
    media_type: str = "application/json",
) -> Callable[[View], View]:
    """Declare the view's operation: ``response`` is the schema of its
    success answer (``status``), ``responses`` any other answers the view
    gives on purpose. Errors share the ``Error`` schema (``default``).
    ``method`` names the HTTP method when the view answers several;
    ``media_type`` is the success answer's (a zip download's, say)."""

    def decorator(view: View) -> View:
        answers: dict[str, Any] = {
            str(code): _answer(text, schema)
            for code, (text, schema) in (responses or {}).items()
        }
        if response is not None:
            answers[str(status)] = _answer("Success", response, media_type)
        answers["default"] = _answer("An error, said in words", ref("Error"))
        found: dict[str, Any] = {"summary": summary, "responses": answers}
        if view.__doc__:
            found["description"] = " ".join(view.__doc__.split())
        if parameters:
            found["parameters"] = list(parameters)
        if body is not None:
            found["requestBody"] = body
        if tags:
            found["tags"] = list(tags)
        operations = dict(getattr(view, ATTRIBUTE, {}))
        operations[(method or "*").lower()] = found
        cast(Any, view).openapi_operations = operations
        return view

    return decorator


def _answer(
    text: str, schema: Schema, media_type: str = "application/json"
) -> dict[str, Any]:
    return {"description": text, "content": {media_type: {"schema": schema}}}


def operations_of(view: Callable[..., Any]) -> dict[str, Any]:
    """The operations declared on ``view`` (or on the function it wraps)."""
    return dict(getattr(view, ATTRIBUTE, {}))
