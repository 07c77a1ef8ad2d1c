"""Queue order benchmark: what choosing the next document costs per order.

    .venv/bin/python -m bench.queue_order_bench [--documents N]    (repo root)

A fresh SQLite database with N documents (5,000 by default), every one
scored for the uncertainty order, and one annotator. Times the query that
picks the next document (``assignments._lock_candidate``, rolled back after
each run) in each order; the reference is ``in-order``, the query as it was
before queue orders, measured in the same run. Prints milliseconds and the
ratios; the best of several runs, to be robust on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select

from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Document, DocumentUncertainty
from annotator.services import accounts, assignments, projects, queue_order
from annotator.services.documents import import_files

RUNS = 30


def best_ms(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - began)
    return best * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=5000)
    count = parser.parse_args().documents
    folder = Path(tempfile.mkdtemp(prefix="queue-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        migrations.upgrade(db.engine)
        session = db.session
        project = projects.create_project(session, "Bench")
        user = accounts.create_user(session, "worker", "correct horse battery")
        projects.add_member(session, project, user, "annotator", None)
        lines = [
            json.dumps({"id": f"d{n}", "text": f"Document {n} reportedly."})
            for n in range(count)
        ]
        import_files(session, project, [("docs.jsonl", "\n".join(lines).encode())])
        ids = session.scalars(select(Document.id)).all()
        session.execute(
            insert(DocumentUncertainty),
            [
                {
                    "document_id": i,
                    "project_id": project.id,
                    "suggester": "spancat",
                    "suggester_version": "bench",
                    "proposals": 1,
                    "margin": (i * 7919 % 1000) / 2000,
                }
                for i in ids
            ],
        )
        session.commit()

        def pick() -> None:
            assignments._lock_candidate(session, project, user)
            session.rollback()

        timings = {}
        for order in ("in-order", "random", "uncertainty"):
            queue_order.set_queue_order(session, project, order, 17)
            timings[order] = best_ms(pick)
        reference = timings["in-order"]
        print(f"{count} documents, best of {RUNS} runs (SQLite)")
        for order, ms in timings.items():
            print(f"{order:<12} {ms:7.2f} ms  ratio to in-order {ms / reference:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
