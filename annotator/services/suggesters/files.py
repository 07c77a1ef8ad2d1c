"""The disk side of trained models: a folder's content digest (the model's
version), the staging folder a model is written into, and moving a finished
one into place."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

DIGEST_CHARS = 16
#: A model is written into a hidden sibling folder named so, then moved into
#: place; a process killed while writing leaves it behind.
STAGING_PREFIX = ".staging-"
#: A staging folder untouched this long belongs to no running training
#: (writing a model takes seconds): the next one written beside it removes it.
STALE_STAGING_SECONDS = 3600.0


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


def new_staging(target: Path) -> Path:
    """A new, empty staging folder beside ``target`` (created with its
    parent), after removing the stale ones a killed training left there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stale = time.time() - STALE_STAGING_SECONDS
    for leftover in target.parent.glob(f"{STAGING_PREFIX}*"):
        if leftover.is_dir() and leftover.stat().st_mtime < stale:
            shutil.rmtree(leftover, ignore_errors=True)
    prefix = f"{STAGING_PREFIX}{target.name}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))


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
