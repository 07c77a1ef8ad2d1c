"""Export speed and memory: N documents x 3 annotators x 10 spans to jsonl.

For each size a fresh SQLite database is built with bulk inserts (the real
schema from the Alembic migrations), then two runs read it, each in a
subprocess of its own so that each peak RSS is its own:

- floor: the bare SQL read of the same rows with the sqlite3 module (one
  ordered query for documents, one for spans with their label names, merged as
  they stream) and one JSON line per (document, annotator) in the native
  layout, as the annotators layer writes it, written
  with orjson, the fastest JSON library (a dependency of the project);
- ours: ``services.exports.write_export`` (format jsonl, annotators layer),
  which also checks every span, computes per-document agreement (alpha-u),
  pseudonymises, hashes the file and syncs it to disk.

Prints documents per second for both (best of ``--repeat`` alternating runs,
since the machine is shared), the ratio ours/floor by the clock and by CPU
time (aim: >= 0.5) and the peak RSS of each, so that memory can be compared
across sizes. ``--formats jsonl,conll,spacy-docbin`` also runs
``write_export`` in each other format named (same database, same runs,
alternating with the two above) and prints its documents per second and its
ratio to jsonl's; the jsonl-vs-floor figures are measured as without it.

    .venv/bin/python -m bench.export_bench [--sizes 10000,100000] [--chars 1000]
        [--repeat 2] [--formats jsonl,conll,spacy-docbin]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from bench.corpus import WORDS

ANNOTATORS = ("ann-a", "ann-b", "ann-c")
SPANS_PER_ANNOTATOR = 10
INSERT_CHUNK = 20_000


# ---------------------------------------------------------------- building


def make_text(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    length = 0
    while length < chars:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def make_spans(rng: random.Random, length: int) -> list[tuple[int, int, int]]:
    """(start, end, label index) for one annotator, code points."""
    spans = []
    for _ in range(SPANS_PER_ANNOTATOR):
        start = rng.randrange(0, length - 41)
        spans.append((start, start + rng.randrange(5, 40), rng.randrange(4)))
    return spans


def _setup_project(url: str) -> tuple[int, list[int], list[int]]:
    """Project, annotator ids and label ids, through the services."""
    from annotator import create_app, migrations
    from annotator.extensions import current_session, db
    from annotator.services import accounts, projects

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        migrations.upgrade(db.engine)
        project = projects.create_project(
            current_session(), "Bench", annotators_per_document=3
        )
        session = current_session()
        users = [accounts.create_user(session, name, None).id for name in ANNOTATORS]
        labels = [label.id for label in project.labels]
        project_id = project.id
        db.engine.dispose()
    return project_id, users, labels


def _document_rows(
    count: int, chars: int, project_id: int, users: list[int], labels: list[int]
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Per document: its row, its assignment rows and its span rows."""
    rng = random.Random(7)
    now = "2026-01-01 00:00:00.000000"
    for number in range(1, count + 1):
        text = make_text(rng, chars)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        document = (number, project_id, f"doc-{number}", "", text, len(text), sha)
        assignments = [(number, user, "submitted", "", 1, now) for user in users]
        spans = [
            (number, user, labels[label], start, end, "{}", "", "manual", now, now)
            for user in users
            for start, end, label in make_spans(rng, len(text))
        ]
        yield (*document, '{"source": "bench"}', now), assignments, spans


def build_database(path: Path, count: int, chars: int) -> None:
    """A migrated SQLite database with ``count`` submitted documents."""
    project_id, users, labels = _setup_project(f"sqlite:///{path}")
    connection = sqlite3.connect(path)
    documents: list[tuple[Any, ...]] = []
    assignments: list[tuple[Any, ...]] = []
    spans: list[tuple[Any, ...]] = []
    for document, assigned, drawn in _document_rows(
        count, chars, project_id, users, labels
    ):
        documents.append(document)
        assignments += assigned
        spans += drawn
        if len(documents) >= INSERT_CHUNK // 10:
            _insert(connection, documents, assignments, spans)
            documents, assignments, spans = [], [], []
    _insert(connection, documents, assignments, spans)
    connection.execute("ANALYZE")
    connection.close()


