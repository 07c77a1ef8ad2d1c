"""The disk side of trained models: a folder's content digest (the model's
version) and moving a finished folder into place."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

DIGEST_CHARS = 16


def folder_digest(folder: Path) -> str:
    """SHA-256 of every file under ``folder`` (relative path and bytes, in
    path order), as the first DIGEST_CHARS hex digits."""
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = file.relative_to(folder).as_posix().encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name)
        data = file.read_bytes()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:DIGEST_CHARS]


def replace_folder(staging: Path, target: Path) -> None:
    """Move the finished ``staging`` folder to ``target``, which must be
    absent or an empty folder (never overwrite a model)."""
    check_target(target)
    if target.exists():
        target.rmdir()
    os.replace(staging, target)


def check_target(target: Path) -> None:
    """FileExistsError unless ``target`` is absent or an empty folder."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target}: exists and is not an empty folder")
