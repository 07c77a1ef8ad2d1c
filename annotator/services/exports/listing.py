"""Finished exports: listing them and serving their files safely."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.security import safe_join

from annotator.models import Project
from annotator.services.errors import NotFoundError
from annotator.services.exports.disk import project_folder_name
from annotator.services.exports.manifest import CARD_NAME, MANIFEST_NAME

#: Export folder names made by ``write_export`` (``--out`` folders are the
#: caller's and are not listed).
EXPORT_NAME = re.compile(r"\d{8}T\d{6}Z-[a-z0-9-]+")


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """A finished export as listed on the exports page: its data files (per
    split, in train/dev/test order), then the card and the manifest."""

    name: str
    format: str
    layer: str
    documents: int
    spans: int
    files: tuple[str, ...]
    #: The zip download's file name (see ``archive_name``).
    archive: str


def project_root(export_dir: Path, project: Project) -> Path:
    return export_dir / project_folder_name(project)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a finished export folder, or None."""
    try:
        loaded = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def list_exports(export_dir: Path, project: Project) -> list[ExportSummary]:
    """The project's finished exports, newest first."""
    root = project_root(export_dir, project)
    if not root.is_dir():
        return []
    summaries = []
    for folder in sorted(root.iterdir(), reverse=True):
        manifest = None
        if EXPORT_NAME.fullmatch(folder.name) and not folder.is_symlink():
            manifest = read_manifest(folder)
        if manifest is not None:
            summaries.append(_summary(project, folder.name, manifest))
    return summaries


def export_summary(
    export_dir: Path, project: Project, name: str
) -> ExportSummary | None:
    """The project's finished export ``name``, or None."""
    if not EXPORT_NAME.fullmatch(name):
        return None
    folder = project_root(export_dir, project) / name
    manifest = None if folder.is_symlink() else read_manifest(folder)
    return None if manifest is None else _summary(project, name, manifest)


_SPLIT_ORDER = {"train": 0, "dev": 1, "test": 2}


def data_files(manifest: Mapping[str, Any]) -> list[str]:
    """The data files a manifest lists, train, dev, test order (manifests of
    version 1 name one ``data_file``)."""
    by_split = manifest.get("data_files")
    if not isinstance(by_split, dict):
        return [str(manifest.get("data_file", ""))]
    ordered = sorted(by_split, key=lambda split: _SPLIT_ORDER.get(split, 3))
    return [str(name) for split in ordered for name in by_split[split]]


def _summary(project: Project, name: str, manifest: Mapping[str, Any]) -> ExportSummary:
    counts = manifest.get("counts", {})
    return ExportSummary(
        name=name,
        format=str(manifest.get("format", {}).get("name", "")),
        layer=str(manifest.get("options", {}).get("layer", "")),
        documents=int(manifest.get("documents", {}).get("exported", 0)),
        spans=sum(int(n) for n in counts.get("spans", {}).values()),
        files=(*data_files(manifest), CARD_NAME, MANIFEST_NAME),
        archive=archive_name(project, name, manifest),
    )


#: ``20261203T081500Z-jsonl`` or ``20261203T081500Z-jsonl-2`` (a second
#: export of the same format in the same second).
_FOLDER = re.compile(r"(?P<stamp>\d{8}T\d{6}Z)-(?P<rest>[a-z0-9-]+)")


def _safe(text: str) -> str:
    """Lower-case letters, digits and single hyphens: safe in any file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def archive_name(project: Project, name: str, manifest: Mapping[str, Any]) -> str:
    """``<project>-<format>-<layer>-<timestamp>.zip`` for export ``name``."""
    found = _FOLDER.fullmatch(name)
    if found is None:
        raise NotFoundError(f"no export {name!r}")
    fmt = manifest.get("format")
    fmt_name = str(fmt.get("name", "")) if isinstance(fmt, dict) else ""
    options = manifest.get("options")
    layer = str(options.get("layer", "")) if isinstance(options, dict) else ""
    # A second export in the same second keeps its folder's number.
    number = found["rest"].removeprefix(_safe(fmt_name)).strip("-")
    parts = [
        _safe(project.name) or f"project-{project.id}",
        _safe(fmt_name),
        _safe(layer),
    ]
    parts.append(found["stamp"] + (f"-{number}" if number.isdigit() else ""))
    return "-".join(part for part in parts if part) + ".zip"


def export_file(export_dir: Path, project: Project, name: str, filename: str) -> Path:
    """The path of ``filename`` in the project's finished export ``name``;
    NotFoundError for anything else: other projects, ``..``, absolute paths,
    symlinks, folders, unfinished exports."""
    root = project_root(export_dir, project).resolve()
    joined = safe_join(str(root), name, filename)
    missing = NotFoundError(f"no file {filename!r} in export {name!r}")
    if not EXPORT_NAME.fullmatch(name) or joined is None:
        raise missing
    path = Path(joined)
    try:
        # Without symlinks, resolving changes nothing; with one, it does.
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise missing from None
    if resolved != path or not resolved.is_relative_to(root / name):
        raise missing
    if not resolved.is_file() or read_manifest(root / name) is None:
        raise missing
    return resolved
