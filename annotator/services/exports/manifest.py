"""The manifest and the dataset card of an export."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import annotator
from annotator.core.exports import FormatStats
from annotator.core.exports.stats import NO_SPLIT
from annotator.models import Project
from annotator.services.exports.reading import AGREEMENT_DIGITS
from annotator.services.exports.records import EXCLUSION_REASONS, Tally
from annotator.services.exports.settings import Plan

MANIFEST_NAME = "manifest.json"
CARD_NAME = "README.md"
#: 2: records per (document, annotator), data files per split, counts after
#: every drop, links dropped apart from spans, ``cut_in_pieces``.
#: 3: ``queue``, the project's queue order at export time.
MANIFEST_VERSION = 3
AGREEMENT_MEASURE = (
    "Krippendorff's unitizing alpha (alpha-u) per document, over the submitted "
    f"annotations of the exported labels, rounded to {AGREEMENT_DIGITS} digits; "
    "null when undefined"
)


def manifest(
    project: Project,
    plan: Plan,
    stats: FormatStats,
    tally: Tally,
    documents_in_project: int,
    files: Mapping[str, Mapping[str, object]],
    queue: Mapping[str, Any],
) -> dict[str, Any]:
    """The manifest of a finished export: every option, count and file, and
    the project's queue order (``QueueState.manifest``)."""
    excluded = Counter(tally.excluded)
    not_submitted = documents_in_project - tally.read
    if not_submitted:
        excluded["not_submitted"] = not_submitted
    counts = stats.to_dict()
    splits = counts.pop("splits")
    data_files = counts.pop("data_files")
    return {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "framing-annotator", "version": annotator.__version__},
        "project": {"id": project.id, "name": project.name},
        "queue": dict(queue),
        "format": {
            "name": plan.fmt.name,
            "schema_version": plan.fmt.schema_version,
            "media_type": plan.fmt.media_type,
            "description": plan.fmt.description,
        },
        "data_files": data_files,
        "options": {**plan.settings.to_dict(), "format": plan.options.to_dict()},
        "agreement": AGREEMENT_MEASURE,
        "documents": {
            "in_project": documents_in_project,
            "exported": stats.documents,
            "records": stats.records,
            "excluded": dict(sorted(excluded.items())),
        },
        "exclusion_reasons": {
            code: EXCLUSION_REASONS[code] for code in sorted(excluded)
        },
        "counts": counts,
        "splits": splits,
        "files": {path: dict(files[path]) for path in sorted(files)},
    }


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _count_line(counts: Mapping[str, object]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in counts.items()) or "none"


def _files_line(data_files: Mapping[str, list[str]]) -> str:
    return "; ".join(
        f"{split}: " + ", ".join(f"`{name}`" for name in names)
        for split, names in data_files.items()
    )


def _per_annotator(options: Mapping[str, Any]) -> str:
    if options["layer"] != "annotators":
        return ""
    return ", one per document and annotator"


def _queue_line(queue: Mapping[str, Any]) -> str:
    said = str(queue["order"])
    if queue["seed"] is not None:
        said += f", seed {queue['seed']}"
    if queue["model"] is not None:
        said += f", model {queue['model']['suggester']} {queue['model']['version']}"
    return said


def card_metadata(
    manifest: Mapping[str, Any], features: list[dict[str, object]] | None
) -> list[str]:
    """The card's YAML front matter for Hugging Face ``datasets``: the data file
    of each split and the records' features, so ``load_dataset(<folder>)``
    reads the export as it is (JSON, which is YAML, one key per line). Without
    a split the one file is ``datasets``' default split, ``train``; splits
    without records are left out (``datasets`` refuses an empty split)."""
    if features is None:
        return []
    files = [
        {"split": "train" if split == NO_SPLIT else split, "path": name}
        for split, names in manifest["data_files"].items()
        if manifest["splits"][split]["records"] or split == NO_SPLIT
        for name in names
    ]
    configs = [{"config_name": "default", "data_files": files}]
    return [
        "---",
        f"configs: {json.dumps(configs, ensure_ascii=False)}",
        f"dataset_info: {json.dumps({'features': features})}",
        "---",
        "",
    ]


def dataset_card(
    manifest: Mapping[str, Any], features: list[dict[str, object]] | None = None
) -> str:
    """A short Markdown dataset card for the export's README.md, with the
    front matter of ``card_metadata``."""
    options, counts = manifest["options"], manifest["counts"]
    fmt, docs = manifest["format"], manifest["documents"]
    split = options["split"]
    lines = [
        *card_metadata(manifest, features),
        f"# {manifest['project']['name']}: {fmt['name']} export",
        "",
        f"{fmt['description']}",
        "",
        f"- Data files: {_files_line(manifest['data_files'])} "
        f"({fmt['media_type']}, schema version {fmt['schema_version']}).",
        f"- Layer: {options['layer']} (annotations with status "
        f"{options['status']}); labels: {', '.join(options['labels'])}.",
        f"- Documents: {docs['exported']} exported of {docs['in_project']} "
        f"({docs['records']} records{_per_annotator(options)}); "
        f"excluded: {_count_line(docs['excluded'])}.",
        f"- Spans per label: {_count_line(counts['spans'])}; links: {counts['links']}.",
        f"- Spans dropped: {_count_line(counts['dropped'])}; "
        f"spans cut in pieces: {_count_line(counts['cut_in_pieces'])}.",
        f"- Links dropped: {_count_line(counts['links_dropped'])}.",
        f"- Train/dev/test split: {_count_line(split) if split else 'none'}"
        + (f", seed {options['seed']}." if split else "."),
        f"- Queue order at export time: {_queue_line(manifest['queue'])}.",
        f"- Agreement: {manifest['agreement']}.",
        "- Offsets are Unicode code points into the text, end exclusive.",
        "",
        f"Made by framing-annotator {manifest['tool']['version']}; "
        f"`{MANIFEST_NAME}` lists every option, count and file checksum.",
        "",
    ]
    return "\n".join(lines)
