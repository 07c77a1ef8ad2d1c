"""Outages in the middle of a burst of span saves: the whole ``annotator
serve`` process group killed with SIGKILL and started again (``--outage
server``), or PostgreSQL restarted under the running server (``--outage
postgres``). Clients keep saving through it and retry.

Each client saves to its own document: save ``n`` is the span at
``offsets(n)``. When an answer is not a 201 (connection lost, 503, anything
else) the client reloads its annotation (retrying until the server answers)
and looks for that span: if it is there, the save was committed but its
answer lost; if not, it saves again with the version it just read. The burst
ends a few seconds after the last outage. Then the database is checked:

- every acknowledged span id is stored, and each intended save is stored
  exactly once (no duplicate of a retried save, none missing);
- nothing half written: one ``create`` audit row per span and none for a span
  not stored; each assignment's version equals its number of spans (every
  save bumps it once, in the same transaction);
- the errors clients saw, by status, inside and outside the outage windows
  (an outage window runs from the kill or the restart command until the
  server, or PostgreSQL, answers again); a status other than 503 or a lost
  connection is non-retryable;
- with ``--outage postgres`` the server is never restarted: the same gunicorn
  master and workers answer before and after (the pool's pre-ping replaces
  the dead connections).

    .venv/bin/python -m bench.save_outage_bench --outage server [--database-url URL]
    .venv/bin/python -m bench.save_outage_bench --outage postgres --database-url URL \
        [--restart "pg_ctlcluster 15 main restart"]

``--database-url``: a fresh, empty database (SQLite in a temporary folder if
not given). A PostgreSQL restart cuts every other user of that server too.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path

from sqlalchemy import create_engine, select

from annotator.models import Assignment, AuditEvent
from annotator.models import Span as SpanRow
from bench.save_kill_bench import workers_of
from bench.save_span_bench import Client, free_port, login, wait_for
from bench.save_vs_doccano_bench import Ours, load, offsets


@dataclass
class Tally:
    """What the clients saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[int] = field(default_factory=list)
    lost_but_stored: int = 0
    retried: int = 0
    #: (status, sent at, answered at); status 0 is a lost connection.
    errors: list[tuple[int, float, float]] = field(default_factory=list)
    #: document id -> the (start, end) of every save completed
    completed: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    first_bad: str = ""


