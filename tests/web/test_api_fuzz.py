"""schemathesis runs every /api/ operation of the OpenAPI document against the
app (in process, WSGI) with generated input, as a logged-in project admin,
and every /api/v1 operation again with that admin's API token instead of the
session: no answer is a 5xx, and every answer matches the schema its status
declares.

Bounded so it runs in well under a minute: a few derandomized examples per
operation, no example database. Path ids are drawn from the real ids of the
test data (and one past them), so the views run rather than answer 404 at the
door; query parameters and bodies are generated freely."""

import contextvars
import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Document, TrainingJob
from annotator.services import assignments, tokens
from annotator.services.documents import import_files
from tests.conftest import csrf_token, login

EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MISSING = 2**31 - 1


@pytest.fixture
def fuzz_data(project, other_project, users):
    import_files(
        db.session,
        project,
        [
            ("a.txt", "Moscow denied 👍🏽 the attack.".encode()),
            ("b.txt", b"Kyiv said so."),
        ],
    )
    import_files(db.session, other_project, [("c.txt", b"Beta's article.")])
    assignments.next_document(db.session, project, users["annotator"])
    # The fuzzer's own document: the annotation page's writes run too.
    assignments.next_document(db.session, project, users["padmin"])
    documents = list(db.session.scalars(select(Document.id)))
    return {
        "project_id": [project.id, other_project.id, MISSING],
        "document_id": [*documents, MISSING],
        "user_id": [users["annotator"].id, users["outsider"].id, MISSING],
        "span_id": [1, MISSING],
        "link_id": [1, MISSING],
    }


def _fuzz_document(document, ids):
    """The served document, with path ids limited to ``ids`` and without the
    security requirements (the session cookie and CSRF header are sent on
    every call, so schemathesis need not generate credentials)."""
    document = copy.deepcopy(document)
    document["components"].pop("securitySchemes")
    for item in document["paths"].values():
        for found in item.values():
            found.pop("security")
            for parameter in found["parameters"]:
                if parameter["in"] == "path" and parameter["name"] in ids:
                    parameter["schema"] = {"enum": ids[parameter["name"]]}
    return document


def _fuzz(app, operations, headers, cookies=None):
    """Run every operation with generated input; (one failure report per
    operation that failed, the statuses each operation answered)."""
    failures = []
    answered: dict[str, set[int]] = {}
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            # A fresh context per request, as a server has: otherwise g (and
            # the logged-in user in it) would outlive one request.
            response = contextvars.Context().run(
                case.call_and_validate,
                app=app,
                headers=headers,
                cookies=cookies or {},
                checks=CHECKS,
            )
            answered.setdefault(case.operation.label, set()).add(response.status_code)

        try:
            call()
        except Exception as error:  # one report for every operation that fails
            failures.append(f"{operation.label}: {error!r}"[:3000])
    return failures, answered


def _operations(client, fuzz_data, prefix="/api/", headers=None):
    served = client.get("/api/openapi.json", headers=headers).get_json()
    schema = schemathesis.openapi.from_dict(_fuzz_document(served, fuzz_data))
    found = [result.ok() for result in schema.get_all_operations()]
    return [operation for operation in found if operation.path.startswith(prefix)]


def _succeeded_gets(answered):
    return [
        label
        for label, codes in answered.items()
        if label.startswith("GET") and 200 in codes
    ]


def test_every_api_operation_survives_generated_input(app, client, fuzz_data):
    login(client, "padmin")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    cookies = {"session": client.get_cookie("session").value}
    operations = _operations(client, fuzz_data)
    assert len(operations) > 20
    failures, answered = _fuzz(app, operations, headers, cookies)
    assert failures == []
    # Trainings take minutes: the fuzzed projects have no gold layer, so every
    # generated start is refused before a job is queued (as a training is
    # checked first), and none ran.
    assert "POST /api/v1/projects/{project_id}/trainings" in answered
    assert db.session.scalars(select(TrainingJob)).all() == []
    # The views ran: most GET operations answered 200 to some input.
    assert len(_succeeded_gets(answered)) >= 10


def test_every_v1_operation_survives_generated_input_with_a_token(
    app, client, fuzz_data, users
):
    """The same with ``Authorization: Bearer <token>`` over /api/v1: no
    session cookie, no CSRF header. The token acts as its user (project admin
    of one project), so the views run past authentication: no 401 anywhere,
    and most GET operations answered 200."""
    plain, _ = tokens.create_token(db.session, users["padmin"], "fuzz")
    bearer = {"Authorization": f"Bearer {plain}"}
    operations = _operations(client, fuzz_data, "/api/v1/", bearer)
    assert len(operations) >= 15
    failures, answered = _fuzz(app, operations, bearer)
    assert failures == []
    assert [label for label, codes in answered.items() if 401 in codes] == []
    assert len(_succeeded_gets(answered)) >= 8
