"""The external suggester contract against a small reference server: a good
answer becomes suggestions in code points; a slow, broken or lying server is
a SuggesterError naming what was wrong, within the timeout."""

import contextlib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest

from annotator.core.suggestions import SuggesterError, Suggestion
from annotator.core.suggestions.contract import parse_answer
from annotator.services.suggesters.http import HttpSuggester, from_config

LABELS = ["claim", "denial", "hedge"]
TEXT = "🙂👍🏽 Officials reportedly denied it."  # "reportedly": 14..24


def good_answer(request):
    text = request["text"]
    start = text.index("reportedly")
    return {
        "spans": [
            {"start": start + 11, "end": start + 17, "label": "denial", "score": 0.9},
            {"start": start, "end": start + 10, "label": "hedge", "score": 0.75},
        ],
        "model": "ignored-extra-key",
    }


ANSWERS = {
    "/good": (200, lambda r: json.dumps(good_answer(r)).encode()),
    "/malformed": (200, lambda r: b'{"spans": [{"start": 1,'),
    "/not-object": (200, lambda r: b"[1, 2]"),
    "/error": (500, lambda r: b'{"error": "model crashed"}'),
    "/big": (200, lambda r: b'{"spans": [], "pad": "' + b"x" * 5000 + b'"}'),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        request = json.loads(self.rfile.read(length))
        self.server.requests.append((self.path, self.headers, request))
        try:
            if self.path == "/slow":
                self.server.release.wait(5)
                return
            if self.path == "/drip":  # headers at once, then a byte at a time
                self.send_response(200)
                self.end_headers()
                for _ in range(50):
                    if self.server.release.wait(0.1):
                        return
                    self.wfile.write(b" ")
                    self.wfile.flush()
                return
            if self.path.startswith("/spans"):
                body = json.dumps({"spans": [self.server.span]}).encode()
                status = 200
            else:
                status, make = ANSWERS[self.path]
                body = make(request)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as it should


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    httpd.release = threading.Event()
    httpd.span = None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def client(server, path, **options):
    host, port = server.server_address
    return HttpSuggester(f"http://{host}:{port}{path}", project="Alpha", **options)


def test_good_answer_becomes_sorted_suggestions_in_code_points(server):
    found = client(server, "/good", document="doc-1").suggest(TEXT, LABELS)
    assert found == [
        Suggestion(14, 24, "hedge", 0.75),
        Suggestion(25, 31, "denial", 0.9),
    ]
    assert TEXT[14:24] == "reportedly"
    path, headers, request = server.requests[-1]
    assert path == "/good"
    assert request == {
        "text": TEXT,
        "labels": LABELS,
        "project": "Alpha",
        "document": "doc-1",
    }
    assert headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_slow_server_is_a_timeout_not_a_hang(server):
    began = time.monotonic()
    with pytest.raises(SuggesterError, match=r"no complete answer within 0.3 s"):
        client(server, "/slow", timeout=0.3).suggest(TEXT, LABELS)
    assert time.monotonic() - began < 3


def test_an_answer_trickling_in_is_cut_at_the_deadline(server):
    began = time.monotonic()
    with pytest.raises(SuggesterError, match=r"no complete answer within 0.5 s"):
        client(server, "/drip", timeout=0.5).suggest(TEXT, LABELS)
    assert time.monotonic() - began < 3


def test_malformed_json_is_named(server):
    with pytest.raises(SuggesterError, match=r"/malformed: answer is not valid JSON"):
        client(server, "/malformed").suggest(TEXT, LABELS)


def test_an_answer_that_is_not_an_object_is_named(server):
    with pytest.raises(
        SuggesterError, match=r'must be a JSON object with "spans", not a list'
    ):
        client(server, "/not-object").suggest(TEXT, LABELS)


def test_a_server_error_is_named_with_its_status(server):
    with pytest.raises(SuggesterError, match=r"/error: answered HTTP 500"):
        client(server, "/error").suggest(TEXT, LABELS)


def test_an_answer_over_the_size_limit_is_refused(server):
    with pytest.raises(SuggesterError, match=r"larger than 1000 bytes"):
        client(server, "/big", max_bytes=1000).suggest(TEXT, LABELS)
    assert client(server, "/big").suggest(TEXT, LABELS) == []


def test_nobody_listening_is_a_named_failure():
    with socket_closed_port() as closed:
        suggester = HttpSuggester(f"http://127.0.0.1:{closed}/", project="Alpha")
        with pytest.raises(SuggesterError, match="request failed"):
            suggester.suggest(TEXT, LABELS)


@contextlib.contextmanager
def socket_closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # bound, never listening: refused
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


GOOD = {"start": 14, "end": 24, "label": "hedge", "score": 0.5}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": "14"}, r"spans\[0\].start: must be an integer, not a string"),
        ({"end": 24.0}, r"spans\[0\].end: must be an integer, not a number"),
        ({"start": True}, r"spans\[0\].start: must be an integer, not a boolean"),
        ({"start": 24, "end": 14}, r"start 24, end 14 outside the text or inverted"),
        ({"start": 14, "end": 14}, r"outside the text or inverted"),
        ({"start": -1}, r"start -1, end 24 outside"),
        ({"end": len(TEXT) + 1}, rf"need 0 <= start < end <= {len(TEXT)}"),
        ({"label": "rumour"}, r"'rumour' is not one of the labels asked for"),
        ({"label": None}, r"spans\[0\].label: must be a string, not null"),
        ({"score": 1.5}, r"spans\[0\].score: 1.5 is outside \[0, 1\]"),
        ({"score": -0.1}, r"outside \[0, 1\]"),
        ({"score": "high"}, r"spans\[0\].score: must be a number, not a string"),
    ],
)
def test_invalid_spans_are_refused_naming_the_field(server, change, message):
    server.span = {**GOOD, **change}
    with pytest.raises(SuggesterError, match=message):
        client(server, "/spans").suggest(TEXT, LABELS)


