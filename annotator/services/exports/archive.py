"""A finished export as one zip download, named
``<project>-<format>-<layer>-<timestamp>.zip`` so that downloads of different
exports never overwrite each other."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from annotator.models import Project
from annotator.services.errors import NotFoundError
from annotator.services.exports.listing import (
    EXPORT_NAME,
    archive_name,
    export_file,
    project_root,
    read_manifest,
)
from annotator.services.exports.manifest import MANIFEST_NAME


@dataclass(frozen=True, slots=True)
class Archive:
    """A zip of an export, written to a temporary file the caller closes."""

    filename: str
    stream: IO[bytes]


def export_archive(export_dir: Path, project: Project, name: str) -> Archive:
    """The project's finished export ``name`` zipped: every file its manifest
    lists and the manifest, under a folder named like the zip; NotFoundError
    for anything but a finished export of this project."""
    if not EXPORT_NAME.fullmatch(name):
        raise NotFoundError(f"no export {name!r}")
    manifest = read_manifest(project_root(export_dir, project) / name)
    if manifest is None:
        raise NotFoundError(f"no export {name!r}")
    filename = archive_name(project, name, manifest)
    files = manifest.get("files")
    members = sorted(files) if isinstance(files, dict) else []
    stream = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    try:
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in [*members, MANIFEST_NAME]:
                path = export_file(export_dir, project, name, str(member))
                stem = filename.removesuffix(".zip")
                archive.write(path, f"{stem}/{member}")
    except BaseException:
        stream.close()
        raise
    stream.seek(0)
    return Archive(filename, stream)
