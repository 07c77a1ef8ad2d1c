"""Every JSON write reads its body through one reader: hostile bodies get a
400 or 413 that says why, never a 500, and nothing is stored."""

import io

import pytest

from tests.web.conftest import Api, span_count


def _post_raw(api, raw, **headers):
    return api.client.post(
        f"{api.base}/spans",
        data=raw,
        headers={
            "X-CSRFToken": api.token,
            "Content-Type": "application/json",
            **headers,
        },
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"[" * 30000, "nests deeper than 32 levels"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nests deeper than 32 levels"),
        (
            b'{"version": 1, "start": 0, "start": 2, "end": 4, "label": "claim"}',
            "'start' appears twice",
        ),
        (b'{"version": 1, "start": NaN, "end": 4, "label": "claim"}', "NaN"),
        (b'{"version": 1, "start": Infinity, "end": 4, "label": "claim"}', "Infinity"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
    ],
)
def test_a_hostile_body_is_refused_saying_why(client, project, document, raw, says):
    api = Api(client, project, document)
    response = _post_raw(api, raw)
    assert response.status_code == 400, response.data[:200]
    assert says in response.get_json()["error"]
    assert span_count() == 0


def test_deep_strings_are_not_mistaken_for_nesting(client, project, document):
    api = Api(client, project, document)
    note = "[{" * 100
    body = (
        f'{{"version": {api.version()}, "start": 0, "end": 2, '
        f'"label": "claim", "note": "{note}"}}'
    )
    response = _post_raw(api, body.encode())
    assert response.status_code == 201, response.get_json()


def test_the_size_limit_holds_for_a_chunked_body(client, project, document):
    api = Api(client, project, document)
    big = b'{"note": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    response = client.post(
        f"{api.base}/spans",
        input_stream=io.BytesIO(big),
        headers={
            "X-CSRFToken": api.token,
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    said = "The JSON body is larger than the 64 KB limit."
    assert response.get_json()["error"] == said
    assert span_count() == 0


def test_a_declared_oversized_body_names_the_json_limit(client, project, document):
    api = Api(client, project, document)
    response = _post_raw(api, b'{"note": "' + b"x" * 70000 + b'"}')
    assert response.status_code == 413
    assert "64 KB" in response.get_json()["error"]


WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _json_writes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.methods & WRITES:
            yield rule


@pytest.mark.parametrize(
    "raw", [b"[" * 30000, b'{"status": ["submitted"]}', b'{"status": {"a": 1}}']
)
@pytest.mark.parametrize("username", ["padmin", "annotator"])
def test_no_json_write_answers_500(app, client, project, document, raw, username):
    api = Api(client, project, document, username=username)
    rules = list(_json_writes(app))
    assert len(rules) >= 19
    for rule in rules:
        values = dict.fromkeys(rule.arguments, 1)
        values.update(project_id=project.id, document_id=document.id)
        url = rule.build(values)[1]
        method = sorted(rule.methods & WRITES)[0]
        response = client.open(
            url,
            method=method,
            data=raw,
            headers={"X-CSRFToken": api.token, "Content-Type": "application/json"},
        )
        assert response.status_code < 500, (url, response.data[:300])
        assert response.is_json, url


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"attributes": []}, "attributes"),
        ({"attributes": 0}, "attributes"),
        ({"attributes": False}, "attributes"),
        ({"attributes": ""}, "attributes"),
        ({"note": 0}, "note"),
        ({"note": []}, "note"),
        ({"note": False}, "note"),
    ],
)
def test_empty_values_of_the_wrong_type_are_refused_not_coerced(
    client, project, document, extra, field
):
    api = Api(client, project, document)
    response = api.add(0, 2, **extra)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["field"] == field
    assert span_count() == 0


def test_null_attributes_and_note_mean_none(client, project, document):
    api = Api(client, project, document)
    response = api.add(0, 2, attributes=None, note=None)
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("reason", [0, [], False])
def test_a_skip_reason_of_the_wrong_type_is_refused(client, project, document, reason):
    api = Api(client, project, document)
    body = {"version": api.version(), "status": "skipped", "reason": reason}
    response = api.send("POST", "/status", body)
    assert response.status_code == 400
    assert response.get_json()["field"] == "reason"