def test_a_missing_field_is_named(server):
    server.span = {"start": 14, "end": 24, "label": "hedge"}
    with pytest.raises(
        SuggesterError, match=r"spans\[0\].score: must be a number, not missing"
    ):
        client(server, "/spans").suggest(TEXT, LABELS)


def test_the_last_code_point_is_in_range(server):
    server.span = {**GOOD, "start": len(TEXT) - 1, "end": len(TEXT)}
    found = client(server, "/spans").suggest(TEXT, LABELS)
    assert found == [Suggestion(len(TEXT) - 1, len(TEXT), "hedge", 0.5)]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://host/", "http:///x"])
def test_only_http_urls_with_a_host_are_accepted(url):
    with pytest.raises(SuggesterError, match="must be http:// or https:// with a host"):
        HttpSuggester(url, project="Alpha")


# ------------------------------------------------- the documented contract

DOC = Path(__file__).parents[2] / "docs" / "suggestions.md"


def documented_json():
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text("utf-8"), re.S)
    return [json.loads(block) for block in blocks]


def documented_schema(title):
    (schema,) = [b for b in documented_json() if b.get("title") == title]
    return schema


def test_the_request_sent_is_the_documented_one(server):
    client(server, "/good").suggest(TEXT, LABELS)
    _, _, request = server.requests[-1]
    jsonschema.validate(request, documented_schema("Suggestion request"))


def test_the_documented_example_answer_is_valid_for_the_example_request():
    blocks = documented_json()
    request = next(b for b in blocks if "text" in b and "labels" in b)
    answer = next(b for b in blocks if "spans" in b and "title" not in b)
    jsonschema.validate(request, documented_schema("Suggestion request"))
    jsonschema.validate(answer, documented_schema("Suggestion answer"))
    found = parse_answer(
        json.dumps(answer).encode(), request["text"], request["labels"]
    )
    words = [(request["text"][s.start : s.end], s.label) for s in found]
    assert words == [("reportedly", "hedge"), ("denied", "denial")]


def test_the_reference_answer_meets_the_documented_schema(server):
    answer = good_answer({"text": TEXT})
    jsonschema.validate(answer, documented_schema("Suggestion answer"))


def test_registered_config_makes_a_client(server):
    host, port = server.server_address
    config = {"url": f"http://{host}:{port}/good", "timeout": 2}
    suggester = from_config(config, "Alpha", name="team-model", version="v3")
    assert (suggester.name, suggester.version) == ("team-model", "v3")
    assert suggester.timeout == 2.0
    found = suggester.for_document("doc-9").suggest(TEXT, LABELS)
    assert [s.label for s in found] == ["hedge", "denial"]
    assert server.requests[-1][2]["document"] == "doc-9"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("http://x", "must be an object with a url"),
        ({"url": 3}, "config.url"),
        ({"url": "http://x", "timeout": "5"}, "config.timeout"),
        ({"url": "http://x", "timeout": 0}, "timeout must be above 0"),
        ({"url": "http://x", "max_bytes": 0}, "config.max_bytes"),
    ],
)
def test_bad_config_is_named(config, message):
    with pytest.raises(SuggesterError, match=message):
        from_config(config, "Alpha")
