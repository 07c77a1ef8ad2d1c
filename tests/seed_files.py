"""The demo seed as the files describe it, read without the importer, so tests
can compare what `annotator seed` stored against the source."""

import json
from collections import Counter

from annotator.services.seeding import DEFAULT_SEED_DIR

DEMO_PROJECT = "Demo: framing in news"


def seed_records():
    """Every document record of every file demo.json imports, in import order."""
    manifest = json.loads((DEFAULT_SEED_DIR / "demo.json").read_text("utf-8"))
    records = []
    for entry in manifest["imports"]:
        lines = (DEFAULT_SEED_DIR / entry["file"]).read_text("utf-8").split("\n")
        records += [json.loads(line) for line in lines if line.strip()]
    return records


def spans_per_annotator():
    counts = Counter()
    for record in seed_records():
        for block in record.get("annotations", []):
            counts[block["annotator"]] += len(block["spans"])
    return counts


def unannotated_ids():
    return {r["id"] for r in seed_records() if not r.get("annotations")}
