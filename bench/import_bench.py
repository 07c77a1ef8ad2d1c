"""Import speed: 2,000 news-like documents (~2,000 characters) with spans by 3
annotators, through the real import service into a fresh SQLite database.

Reference measured in the same run: the bare inserts of the same rows with the
sqlite3 module (no parsing, no validation). PEERS.md: doccano 1,250 docs/s,
Label Studio 374-396 docs/s on a machine like this one.

    .venv/bin/python -m bench.import_bench [--documents 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.corpus import LABELS, WORDS


def make_document(index: int, rng: random.Random) -> dict[str, object]:
    words: list[str] = []
    while sum(len(word) + 1 for word in words) < 2000:
        words.append(rng.choice(WORDS))
    text = " ".join(words)
    annotations = []
    for annotator in ("ann-a", "ann-b", "ann-c"):
        spans = []
        for _ in range(10):
            start = rng.randrange(0, len(text) - 40)
            spans.append(
                {
                    "start": start,
                    "end": start + rng.randrange(5, 40),
                    "label": rng.choice(LABELS),
                }
            )
        annotations.append({"annotator": annotator, "spans": spans})
    return {"id": f"doc-{index}", "text": text, "annotations": annotations}


def bare_sqlite(documents: list[dict[str, object]], path: Path) -> float:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE d (id INTEGER PRIMARY KEY, ext TEXT, text TEXT)")
    connection.execute(
        "CREATE TABLE s (id INTEGER PRIMARY KEY, d INTEGER, a TEXT, "
        "start INTEGER, stop INTEGER, label TEXT)"
    )
    began = time.perf_counter()
    with connection:
        for document in documents:
            cursor = connection.execute(
                "INSERT INTO d (ext, text) VALUES (?, ?)",
                (document["id"], document["text"]),
            )
            rows = [
                (
                    cursor.lastrowid,
                    block["annotator"],
                    span["start"],
                    span["end"],
                    span["label"],
                )
                for block in document["annotations"]  # type: ignore[attr-defined]
                for span in block["spans"]
            ]
            connection.executemany(
                "INSERT INTO s (d, a, start, stop, label) VALUES (?, ?, ?, ?, ?)", rows
            )
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed


def ours(documents: list[dict[str, object]], folder: Path) -> float:
    from annotator import create_app, migrations
    from annotator.extensions import db
    from annotator.services import documents as document_service
    from annotator.services import projects

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'ours.sqlite'}",
            "SECRET_KEY": "bench",
        }
    )
    data = "\n".join(json.dumps(d, ensure_ascii=False) for d in documents).encode()
    with app.app_context():
        migrations.upgrade(db.engine)
        project = projects.create_project(db.session, "Bench")
        began = time.perf_counter()
        result = document_service.import_files(
            db.session, project, [("bench.jsonl", data)]
        )
        elapsed = time.perf_counter() - began
        if result.added != len(documents):
            raise SystemExit(f"imported {result.added} of {len(documents)}")
        db.engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    count = arguments.documents
    rng = random.Random(7)
    documents = [make_document(index, rng) for index in range(count)]
    references, measurements = [], []
    # Interleaved rounds, best of each: a busy machine slows both alike.
    for _ in range(arguments.rounds):
        with tempfile.TemporaryDirectory() as folder:
            references.append(bare_sqlite(documents, Path(folder) / "bare.sqlite"))
            measurements.append(ours(documents, Path(folder)))
    reference, measured = min(references), min(measurements)
    spans = count * 30
    print(f"documents: {count}, spans: {spans} (3 annotators x 10)")
    print(f"bare sqlite3 inserts (reference): {count / reference:,.0f} docs/s")
    print(f"annotator import (parse, validate, store): {count / measured:,.0f} docs/s")
    print(f"ratio ours / reference: {reference / measured:.2f}")
    print(f"vs doccano 1,250 docs/s (PEERS.md): {count / measured / 1250:.1f}x")


if __name__ == "__main__":
    main()
