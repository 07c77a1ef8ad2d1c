"""``annotator add-suggester PROJECT --url URL``: a team's own suggestion
service, checked before it is stored, then served to annotators beside the
cue rules in code points; a service that stops answering is an error for
the admins, not a broken page."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import RegisteredSuggester
from annotator.services.suggestions import settings
from tests.web.conftest import TEXT, Api

MOSCOW = TEXT.index("Moscow")  # after emoji, a ZWJ family: code points


class Answer(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        start = request["text"].index("Moscow")
        body = json.dumps(
            {
                "spans": [
                    {"start": start, "end": start + 6, "label": "claim", "score": 0.8}
                ]
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def service():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address
    yield f"http://{host}:{port}/suggest"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_a_registered_service_is_served_in_code_points(
    runner, client, project, document, service
):
    settings.set_suggestions(db.session, project, "on")
    result = runner.invoke(
        cli, ["add-suggester", project.name, "--url", service, "--name", "team"]
    )
    assert result.exit_code == 0, result.output
    assert f"suggestions from team 1 at {service}" in result.output
    api = Api(client, project, document)
    found = api.client.get(f"{api.base}/suggestions").get_json()["suggestions"]
    team = [
        (s["start"], s["end"], s["label"]) for s in found if s["suggester"] == "team"
    ]
    assert team == [(MOSCOW, MOSCOW + 6, "claim")]
    assert TEXT[MOSCOW : MOSCOW + 6] == "Moscow"


def test_a_service_that_went_away_is_recorded_and_the_page_still_answers(
    runner, client, project, document
):
    settings.set_suggestions(db.session, project, "on")
    dead = "http://127.0.0.1:9/suggest"  # the discard port: nobody answers
    assert (
        runner.invoke(cli, ["add-suggester", project.name, "--url", dead]).exit_code
        == 0
    )
    api = Api(client, project, document)
    response = api.client.get(f"{api.base}/suggestions")
    assert response.status_code == 200
    assert {s["suggester"] for s in response.get_json()["suggestions"]} <= {"rules"}
    row = db.session.scalar(
        select(RegisteredSuggester).where(RegisteredSuggester.kind == "http")
    )
    db.session.refresh(row)
    assert row.last_error


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://models.example/suggest", "must be http:// or https:// with a host"),
        ("http:///suggest", "must be http:// or https:// with a host"),
    ],
)
def test_a_bad_url_is_refused_and_nothing_stored(runner, project, url, message):
    result = runner.invoke(cli, ["add-suggester", project.name, "--url", url])
    assert result.exit_code == 1
    assert message in result.output
    kinds = db.session.scalars(select(RegisteredSuggester.kind)).all()
    assert "http" not in kinds


def test_an_unknown_project_is_named(runner):
    result = runner.invoke(cli, ["add-suggester", "Nope", "--url", "http://x/"])
    assert result.exit_code == 1
    assert "Nope" in result.output
