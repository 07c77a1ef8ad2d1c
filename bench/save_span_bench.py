"""Saving one span through the JSON API: one client, keep-alive, the real
server (``annotator serve``, gunicorn) on a fresh SQLite database. Each save
includes the stale-write check and the audit row.

Reference measured in the same run, on the same connection: fetching a small
static file from the same server (the HTTP + WSGI floor). PEERS.md: doccano
10 ms median (14-20 ms p95), Label Studio 80-92 ms.

    .venv/bin/python -m bench.save_span_bench [--saves 500]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

#: Not containing the username, not a common password (accounts.check_password).
PASSWORD = "spans-saved-quickly"
TEXT = ("Moscow has vehemently denied any involvement in the attack. " * 40).strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int) -> None:
    """Until the server on ``port`` accepts connections (up to 30 s)."""
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def prepare(folder: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "ANNOTATOR_INSTANCE_PATH": str(folder),
        # This checkout's code, not whatever the editable install points at.
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    annotator = str(Path(sys.executable).parent / "annotator")
    (folder / "a.txt").write_text(TEXT)

    def run(*args: str, stdin: str | None = None) -> None:
        subprocess.run(
            [annotator, *args],
            env=env,
            input=stdin,
            text=True,
            check=True,
            capture_output=True,
        )

    run("db", "upgrade")
    run("create-user", "bench", "--password-stdin", stdin=f"{PASSWORD}\n")
    run("create-project", "Bench")
    run("add-member", "Bench", "bench", "--role", "annotator")
    run("import", "Bench", str(folder / "a.txt"))
    return env


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, data, dict(response.headers)


def page_token(client: Client, path: str) -> str:
    _, page, _ = client.request("GET", path)
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if match is None:
        raise SystemExit(f"no CSRF token on {path}")
    return match.group(1).decode()


def login(client: Client) -> str:
    """Log in as "bench"; the CSRF token of the new session (a login starts
    a new one, so the login page's token no longer holds)."""
    token = page_token(client, "/login")
    form = urlencode(
        {"username": "bench", "password": PASSWORD, "csrf_token": token}
    ).encode()
    client.request(
        "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    token = page_token(client, "/")
    client.request(
        "POST",
        "/projects/1/next",
        urlencode({"csrf_token": token}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    return token


def timed(call: Callable[[int], None], count: int) -> list[float]:
    times = []
    for index in range(count):
        began = time.perf_counter()
        call(index)
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=500)
    count = parser.parse_args().saves
    with tempfile.TemporaryDirectory() as name:
        env = prepare(Path(name))
        port = free_port()
        annotator = str(Path(sys.executable).parent / "annotator")
        server = subprocess.Popen(
            [annotator, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            client = Client(port)
            token = login(client)
            api = "/api/projects/1/documents/1"
            version = json.loads(client.request("GET", f"{api}/annotation")[1])[
                "version"
            ]
            state = {"version": version}

            def save(index: int) -> None:
                start = (index * 7) % (len(TEXT) - 20)
                body = json.dumps(
                    {
                        "version": state["version"],
                        "start": start,
                        "end": start + 6,
                        "label": "claim",
                    }
                ).encode()
                status, data, _ = client.request(
                    "POST",
                    f"{api}/spans",
                    body,
                    {"Content-Type": "application/json", "X-CSRFToken": token},
                )
                if status != 201:
                    raise SystemExit(f"save failed: {status} {data!r}")
                state["version"] = json.loads(data)["version"]

            def static(_: int) -> None:
                client.request("GET", "/static/css/app.css")

            timed(static, 50)
            reference = timed(static, count)
            saves = timed(save, count)
        finally:
            server.terminate()
            server.wait()

    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95)]

    print(f"saves: {count} (one client, keep-alive, gunicorn, SQLite WAL)")
    print(
        f"reference GET static file: median {statistics.median(reference):.2f} ms, "
        f"p95 {p95(reference):.2f} ms"
    )
    print(
        f"save one span: median {statistics.median(saves):.2f} ms, "
        f"p95 {p95(saves):.2f} ms (the document reaches {count} spans)"
    )
    print(
        f"ratio save / reference (median): "
        f"{statistics.median(saves) / statistics.median(reference):.1f}"
    )
    print(
        f"vs doccano 10 ms median (PEERS.md): "
        f"{10 / statistics.median(saves):.1f}x faster"
    )


if __name__ == "__main__":
    main()
