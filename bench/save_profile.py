"""Where a span save's time goes: SQL statements per save and a cProfile of
``--saves`` saves through the Flask test client (no HTTP server), on a fresh
SQLite database. CPU is split by the package whose code ran (own time):
SQLAlchemy, Flask/Werkzeug, the database driver, this project, the rest.
Then the same number of saves again without the profiler, timed by the clock
(median, p90), and their database round trips (statements, BEGIN, COMMIT,
the pool's pre-ping) counted per save.

    .venv/bin/python -m bench.save_profile [--saves 300] [--database-url URL]
    cd /tmp && PYTHONPATH=CHECKOUT python CHECKOUT_OF_THIS/bench/save_profile.py
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event, select

import annotator
from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Assignment, Document
from annotator.services import accounts, documents, projects

# As in bench/save_span_bench.py; not imported, so that this file runs
# against another checkout's annotator (PYTHONPATH) as a plain script.
PASSWORD = "spans-saved-quickly"
TEXT = ("Moscow has vehemently denied any involvement in the attack. " * 40).strip()

GROUPS = (
    ("sqlalchemy", "/sqlalchemy/"),
    ("flask/werkzeug/jinja", "/flask"),
    ("flask/werkzeug/jinja", "/werkzeug/"),
    ("flask/werkzeug/jinja", "/jinja2/"),
    ("database driver", "sqlite3"),
    ("database driver", "psycopg"),
    ("this project", "/annotator/"),
)


def group_of(filename: str) -> str:
    for name, marker in GROUPS:
        if marker in filename:
            return name
    return "other (stdlib, json, ...)"


def prepare() -> tuple[int, int]:
    user = accounts.create_user(db.session, "bench", PASSWORD)
    project = projects.create_project(db.session, "Bench", annotators_per_document=1)
    projects.add_member(db.session, project, user, "annotator", None)
    documents.import_files(db.session, project, [("a.txt", TEXT.encode())])
    document = db.session.scalar(select(Document))
    assert document is not None
    db.session.add(
        Assignment(document_id=document.id, user_id=user.id, status="in_progress")
    )
    db.session.commit()
    return project.id, document.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--database-url", help="a fresh, empty database")
    options = parser.parse_args()
    count = options.saves
    with tempfile.TemporaryDirectory() as name:
        url = options.database_url or f"sqlite:///{Path(name) / 'profile.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        with app.app_context():
            migrations.upgrade(db.engine)
            project, document = prepare()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None
        client.post(
            "/login",
            data={"username": "bench", "password": PASSWORD, "csrf_token": token[1]},
        )
        page = client.get("/").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token is not None
        path = f"/api/projects/{project}/documents/{document}/spans"
        state = {"version": 0, "statements": 0}

        def save(number: int) -> None:
            start = number % (len(TEXT) - 40)
            body = {"version": state["version"], "start": start, "end": start + 5}
            answer = client.post(
                path,
                json={**body, "label": "claim"},
                headers={"X-CSRFToken": token[1]},
            )
            assert answer.status_code == 201, answer.get_data(as_text=True)
            state["version"] = answer.get_json()["version"]

        with app.app_context():
            engine = db.engine

        def counted(*_: object) -> None:
            state["statements"] += 1

        save(0)
        event.listen(engine, "before_cursor_execute", counted)
        profiler = cProfile.Profile(time.process_time)  # CPU, not the load
        profiler.enable()
        for number in range(1, count + 1):
            save(number)
        profiler.disable()
        event.remove(engine, "before_cursor_execute", counted)
        trips = {"begin": 0, "commit": 0, "rollback": 0, "ping": 0}

        def tally(kind: str) -> Callable[..., None]:
            def add(*_: object) -> None:
                trips[kind] += 1

            return add

        for kind in ("begin", "commit", "rollback"):
            event.listen(engine, kind, tally(kind))
        ping, pinged = engine.dialect.do_ping, tally("ping")

        def counted_ping(connection: object) -> bool:
            pinged()
            return bool(ping(connection))

        # counting pre-pings: the bench wraps the dialect method on this engine
        engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
        event.listen(engine, "before_cursor_execute", counted)
        state["statements"], times = 0, []
        cpu_began = time.process_time()
        for number in range(count + 1, 2 * count + 1):
            began = time.perf_counter()
            save(number)
            times.append((time.perf_counter() - began) * 1000)
        cpu = (time.process_time() - cpu_began) / count * 1000
        times.sort()
        print(
            f"clock, no profiler: median {times[len(times) // 2]:.2f} ms, "
            f"p90 {times[int(len(times) * 0.9)]:.2f} ms, "
            f"CPU of this process {cpu:.2f} ms; per save "
            f"{state['statements'] / count:.1f} statements, "
            + ", ".join(f"{n / count:.1f} {k}" for k, n in trips.items())
        )
    report(profiler, count, state["statements"])


def report(profiler: cProfile.Profile, count: int, statements: int) -> None:
    stats = pstats.Stats(profiler)
    own: dict[str, float] = defaultdict(float)
    for (filename, _, function), row in stats.stats.items():
        # C functions have no file: "<method 'execute' of 'sqlite3.Cursor'...>"
        own[group_of(filename + function)] += row[2]
    total = sum(own.values())
    print(f"code: {Path(annotator.__file__).parent.parent}")
    print(f"{count} saves, {statements / count:.1f} SQL statements per save")
    print(f"CPU per save under cProfile: {total / count * 1000:.2f} ms")
    for name, seconds in sorted(own.items(), key=lambda item: -item[1]):
        print(f"  {name:28} {seconds / total:6.1%}")


if __name__ == "__main__":
    main()