def _insert(
    connection: sqlite3.Connection,
    documents: list[tuple[Any, ...]],
    assignments: list[tuple[Any, ...]],
    spans: list[tuple[Any, ...]],
) -> None:
    with connection:
        connection.executemany(
            "INSERT INTO documents (id, project_id, external_id, title, text, "
            "text_length, text_sha256, meta, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            documents,
        )
        connection.executemany(
            "INSERT INTO assignments (document_id, user_id, status, skip_reason, "
            "version, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            assignments,
        )
        connection.executemany(
            'INSERT INTO spans (document_id, annotator_id, label_id, start, "end", '
            "attributes, note, origin, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            spans,
        )


# ---------------------------------------------------------------- the runs


def _dumps() -> tuple[str, Any]:
    """orjson, the fastest JSON library there is for this (and the one
    ``write_export`` uses)."""

    def fast(value: object) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)

    return "orjson", fast


def _span_stream(connection: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    yield from connection.execute(
        'SELECT s.document_id, s.annotator_id, s.id, s.start, s."end", l.name, '
        "s.attributes, s.note, u.username FROM spans s "
        "JOIN labels l ON l.id = s.label_id JOIN users u ON u.id = s.annotator_id "
        'ORDER BY s.document_id, s.annotator_id, s.start, s."end", l.name, s.id'
    )


def floor_run(database: Path, output: Path) -> dict[str, Any]:
    """The bare read and serialisation of the same rows."""
    library, dumps = _dumps()
    began, began_cpu = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(database)
    spans = _span_stream(connection)
    pending = next(spans, None)
    documents = connection.cursor().execute(
        "SELECT id, external_id, title, text, meta FROM documents ORDER BY id"
    )
    count = 0
    with output.open("wb") as handle:
        for document_id, external_id, title, text, meta in documents:
            # One record per (document, annotator), as the annotators layer
            # writes them; every annotator of the bench has spans.
            by_annotator: dict[str, list[dict[str, Any]]] = {}
            while pending is not None and pending[0] == document_id:
                _, _, span_id, start, end, label, attributes, note, user = pending
                by_annotator.setdefault(user, []).append(
                    {
                        "id": f"{user}:{span_id}",
                        "start": start,
                        "end": end,
                        "label": label,
                        "text": text[start:end],
                        "attributes": json.loads(attributes),
                        "note": note,
                        "annotators": [user],
                    }
                )
                pending = next(spans, None)
            decoded_meta = json.loads(meta)
            for user, records in by_annotator.items():
                line = {
                    "id": external_id,
                    "title": title,
                    "text": text,
                    "annotator": user,
                    "spans": records,
                    "links": [],
                    "meta": decoded_meta,
                    "split": None,
                    "agreement": None,
                }
                handle.write(dumps(line))
            count += 1
    connection.close()
    return {
        "seconds": time.perf_counter() - began,
        "cpu": time.process_time() - began_cpu,
        "documents": count,
        "json": library,
    }


def ours_run(database: Path, output: Path, fmt: str = "jsonl") -> dict[str, Any]:
    """``write_export`` in format ``fmt`` as the CLI calls it."""
    from annotator import create_app
    from annotator.extensions import current_session, db
    from annotator.services import exports, projects

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench"}
    )
    with app.app_context():
        project = projects.require_project(current_session(), "Bench")
        before = _peak_rss_mb()
        began, began_cpu = time.perf_counter(), time.process_time()
        result = exports.write_export(
            current_session(),
            project,
            exports.ExportSettings(format=fmt),
            output.parent,
            out_dir=output,
        )
        seconds = time.perf_counter() - began
        cpu = time.process_time() - began_cpu
        db.engine.dispose()
    documents = result.manifest["documents"]["exported"]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "documents": documents,
        "rss_before_mb": before,
    }


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: The run of ``write_export`` in another format is ``FORMAT_RUN + name``.
FORMAT_RUN = "format:"


