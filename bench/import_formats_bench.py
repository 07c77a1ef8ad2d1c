"""Import speed of a Label Studio JSON export against the native import, in
the same run: 2,000 news-like documents (~2,000 characters, with emoji and
combining marks) with 10 spans by each of 3 annotators (``import_bench``'s
data), once as this project's JSONL and once as Label Studio's JSON export of
the same annotations (one task per document, one annotation per annotator,
``value.text`` on every region, offsets read with ``--offsets auto``), each
through ``services.importing.import_files`` into a freshly migrated database
(SQLite by default; ``--database-url`` for PostgreSQL).

Rounds alternate native and Label Studio, best of each, because the machine
is shared. The goal: Label Studio at least half the native docs/s.

    .venv/bin/python -m bench.import_formats_bench [--documents 2000]
        [--rounds 3] [--database-url postgresql+psycopg://user@host/db]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from bench.import_bench import Timing, fresh_postgres, make_document, timed

LS_LABELS = {"claim": "Claim", "denial": "Denial", "hedge": "Hedge"}


def label_studio_task(document: dict[str, Any], index: int) -> dict[str, Any]:
    text = document["text"]
    annotations = []
    for number, block in enumerate(document["annotations"], 1):
        result = [
            {
                "id": f"r{number}-{k}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": span["start"],
                    "end": span["end"],
                    "text": text[span["start"] : span["end"]],
                    "labels": [LS_LABELS.get(span["label"], span["label"])],
                },
            }
            for k, span in enumerate(block["spans"])
        ]
        annotations.append(
            {"id": index * 10 + number, "completed_by": number, "result": result}
        )
    return {"id": index, "data": {"text": text}, "annotations": annotations}


def run_import(
    url: str, name: str, data: bytes, options: dict[str, Any], expected: int
) -> Timing:
    from annotator import create_app, migrations
    from annotator.extensions import current_session, db
    from annotator.services import importing, projects

    if url.startswith("postgresql"):
        fresh_postgres(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        migrations.upgrade(db.engine)
        project = projects.create_project(current_session(), "Bench")
        added: list[int] = []

        def work() -> None:
            outcome = importing.import_files(
                current_session(),
                project,
                [(name, data)],
                importing.ImportOptions(**options),
            )
            added.append(outcome.result.added)

        timing = timed(work)
        db.engine.dispose()
    if added != [expected]:
        raise SystemExit(f"{name}: imported {added} of {expected}")
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    arguments = parser.parse_args()
    count, url = arguments.documents, arguments.database_url
    rng = random.Random(7)
    documents = [make_document(index, rng) for index in range(count)]
    native = "\n".join(json.dumps(d, ensure_ascii=False) for d in documents).encode()
    tasks = [label_studio_task(d, i) for i, d in enumerate(documents)]
    exported = json.dumps(tasks, ensure_ascii=False).encode()
    label_map = {value: key for key, value in LS_LABELS.items()}
    natives, studios = [], []
    for _ in range(arguments.rounds):
        with tempfile.TemporaryDirectory() as folder:
            for kind, timings in (("native", natives), ("ls", studios)):
                target = url or f"sqlite:///{Path(folder) / kind}.sqlite"
                if kind == "native":
                    timing = run_import(target, "bench.jsonl", native, {}, count)
                else:
                    options = {"source_format": "labelstudio", "label_map": label_map}
                    timing = run_import(target, "bench.json", exported, options, count)
                timings.append(timing)
    best_native = min(t.wall for t in natives)
    best_ls = min(t.wall for t in studios)
    spans = count * 30
    print(f"{'postgresql' if url else 'sqlite'}: {count} documents, {spans} spans")
    print(
        f"native JSONL import: {count / best_native:,.0f} docs/s "
        f"(CPU {min(t.cpu for t in natives):.3f} s)"
    )
    print(
        f"Label Studio JSON import (auto offsets, value.text checked): "
        f"{count / best_ls:,.0f} docs/s (CPU {min(t.cpu for t in studios):.3f} s)"
    )
    cpu_ratio = min(t.cpu for t in natives) / min(t.cpu for t in studios)
    print(
        f"ratio Label Studio / native: clock {best_native / best_ls:.2f}, "
        f"CPU {cpu_ratio:.2f} (goal >= 0.5)"
    )


if __name__ == "__main__":
    main()