class Server:
    """``annotator serve`` in its own process group, on a fixed port, so that
    the whole group can be killed and started again."""

    def __init__(self, ours: Ours, log: Path | None) -> None:
        self.ours, self.log = ours, log
        self.port = free_port()
        self.env = {
            **os.environ,
            "ANNOTATOR_INSTANCE_PATH": str(ours.folder),
            "ANNOTATOR_DATABASE_URL": ours.url,
            "ANNOTATOR_SECRET_KEY": "bench-secret-key-long-enough-0123456789",
            "PYTHONPATH": str(ours.code),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        annotator = str(Path(sys.executable).parent / "annotator")
        self.process = subprocess.Popen(
            [annotator, "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("ab") if self.log else subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self.port)
        self.answering()

    def answering(self) -> None:
        """Until a worker answers a page (the master accepts connections
        before its workers have loaded the app)."""
        for _ in range(600):
            try:
                if Client(self.port).request("GET", "/login")[0] == 200:
                    return
            except (OSError, HTTPException):
                pass
            time.sleep(0.1)
        raise SystemExit("the server did not answer within 60 s")

    def kill_group(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def pids(self) -> list[int]:
        assert self.process is not None
        return [self.process.pid, *sorted(workers_of(self.process.pid))]

    @contextmanager
    def running(self) -> Iterator[None]:
        self.start()
        try:
            yield
        finally:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                self.process.wait()


def client_loop(
    server: Server,
    cookies: dict[str, str],
    token: str,
    document: int,
    stop: threading.Event,
    tally: Tally,
) -> None:
    base = f"/api/projects/{server.ours.project}/documents/{document}"
    headers = {"Content-Type": "application/json", "X-CSRFToken": token}

    def connect() -> Client:
        client = Client(server.port)
        client.cookies = dict(cookies)
        return client

    def reload() -> tuple[Client, dict[str, object]]:
        """A new connection and the annotation stored now, once the server
        (and its database) answers again."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            client = connect()
            try:
                status, data, _ = client.request("GET", f"{base}/annotation")
                if status == 200:
                    return client, json.loads(data)
            except (OSError, HTTPException, ValueError):
                pass
            time.sleep(0.1)
        raise SystemExit("the server did not come back within 120 s")

    client, version, number, done = connect(), 0, 0, []
    while not stop.is_set():
        number += 1
        start, end = offsets(number)
        while True:
            sent_at = time.monotonic()
            body = {"version": version, "start": start, "end": end, "label": "claim"}
            try:
                status, data, _ = client.request(
                    "POST", f"{base}/spans", json.dumps(body).encode(), headers
                )
            except (OSError, HTTPException):
                status, data = 0, b""
            if status == 201:
                answer = json.loads(data)
                version = answer["version"]
                with tally.lock:
                    tally.acknowledged.append(answer["span"]["id"])
                break
            with tally.lock:
                tally.errors.append((status, sent_at, time.monotonic()))
                if status not in (0, 503) and not tally.first_bad:
                    tally.first_bad = f"{status} {data[:300]!r}"
            client, annotation = reload()
            version = int(str(annotation["version"]))
            spans = annotation["spans"]
            assert isinstance(spans, list)
            if any(s["start"] == start and s["end"] == end for s in spans):
                with tally.lock:
                    tally.lost_but_stored += 1
                break
            with tally.lock:
                tally.retried += 1
        done.append((start, end))
    with tally.lock:
        tally.completed[document] = done


@dataclass
class Stored:
    missing_acknowledged: int
    spans: int
    duplicates: int
    not_stored: int
    not_intended: int
    audit_missing: int
    audit_extra: int
    version_mismatches: int


def check(url: str, tally: Tally) -> Stored:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(SpanRow.id, SpanRow.document_id, SpanRow.start, SpanRow.end)
        ).all()
        audits = Counter(
            connection.scalars(
                select(AuditEvent.entity_id).where(
                    AuditEvent.entity == "span", AuditEvent.action == "create"
                )
            )
        )
        versions = dict(
            connection.execute(select(Assignment.document_id, Assignment.version)).all()
        )
    engine.dispose()
    ids = {row.id for row in rows}
    per_document = Counter((row.document_id, row.start, row.end) for row in rows)
    intended = {
        (document, start, end)
        for document, saves in tally.completed.items()
        for start, end in saves
    }
    counts = Counter(row.document_id for row in rows)
    return Stored(
        missing_acknowledged=sum(1 for i in tally.acknowledged if i not in ids),
        spans=len(rows),
        duplicates=sum(n - 1 for n in per_document.values() if n > 1),
        not_stored=len(intended - set(per_document)),
        not_intended=len(set(per_document) - intended),
        audit_missing=sum(1 for i in ids if audits[i] == 0),
        audit_extra=sum(n - 1 for n in audits.values() if n > 1)
        + sum(n for i, n in audits.items() if i not in ids),
        version_mismatches=sum(
            1 for document, version in versions.items() if version != counts[document]
        ),
    )


def outages(
    options: argparse.Namespace, server: Server, windows: list[tuple[float, float]]
) -> list[str]:
    """Cause ``options.outages`` outages a few seconds apart; each one's
    window goes into ``windows``; what happened, as lines to print."""
    said = []
    for _ in range(options.outages):
        time.sleep(options.gap)
        began = time.monotonic()
        if options.outage == "server":
            before = server.pids()
            server.kill_group()
            server.start()
            said.append(f"killed process group {before} (SIGKILL), restarted")
        else:
            subprocess.run(shlex.split(options.restart), check=True)
            said.append(f"ran `{options.restart}`")
        windows.append((began, time.monotonic()))
        said[-1] += f", outage window {windows[-1][1] - began:.2f} s"
    time.sleep(options.gap)
    return said


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--outage", choices=["server", "postgres"], required=True)
    parser.add_argument("--database-url", help="a fresh, empty database")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--outages", type=int, default=2)
    parser.add_argument("--gap", type=float, default=3.0, help="seconds between")
    parser.add_argument("--restart", default="pg_ctlcluster 15 main restart")
    parser.add_argument("--server-log", type=Path, help="append the server's stderr")
    options = parser.parse_args()
    if options.outage == "postgres" and not options.database_url:
        parser.error("--outage postgres needs --database-url (PostgreSQL)")
    code = Path(__file__).resolve().parent.parent
    print(f"start: {load()}")
    with tempfile.TemporaryDirectory() as name:
        ours = Ours(Path(name), options.clients, options.database_url, code)
        server = Server(ours, options.server_log)
        tally, stop, windows = Tally(), threading.Event(), []
        with server.running():
            session = Client(server.port)
            token, cookies = login(session), dict(session.cookies)
            pids_before = server.pids()
            threads = [
                threading.Thread(
                    target=client_loop,
                    args=(server, cookies, token, document, stop, tally),
                )
                for document in ours.documents
            ]
            for thread in threads:
                thread.start()
            said = outages(options, server, windows)
            stop.set()
            for thread in threads:
                thread.join()
            pids_after = server.pids()
        stored = check(ours.url, tally)
    report(options, tally, stored, windows, said, (pids_before, pids_after))
    print(f"end: {load()}")


def report(
    options: argparse.Namespace,
    tally: Tally,
    stored: Stored,
    windows: list[tuple[float, float]],
    said: list[str],
    pids: tuple[list[int], list[int]],
) -> None:
    backend = "PostgreSQL" if options.database_url else "SQLite"
    print(f"{backend}, {options.clients} clients, outage: {options.outage}")
    for line in said:
        print(f"  {line}")
    if options.outage == "postgres":
        same = "the same" if pids[0] == pids[1] else "NOT the same"
        print(f"  server processes before {pids[0]}, after {pids[1]}: {same}")

    def inside(sent: float, answered: float) -> bool:
        return any(sent <= end and answered >= began for began, end in windows)

    within = Counter(s for s, a, b in tally.errors if inside(a, b))
    beyond = Counter(s for s, a, b in tally.errors if not inside(a, b))
    non_retryable = sum(n for s, n in (within + beyond).items() if s not in (0, 503))
    print(
        f"acknowledged {len(tally.acknowledged)}; answers lost but stored "
        f"{tally.lost_but_stored}; saves retried {tally.retried}"
    )
    print(
        f"errors seen by clients, by status (0 = connection lost): within "
        f"the outage windows {dict(within)}, beyond them {dict(beyond)}; "
        f"non-retryable (not 0 or 503) {non_retryable}"
    )
    if tally.first_bad:
        print(f"  first non-retryable answer: {tally.first_bad}")
    print(
        f"stored spans {stored.spans}: acknowledged but missing "
        f"{stored.missing_acknowledged}, intended saves not stored "
        f"{stored.not_stored}, stored twice {stored.duplicates}, stored but "
        f"never intended {stored.not_intended}"
    )
    print(
        f"half written: spans without their audit row {stored.audit_missing}, "
        f"extra or orphan audit rows {stored.audit_extra}, assignments whose "
        f"version is not their span count {stored.version_mismatches}"
    )
    clean = (
        not stored.missing_acknowledged
        and not stored.not_stored
        and not stored.duplicates
        and not stored.not_intended
        and not stored.audit_missing
        and not stored.audit_extra
        and not stored.version_mismatches
        and not beyond
        and not non_retryable
    )
    print("ALL HELD" if clean else "SOMETHING DID NOT HOLD (see above)")


if __name__ == "__main__":
    main()