def _worker(kind: str, database: Path, output: Path) -> None:
    if kind == "floor":
        figures = floor_run(database, output)
    elif kind == "ours":
        figures = ours_run(database, output)
    else:
        figures = ours_run(database, output, kind.removeprefix(FORMAT_RUN))
    figures["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(figures))


def _in_subprocess(*args: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.export_bench", *args]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    loaded: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def measure(
    size: int, chars: int, repeat: int, folder: Path, formats: list[str]
) -> dict[str, Any]:
    database = folder / f"bench-{size}.sqlite"
    began = time.perf_counter()
    _in_subprocess(
        "--build", str(database), "--count", str(size), "--chars", str(chars)
    )
    build = time.perf_counter() - began
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "ours": []}
    runs.update({FORMAT_RUN + name: [] for name in formats if name != "jsonl"})
    for _ in range(repeat):
        # Alternate the runs so that a busy moment of the machine hits all.
        for kind in runs:
            output = folder / kind.replace(":", "-")
            figures = _in_subprocess("--worker", kind, str(database), str(output))
            if figures["documents"] != size:
                raise SystemExit(f"{kind}: {figures['documents']} of {size} documents")
            runs[kind].append(figures)
            _remove(output)
    database.unlink()
    return {"size": size, "build": build, **{k: _best(v) for k, v in runs.items()}}


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest run, with the least CPU time and the highest peak RSS of
    all runs."""
    best = dict(min(runs, key=lambda run: run["seconds"]))
    best["cpu"] = min(run["cpu"] for run in runs)
    best["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
    return best


def _remove(output: Path) -> None:
    if output.is_dir():
        shutil.rmtree(output)
    else:
        output.unlink()


def report(result: dict[str, Any]) -> list[str]:
    size, floor, ours = result["size"], result["floor"], result["ours"]
    floor_rate = size / floor["seconds"]
    ours_rate = size / ours["seconds"]
    cpu_ratio = floor["cpu"] / ours["cpu"]
    return [
        f"{size:,} documents x {len(ANNOTATORS)} annotators x "
        f"{SPANS_PER_ANNOTATOR} spans (database built in {result['build']:.0f} s)",
        f"  floor (sqlite3 read + {floor['json']}): {floor_rate:,.0f} docs/s, "
        f"{floor['seconds']:.1f} s ({floor['cpu']:.1f} s CPU), "
        f"peak RSS {floor['peak_rss_mb']:.0f} MB",
        f"  ours (write_export, jsonl): {ours_rate:,.0f} docs/s, "
        f"{ours['seconds']:.1f} s ({ours['cpu']:.1f} s CPU), "
        f"peak RSS {ours['peak_rss_mb']:.0f} MB "
        f"({ours['rss_before_mb']:.0f} MB before the export began)",
        f"  ratio ours / floor: {ours_rate / floor_rate:.2f} by the clock, "
        f"{cpu_ratio:.2f} by CPU time (aim: >= 0.50)",
        *_format_lines(result, ours_rate),
    ]


def _format_lines(result: dict[str, Any], jsonl_rate: float) -> list[str]:
    """One line per other format: its speed beside jsonl's."""
    lines = []
    for kind, figures in result.items():
        if not kind.startswith(FORMAT_RUN):
            continue
        rate = result["size"] / figures["seconds"]
        lines.append(
            f"  {kind.removeprefix(FORMAT_RUN)} (write_export): {rate:,.0f} docs/s, "
            f"{figures['seconds']:.1f} s ({figures['cpu']:.1f} s CPU), "
            f"{rate / jsonl_rate:.2f} x jsonl, "
            f"peak RSS {figures['peak_rss_mb']:.0f} MB"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--chars", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs")
    parser.add_argument(
        "--formats",
        default="jsonl",
        help="formats to time; jsonl is always measured against the floor",
    )
    parser.add_argument("--build", type=Path)
    parser.add_argument("--count", type=int)
    parser.add_argument("--worker", nargs=3)
    args = parser.parse_args()
    if args.build:
        build_database(args.build, args.count, args.chars)
        print(json.dumps({"built": args.count}))
        return
    if args.worker:
        _worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    formats = _checked_formats(args.formats)
    print(
        f"documents of ~{args.chars} characters; SQLite; one subprocess per run; "
        f"best of {args.repeat} runs, highest peak RSS"
    )
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            results.append(
                measure(size, args.chars, args.repeat, Path(folder), formats)
            )
            print("\n".join(report(results[-1])), flush=True)
    if len(results) > 1:
        first, last = results[0]["ours"], results[-1]["ours"]
        print(
            f"peak RSS of ours, {results[0]['size']:,} -> {results[-1]['size']:,} "
            f"documents: {first['peak_rss_mb']:.0f} MB -> {last['peak_rss_mb']:.0f} MB"
        )


def _checked_formats(value: str) -> list[str]:
    """The names of ``--formats``, each a registered export format."""
    from annotator.core.exports import format_names

    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(format_names()))
    if unknown:
        raise SystemExit(
            f"--formats: unknown {', '.join(unknown)} "
            f"(known: {', '.join(format_names())})"
        )
    return names


if __name__ == "__main__":
    main()
