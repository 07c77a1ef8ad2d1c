"""The team view's documents list on a large project.

    .venv/bin/python -m bench.documents_page_bench [--documents 10000]

A temporary SQLite database holds N documents of ~2,000 characters, two
annotators per document, in every status: a fifth submitted by two, a fifth
by one (waiting), a fifth with a third annotator still working on it, a fifth
in review and a fifth adjudicated; 4 spans per submitted annotation. Times
(best of a few runs, to be robust on a shared machine) the service call
(``services.progress.documents_page``: statuses of every document, the
counts, one page of rows), with a status filter and with a label filter, and
the whole page through the app (login kept, HTML rendered); counts the SQL
statements of one page. Target: a page in under 300 ms at 10,000 documents,
and the same number of statements whatever the size.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select

from annotator import create_app
from annotator.extensions import db
from annotator.models import (
    Adjudication,
    Assignment,
    AssignmentStatus,
    Document,
    Project,
    User,
)
from annotator.services import accounts, progress, projects
from annotator.services.documents import import_files
from bench.corpus import LABELS, WORDS

PASSWORD = "bench-password-1"


def best_of(runs: int, call: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best


def records(n_documents: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    found = []
    for number in range(n_documents):
        words = [rng.choice(WORDS) for _ in range(280)]
        starts = [0]
        for word in words[:-1]:
            starts.append(starts[-1] + len(word) + 1)
        text = " ".join(words)
        # Spans over whole words (three each): never inside a character.
        spans = [
            {
                "start": starts[i],
                "end": starts[i + 2] + len(words[i + 2]),
                "label": rng.choice(LABELS),
            }
            for i in range(0, 200, 50)
        ]
        who = ("ann",) if number % 5 == 1 else ("ann", "bob")
        annotations = [{"annotator": name, "spans": spans} for name in who]
        found.append({"id": f"doc-{number}", "text": text, "annotations": annotations})
    return found


def build(n_documents: int) -> tuple[Any, int]:
    folder = Path(tempfile.mkdtemp(prefix="documents-bench-"))
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}"}
    )
    with app.app_context():
        from annotator import migrations

        migrations.upgrade(db.engine)
        session = db.session
        project = projects.create_project(session, "Bench")
        lead = accounts.create_user(session, "lead", PASSWORD)
        worker = accounts.create_user(session, "cat", PASSWORD)
        projects.add_member(session, project, lead, "reviewer", None)
        projects.add_member(session, project, worker, "annotator", None)
        data = "\n".join(json.dumps(r) for r in records(n_documents)).encode()
        import_files(session, project, [("bench.jsonl", data)])
        ids = list(session.scalars(select(Document.id).order_by(Document.id)))
        _statuses(session, ids, worker)
        return app, project.id


def _statuses(session: Any, ids: list[int], worker: User) -> None:
    """A third annotator working on a fifth; a fifth in review, a fifth
    adjudicated (written directly: the bench measures reading)."""
    working = [
        {"document_id": i, "user_id": worker.id, "status": AssignmentStatus.IN_PROGRESS}
        for n, i in enumerate(ids)
        if n % 5 == 2
    ]
    session.execute(insert(Assignment), working)
    decided = [
        {
            "document_id": i,
            "status": "adjudicated" if n % 5 == 4 else "open",
            "version": 3,
        }
        for n, i in enumerate(ids)
        if n % 5 in (3, 4)
    ]
    session.execute(insert(Adjudication), decided)
    session.commit()


def statements(call: Callable[[], Any]) -> int:
    count = 0

    def seen(*_: Any) -> None:
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    began = time.perf_counter()
    app, project_id = build(args.documents)
    print(f"{args.documents} documents built in {time.perf_counter() - began:.1f} s")
    with app.app_context():
        project = db.session.get(Project, project_id)
        lead = db.session.scalar(select(User).where(User.username == "lead"))
        assert project is not None
        assert lead is not None

        def page(**filters: Any) -> Any:
            return progress.documents_page(db.session, project, lead, **filters)

        counts = page().counts
        print("statuses:", ", ".join(f"{k.text} {v}" for k, v in counts.items()))
        for name, filters in [
            ("service, page 1", {}),
            ("service, status=waiting, page 20", {"status": "waiting", "page": 20}),
            ("service, label=denial", {"label": "denial"}),
        ]:
            seconds = best_of(args.runs, lambda f=filters: page(**f))
            print(f"{name}: {seconds * 1000:.0f} ms")
        print(f"SQL statements for one page: {statements(page)}")
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page)
    assert found is not None
    form = {"username": "lead", "password": PASSWORD, "csrf_token": found.group(1)}
    client.post("/login", data=form)
    url = f"/projects/{project_id}/documents"
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    seconds = best_of(args.runs, lambda: client.get(url))
    size = len(response.get_data())
    print(f"GET {url} (HTML rendered): {seconds * 1000:.0f} ms, {size:,} bytes")


if __name__ == "__main__":
    main()
