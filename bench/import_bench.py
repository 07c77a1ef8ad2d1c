"""Import speed on PEERS.md's data shape: 2,000 news-like documents (~2,000
characters, with emoji and combining marks) with 10 spans by each of 3
annotators, one JSONL file, through the real import service into a freshly
migrated database (SQLite by default; ``--database-url`` for PostgreSQL).

Reference measured in the same run: the bare inserts of the same rows (one
documents table, one spans table, no indexes, constraints, parsing or
validation) with the driver itself: sqlite3, or psycopg for PostgreSQL.
Rounds alternate reference and ours, best of each, because the machine is
shared. Both clock time and this process's CPU time (``time.process_time``,
not disturbed by other work on the machine) are printed; on PostgreSQL the
server's CPU is not in the CPU figure.

doccano 1.8.4 imported the same shape at 1,250 docs/s on SQLite on a machine
like this one: that figure is from PEERS.md, measured elsewhere, not here.

    .venv/bin/python -m bench.import_bench [--documents 2000] [--rounds 3]
        [--database-url postgresql+psycopg://user@host/db]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.offsets import GraphemeIndex
from bench.corpus import LABELS, WORDS

ANNOTATORS = ("ann-a", "ann-b", "ann-c")
SPANS_PER_ANNOTATOR = 10
DOCCANO_DOCS_PER_SECOND = 1250  # PEERS.md, SQLite, measured elsewhere


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def make_document(index: int, rng: random.Random) -> dict[str, Any]:
    words: list[str] = []
    while sum(len(word) + 1 for word in words) < 2000:
        words.append(rng.choice(WORDS))
    text = " ".join(words)
    # Spans end on character boundaries, never inside 👍🏽 or e + U+0301.
    snap = GraphemeIndex(text).snap
    annotations = []
    for annotator in ANNOTATORS:
        spans = []
        for _ in range(SPANS_PER_ANNOTATOR):
            start = rng.randrange(0, len(text) - 40)
            start, end = snap(start, start + rng.randrange(5, 40))
            spans.append({"start": start, "end": end, "label": rng.choice(LABELS)})
        annotations.append({"annotator": annotator, "spans": spans})
    return {"id": f"doc-{index}", "text": text, "annotations": annotations}


def timed(work: Callable[[], None]) -> Timing:
    began_wall, began_cpu = time.perf_counter(), time.process_time()
    work()
    return Timing(time.perf_counter() - began_wall, time.process_time() - began_cpu)


def span_rows(document: dict[str, Any], document_id: int) -> list[tuple[Any, ...]]:
    return [
        (document_id, block["annotator"], span["start"], span["end"], span["label"])
        for block in document["annotations"]
        for span in block["spans"]
    ]


# ---------------------------------------------------------------- reference


def bare_sqlite(documents: list[dict[str, Any]], folder: Path) -> Timing:
    connection = sqlite3.connect(folder / "bare.sqlite")
    connection.execute("CREATE TABLE d (id INTEGER PRIMARY KEY, ext TEXT, text TEXT)")
    connection.execute(
        "CREATE TABLE s (id INTEGER PRIMARY KEY, d INTEGER, a TEXT, "
        "start INTEGER, stop INTEGER, label TEXT)"
    )

    def work() -> None:
        with connection:
            for document in documents:
                cursor = connection.execute(
                    "INSERT INTO d (ext, text) VALUES (?, ?)",
                    (document["id"], document["text"]),
                )
                connection.executemany(
                    "INSERT INTO s (d, a, start, stop, label) VALUES (?, ?, ?, ?, ?)",
                    span_rows(document, cursor.lastrowid or 0),
                )

    timing = timed(work)
    connection.close()
    return timing


def bare_postgres(documents: list[dict[str, Any]], url: str) -> Timing:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_s, bench_d")
        connection.execute(
            "CREATE TABLE bench_d (id SERIAL PRIMARY KEY, ext TEXT, text TEXT)"
        )
        connection.execute(
            "CREATE TABLE bench_s (id SERIAL PRIMARY KEY, d INTEGER, a TEXT, "
            "start INTEGER, stop INTEGER, label TEXT)"
        )
        connection.commit()

        def work() -> None:
            cursor = connection.cursor()
            cursor.executemany(
                "INSERT INTO bench_d (ext, text) VALUES (%s, %s) RETURNING id",
                [(document["id"], document["text"]) for document in documents],
                returning=True,
            )
            ids: list[int] = []
            while True:
                ids.extend(row[0] for row in cursor.fetchall())
                if not cursor.nextset():
                    break
            rows = [
                row
                for document, document_id in zip(documents, ids, strict=True)
                for row in span_rows(document, document_id)
            ]
            cursor.executemany(
                "INSERT INTO bench_s (d, a, start, stop, label) "
                "VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
            connection.commit()

        timing = timed(work)
        connection.execute("DROP TABLE bench_s, bench_d")
        connection.commit()
    return timing


# ---------------------------------------------------------------- ours


def fresh_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def ours(documents: list[dict[str, Any]], url: str) -> Timing:
    from annotator import create_app, migrations
    from annotator.extensions import current_session, db
    from annotator.services import documents as document_service
    from annotator.services import projects

    if url.startswith("postgresql"):
        fresh_postgres(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    data = "\n".join(json.dumps(d, ensure_ascii=False) for d in documents).encode()
    with app.app_context():
        migrations.upgrade(db.engine)
        project = projects.create_project(current_session(), "Bench")
        added: list[int] = []

        def work() -> None:
            result = document_service.import_files(
                current_session(), project, [("bench.jsonl", data)]
            )
            added.append(result.added)

        timing = timed(work)
        if added != [len(documents)]:
            raise SystemExit(f"imported {added} of {len(documents)}")
        db.engine.dispose()
    return timing


# ---------------------------------------------------------------- report


def report(count: int, reference: Timing, measured: Timing, backend: str) -> None:
    spans = count * len(ANNOTATORS) * SPANS_PER_ANNOTATOR
    print(
        f"{backend}: {count} documents, {spans} spans "
        f"({len(ANNOTATORS)} annotators x {SPANS_PER_ANNOTATOR})"
    )
    print(
        f"bare driver inserts (reference): {count / reference.wall:,.0f} docs/s "
        f"(CPU {reference.cpu:.3f} s)"
    )
    print(
        f"annotator import (parse, validate, store): {count / measured.wall:,.0f} "
        f"docs/s (CPU {measured.cpu:.3f} s, {count / measured.cpu:,.0f} docs per "
        "CPU second)"
    )
    print(
        f"ratio reference / ours: clock {reference.wall / measured.wall:.2f}, "
        f"CPU {reference.cpu / measured.cpu:.2f}"
    )
    print(
        f"vs doccano's {DOCCANO_DOCS_PER_SECOND:,} docs/s (PEERS.md, SQLite, "
        f"measured elsewhere): {count / measured.wall / DOCCANO_DOCS_PER_SECOND:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default="",
        help="SQLAlchemy URL of an empty PostgreSQL database it may wipe "
        "(default: a fresh SQLite file per round)",
    )
    arguments = parser.parse_args()
    count, url = arguments.documents, arguments.database_url
    rng = random.Random(7)
    documents = [make_document(index, rng) for index in range(count)]
    references, measurements = [], []
    for _ in range(arguments.rounds):
        with tempfile.TemporaryDirectory() as folder:
            if url:
                references.append(bare_postgres(documents, url))
                measurements.append(ours(documents, url))
            else:
                references.append(bare_sqlite(documents, Path(folder)))
                sqlite_url = f"sqlite:///{Path(folder) / 'ours.sqlite'}"
                measurements.append(ours(documents, sqlite_url))
    best = Timing(min(t.wall for t in references), min(t.cpu for t in references))
    mine = Timing(min(t.wall for t in measurements), min(t.cpu for t in measurements))
    report(count, best, mine, "postgresql" if url else "sqlite")


if __name__ == "__main__":
    main()
