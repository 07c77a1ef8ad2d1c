"""GET /api/openapi.json: an OpenAPI 3.1 document generated from the code
that describes every /api/ route of the URL map, and nothing else."""

import re

from annotator.web.v1.openapi import api_rules, methods
from tests.conftest import login

TEMPLATE = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


def _document(client):
    login(client, "annotator")
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _routes(app):
    return {
        (TEMPLATE.sub(r"{\1}", rule.rule), method.lower())
        for rule in api_rules(app)
        for method in methods(rule)
    }


def _operations(document):
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_the_document_needs_a_login(client, users):
    response = client.get("/api/openapi.json")
    assert response.status_code == 401
    assert response.is_json


def test_every_api_route_has_an_operation_and_every_operation_a_route(
    app, client, users
):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    routes, operations = _routes(app), _operations(document)
    assert routes - operations == set(), "routes without an operation"
    assert operations - routes == set(), "operations without a route"
    # The old JSON endpoints of the annotation and review pages are there too.
    assert (
        "/api/projects/{project_id}/documents/{document_id}/spans",
        "post",
    ) in operations
    assert len(operations) > 20


def test_operations_name_their_path_parameters_and_security(client, users):
    document = _document(client)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == schemes["bearer"] | {"type": "http", "scheme": "bearer"}
    assert schemes["csrf"]["name"] == "X-CSRFToken"
    ids = set()
    for path, item in document["paths"].items():
        for method, found in item.items():
            ids.add(found["operationId"])
            named = {p["name"] for p in found["parameters"] if p["in"] == "path"}
            assert named == set(re.findall(r"{(\w+)}", path)), (path, method)
            assert {"bearer": []} in found["security"]
            session = (
                {"session": []} if method == "get" else {"session": [], "csrf": []}
            )
            assert session in found["security"], (path, method)
            assert "default" in found["responses"]
    assert len(ids) == len(_operations(document)), "operationIds are unique"


def test_the_document_is_valid_openapi(client, users):
    import schemathesis

    schema = schemathesis.openapi.from_dict(_document(client))
    loaded = [result.ok() for result in schema.get_all_operations()]
    assert len(loaded) == len(_operations(_document(client)))
