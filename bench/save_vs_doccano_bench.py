"""Saving spans, this project beside doccano 1.8.4, in one run on one machine.

Both served on loopback only: ours by ``annotator serve`` (gunicorn, its
default 2 workers x 4 threads), doccano by its own gunicorn (5 sync workers,
what ``doccano webserver`` starts on 2 cores) from its own venv. Rounds are
interleaved (ours, doccano, ours, doccano …). Each phase: 1 client, then 20
and then 50 concurrent clients, each on its own keep-alive connection and
saving to its own document. Ours includes the stale-write check and the
audit row in every save. Printed per phase: median / p99 / max latency,
saves/s, the ratios ours / doccano, and stored == acknowledged with the
error count. The load average is printed too: on a shared machine the
figures are noisy.

    .venv/bin/python -m bench.save_vs_doccano_bench [--rounds 2] [--code CHECKOUT]
        [--postgres URL_OURS --doccano-postgres URL_DOCCANO]  # fresh, empty

If doccano is not installed in ``--doccano-venv`` the bench says so and
prints ours alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path

from sqlalchemy import create_engine, func, select

from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Assignment, Document
from annotator.models import Span as SpanRow
from annotator.services import accounts, documents, projects
from bench import doccano_side
from bench.save_span_bench import (
    PASSWORD,
    TEXT,
    Client,
    free_port,
    login,
    wait_for,
)

PHASES = tuple(
    json.loads(os.environ.get("BENCH_PHASES", "[[1, 200], [20, 50], [50, 20]]"))
)  # (clients, saves per client)
Saver = Callable[[int, int], int]  # (client index, save number) -> status


def offsets(number: int) -> tuple[int, int]:
    """A (start, end) pair not used before on the same document."""
    room = len(TEXT) - 40
    start = number % room
    return start, start + 5 + number // room


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    acknowledged: int = 0
    errors: int = 0
    seconds: float = 0.0


def run_phase(clients: int, saves: int, saver_for: Callable[[int], Saver]) -> Phase:
    """``clients`` threads, each saving ``saves`` times with its own saver."""
    phase, lock = Phase(), threading.Lock()
    savers = [saver_for(index) for index in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        mine: list[float] = []
        ok = bad = 0
        barrier.wait()
        for number in range(saves):
            began = time.perf_counter()
            try:
                status = savers[index](index, number)
            except (OSError, ValueError, HTTPException):
                status = 0
            mine.append((time.perf_counter() - began) * 1000)
            ok, bad = (ok + 1, bad) if status == 201 else (ok, bad + 1)
        with lock:
            phase.latencies += mine
            phase.acknowledged += ok
            phase.errors += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


class Ours:
    name = "ours"
    first_error = ""

    def __init__(
        self, folder: Path, clients: int, database_url: str | None, code: Path
    ) -> None:
        self.code = code
        self.url = database_url or f"sqlite:///{folder / 'ours.sqlite'}"
        self.folder, self.offset = folder, [0] * clients
        app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": "x"})
        with app.app_context():
            migrations.upgrade(db.engine)
            user = accounts.create_user(db.session, "bench", PASSWORD)
            project = projects.create_project(
                db.session, "Bench", annotators_per_document=1
            )
            projects.add_member(db.session, project, user, "annotator", None)
            documents.import_files(
                db.session,
                project,
                [(f"{i}.txt", f"{TEXT} {i}".encode()) for i in range(clients)],
            )
            ids = db.session.scalars(select(Document.id).order_by(Document.id)).all()
            db.session.add_all(
                Assignment(document_id=i, user_id=user.id, status="in_progress")
                for i in ids
            )
            db.session.commit()
            self.documents, self.project = list(ids), project.id
            db.engine.dispose()

    @contextmanager
    def serving(self) -> Iterator[None]:
        env = {
            **os.environ,
            "ANNOTATOR_INSTANCE_PATH": str(self.folder),
            "ANNOTATOR_DATABASE_URL": self.url,
            "ANNOTATOR_SECRET_KEY": "bench-secret-key-long-enough-0123456789",
            # The code under test, not whatever the venv's editable install
            # points at.
            "PYTHONPATH": str(self.code),
        }
        self.port = free_port()
        annotator = str(Path(sys.executable).parent / "annotator")
        self.server = server = subprocess.Popen(
            [annotator, "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(self.port)
            session = Client(self.port)
            self.token, self.cookies = login(session), session.cookies
            self.versions = dict.fromkeys(self.documents, 0)
            yield
        finally:
            server.terminate()
            server.wait()

    def saver_for(self, index: int) -> Saver:
        client = Client(self.port)
        client.cookies = dict(self.cookies)
        document = self.documents[index]
        path = f"/api/projects/{self.project}/documents/{document}/spans"
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}

        def save(index: int, _: int) -> int:
            start, end = offsets(self.next_offset(index))
            body = {"version": self.versions[document], "start": start, "end": end}
            sent = json.dumps({**body, "label": "claim"}).encode()
            status, data, _headers = client.request("POST", path, sent, headers)
            if status == 201:
                self.versions[document] = json.loads(data)["version"]
            elif not self.first_error:
                self.first_error = f"{status} {data[:200]!r}"
            return status

        return save

    def warmer_for(self, index: int) -> Saver:
        client = Client(self.port)
        client.cookies = dict(self.cookies)
        document = self.documents[index % len(self.documents)]
        path = f"/api/projects/{self.project}/documents/{document}"

        def get(_: int, __: int) -> int:
            status = client.request("GET", f"{path}/annotation")[0]
            return 201 if status == 200 else status

        return get

    def next_offset(self, index: int) -> int:
        self.offset[index] += 1
        return self.offset[index]

    def stored(self) -> int:
        engine = create_engine(self.url)
        with engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(SpanRow))
        engine.dispose()
        return int(count or 0)


class Doccano:
    name = "doccano"

    def __init__(
        self, venv: Path, folder: Path, clients: int, database_url: str | None
    ) -> None:
        self.venv, self.offset = venv, [0] * clients
        self.env, made = doccano_side.prepare(
            venv, folder / "doccano", TEXT, clients, database_url
        )
        self.project, self.label = made["project"], made["label"]
        self.examples = list(made["examples"])
        self.auth = f"Token {made['token']}"

    @contextmanager
    def serving(self) -> Iterator[None]:
        with doccano_side.serving(self.venv, self.env, workers=5) as port:
            self.port = port
            yield

    def saver_for(self, index: int) -> Saver:
        client = Client(self.port)
        path = f"/v1/projects/{self.project}/examples/{self.examples[index]}/spans"
        headers = {"Content-Type": "application/json", "Authorization": self.auth}

        def save(index: int, _: int) -> int:
            self.offset[index] += 1
            start, end = offsets(self.offset[index])
            body = {"label": self.label, "start_offset": start, "end_offset": end}
            sent = json.dumps(body).encode()
            return client.request("POST", path, sent, headers)[0]

        return save

    def warmer_for(self, index: int) -> Saver:
        client = Client(self.port)
        example = self.examples[index % len(self.examples)]
        path = f"/v1/projects/{self.project}/examples/{example}/spans"

        def get(_: int, __: int) -> int:
            status = client.request("GET", path, None, {"Authorization": self.auth})
            return 201 if status[0] == 200 else status[0]

        return get

    def stored(self) -> int:
        return doccano_side.stored_spans(self.venv, self.env)


def summary(phase: Phase) -> str:
    ordered = sorted(phase.latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"median {statistics.median(ordered):6.1f} ms  p99 {p99:6.1f} ms  "
        f"max {ordered[-1]:6.0f} ms  {phase.acknowledged / phase.seconds:6.0f} "
        f"saves/s  errors {phase.errors}"
    )


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", help="a fresh, empty database for ours")
    parser.add_argument("--doccano-postgres", help="the same for doccano")
    parser.add_argument("--doccano-venv", default="/work/doccano-venv", type=Path)
    parser.add_argument(
        "--warmup-saves", type=int, default=5, help="untimed, per client"
    )
    parser.add_argument(
        "--code",
        default=Path(__file__).resolve().parent.parent,
        type=Path,
        help="the checkout whose annotator is served (default: this one)",
    )
    parser.add_argument(
        "--before", type=Path, help="also serve this checkout's code, as 'before'"
    )
    options = parser.parse_args()
    if options.before and options.postgres:
        parser.error("--before runs on SQLite only")
    clients = max(count for count, _ in PHASES)
    print(f"start: {load()}; serving ours from {options.code}")
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        folder = Path(name)
        systems: list[Ours | Doccano] = [
            Ours(folder, clients, options.postgres, options.code)
        ]
        if options.before:
            # The same saves served by another checkout's code, on its own
            # database (SQLite only), interleaved with the others.
            (folder / "before").mkdir()
            before = Ours(folder / "before", clients, None, options.before)
            before.name = "before"
            systems.append(before)
        try:
            systems.append(
                Doccano(options.doccano_venv, folder, clients, options.doccano_postgres)
            )
        except (FileNotFoundError, subprocess.CalledProcessError) as error:
            print(f"doccano not available ({error}): ours alone, no ratios")
        for system in systems:
            stack.enter_context(system.serving())
            # Every worker loads its code and opens its connections before
            # the first measured save (doccano's first answers take seconds).
            warm = run_phase(10, 5, system.warmer_for)
            print(
                f"{system.name} warmed up: {warm.acknowledged} reads, "
                f"{warm.errors} errors"
            )
        results: dict[tuple[str, int], list[Phase]] = {}
        # Saves too (the write path's statements prepared, its code loaded):
        # counted for stored == acknowledged, not timed.
        for system in systems:
            for count in (1, min(clients, 20)):
                warm = run_phase(count, options.warmup_saves, system.saver_for)
                results.setdefault((system.name, 0), []).append(warm)
            print(f"{system.name} warmed up: {warm.acknowledged} saves")
        for number in range(1, options.rounds + 1):
            print(f"round {number}: {load()}", flush=True)
            for count, saves in PHASES:
                for system in systems:
                    phase = run_phase(count, saves, system.saver_for)
                    results.setdefault((system.name, count), []).append(phase)
        report(systems, results, options)
        print(f"end: {load()}")


def report(
    systems: list[Ours | Doccano],
    results: dict[tuple[str, int], list[Phase]],
    options: argparse.Namespace,
) -> None:
    backend = "PostgreSQL" if options.postgres else "SQLite"
    print(f"{backend}, {options.rounds} interleaved rounds")
    for count, saves in PHASES:
        print(f"\n{count} client(s) x {saves} saves")
        for system in systems:
            for number, phase in enumerate(results[(system.name, count)], 1):
                print(f"  {system.name:8} round {number}: {summary(phase)}")
        names = {system.name for system in systems}
        if "doccano" in names:
            print("  " + ratios(results, count, "doccano"))
        if "before" in names:
            print("  " + ratios(results, count, "before"))
    print()
    for system in systems:
        acknowledged = sum(
            phase.acknowledged
            for (name, _), phases in results.items()
            if name == system.name
            for phase in phases
        )
        stored = system.stored()
        verdict = "stored == acknowledged" if stored == acknowledged else "MISMATCH"
        print(f"{system.name}: acknowledged {acknowledged}, stored {stored}: {verdict}")
        if getattr(system, "first_error", ""):
            print(f"  first error: {system.first_error}")


def ratios(
    results: dict[tuple[str, int], list[Phase]], count: int, reference: str
) -> str:
    def pooled(name: str) -> tuple[float, float, float]:
        phases = results[(name, count)]
        ordered = sorted(value for phase in phases for value in phase.latencies)
        rate = sum(p.acknowledged for p in phases) / sum(p.seconds for p in phases)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return statistics.median(ordered), p99, rate

    ours, theirs = pooled("ours"), pooled(reference)
    return (
        f"ours / {reference}: median {ours[0] / theirs[0]:.2f}, "
        f"p99 {ours[1] / theirs[1]:.2f}, saves/s {ours[2] / theirs[2]:.2f}"
    )


if __name__ == "__main__":
    main()
