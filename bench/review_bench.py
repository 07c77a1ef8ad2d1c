"""Review queue benchmark, measured against a reference in the same run.

    .venv/bin/python -m bench.review_bench [--quick]    (from the repo root)

On a temporary SQLite database with N documents x 3 submitted annotators x 12
spans (2,000 documents; 300 with --quick):

1. ``review_queue`` (aligns every document with one ``core.diff.group_spans``
   call, the alignment the report uses too) against the project's agreement
   report (``project_agreement``, cache cleared), which reads the same
   submitted spans. Target: ratio queue / report <= 3.0 (the queue also reads
   every span's attributes and note, and each document's gold and status).
2. ``document_review`` of one document against ``document_comparison``, the
   agreement page's side-by-side view of it. Target: ratio <= 5.0 (the review
   payload also reads the adjudication, gold spans with their sources, gold
   links, annotators' links, rejections and the decision stack: eight queries
   against two).

Prints the timings and ratios; exits 1 when a target is missed. Timings are the
best of a few runs, to be robust on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator import create_app
from annotator.extensions import db
from annotator.models import Document
from annotator.services import agreement, projects, review
from annotator.services.documents import import_files

LABELS = ("claim", "denial", "hedge", "false_flag_warning")
WORDS = [
    "officials",
    "said",
    "the",
    "strike",
    "was",
    "staged",
    "by",
    "the",
    "other",
    "side",
    "and",
    "denied",
    "it",
]


def best_of(runs: int, call: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        began = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - began)
    return best, result


def records(n_documents: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    found = []
    for number in range(n_documents):
        text = " ".join(rng.choice(WORDS) for _ in range(300))
        truth = sorted(
            (start, start + rng.randint(5, 40), rng.choice(LABELS))
            for start in rng.sample(range(0, len(text) - 50, 50), 12)
        )
        annotations = []
        for name in ("ann", "bob", "cat"):
            spans = [
                (s + rng.choice((0, 0, 0, 2)), e, rng.choice((x, x, x, "hedge")))
                for s, e, x in truth
            ]
            annotations.append(
                {
                    "annotator": name,
                    "spans": [{"start": s, "end": e, "label": x} for s, e, x in spans],
                }
            )
        found.append({"id": f"doc-{number}", "text": text, "annotations": annotations})
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    n_documents = 300 if parser.parse_args().quick else 2000
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            from annotator import migrations

            migrations.upgrade(db.engine)
            project = projects.create_project(db.session, "Bench")
            data = "\n".join(json.dumps(r) for r in records(n_documents)).encode()
            import_files(db.session, project, [("bench.jsonl", data)])
            return measure(project, n_documents)


def measure(project: Any, n_documents: int) -> int:
    def report() -> Any:
        agreement.clear_cache()
        return agreement.project_agreement(db.session, project)

    reference, _ = best_of(3, report)
    queue_time, queue = best_of(3, lambda: review.review_queue(db.session, project))
    document = db.session.get(Document, queue[0].document_id)
    side, _ = best_of(
        5, lambda: agreement.document_comparison(db.session, project, document)
    )
    page, _ = best_of(5, lambda: review.document_review(db.session, project, document))
    ratios = {
        "queue / report": queue_time / reference,
        "page / side-by-side": page / side,
    }
    print(f"{n_documents} documents x 3 annotators x 12 spans")
    print(f"agreement report {reference:.3f} s; review queue {queue_time:.3f} s")
    print(f"side-by-side {side * 1000:.1f} ms; review payload {page * 1000:.1f} ms")
    targets = {"queue / report": 3.0, "page / side-by-side": 5.0}
    missed = False
    for name, ratio in ratios.items():
        verdict = "ok" if ratio <= targets[name] else "MISSED"
        missed |= verdict == "MISSED"
        print(f"{name}: {ratio:.2f} (target <= {targets[name]}) {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
