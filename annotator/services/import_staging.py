"""Uploaded files kept on disk between an import's preview and its
confirmation, under a token the server makes; nothing else reads them.

A staged upload is a folder ``<staging dir>/<token>/`` holding the files as
``0``, ``1``, … and ``upload.json`` (their names, the project, the uploader,
the import options as previewed, the time). It is removed when the import is
confirmed or cancelled, and any older than ``MAX_AGE`` is removed at the next
preview or confirmation."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from annotator.core.importing.offsets import OFFSET_MODES, OffsetMode
from annotator.core.importing.reading import ImportOptions
from annotator.services.errors import NotFoundError

#: How long a preview stays confirmable.
MAX_AGE = 60 * 60
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
META = "upload.json"
EXPIRED = "This import preview has expired or was already used: upload the files again."


@dataclass(frozen=True, slots=True)
class StagedUpload:
    files: list[tuple[str, bytes]]
    options: ImportOptions


def _options_data(options: ImportOptions) -> dict[str, object]:
    return {
        "source_format": options.source_format,
        "offsets": options.offsets,
        "annotator_map": dict(options.annotator_map),
        "label_map": dict(options.label_map),
        "split_paragraphs": options.split_paragraphs,
    }


def _options(data: dict[str, object]) -> ImportOptions:
    """The options written by ``_options_data``; ValueError if they are not."""
    options = ImportOptions(
        source_format=str(data["source_format"]),
        offsets=_offset_mode(data["offsets"]),
        annotator_map=_strings(data["annotator_map"]),
        label_map=_strings(data["label_map"]),
        split_paragraphs=bool(data["split_paragraphs"]),
    )
    if options.errors():
        raise ValueError("staged options are not valid")
    return options


def _offset_mode(value: object) -> OffsetMode | None:
    for mode in OFFSET_MODES:
        if value == mode:
            return mode
    if value is None:
        return None
    raise ValueError(f"staged offsets {value!r} are not an offset mode")


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError("expected a mapping")
    return {str(key): str(item) for key, item in value.items()}


def stage(
    staging_dir: Path,
    files: list[tuple[str, bytes]],
    *,
    project_id: int,
    user_id: int,
    options: ImportOptions,
) -> str:
    """Keep ``files`` until confirmed; the token that names them."""
    remove_expired(staging_dir)
    token = secrets.token_urlsafe(24)
    folder = staging_dir / token
    folder.mkdir(parents=True, mode=0o700)
    for index, (_, data) in enumerate(files):
        (folder / str(index)).write_bytes(data)
    meta = {
        "names": [name for name, _ in files],
        "project_id": project_id,
        "user_id": user_id,
        "options": _options_data(options),
        "created": time.time(),
    }
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")
    return token


def _folder(staging_dir: Path, token: str) -> Path:
    if not TOKEN.fullmatch(token):
        raise NotFoundError(EXPIRED)
    return staging_dir / token


def load(
    staging_dir: Path, token: str, *, project_id: int, user_id: int
) -> StagedUpload:
    """The files staged under ``token`` by this user for this project;
    NotFoundError for any other token, user or project, or an expired one."""
    remove_expired(staging_dir)
    folder = _folder(staging_dir, token)
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        if meta["project_id"] != project_id or meta["user_id"] != user_id:
            raise NotFoundError(EXPIRED)
        files = [
            (str(name), (folder / str(index)).read_bytes())
            for index, name in enumerate(meta["names"])
        ]
        options = _options(meta["options"])
    except (OSError, ValueError, KeyError, TypeError):
        raise NotFoundError(EXPIRED) from None
    return StagedUpload(files, options)


def discard(staging_dir: Path, token: str, *, project_id: int, user_id: int) -> None:
    """Remove the files this user staged for this project under ``token``
    (nothing if there are none, or if they are someone else's)."""
    if not TOKEN.fullmatch(token):
        return
    folder = staging_dir / token
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if meta.get("project_id") == project_id and meta.get("user_id") == user_id:
        shutil.rmtree(folder, ignore_errors=True)


def remove_expired(staging_dir: Path, now: float | None = None) -> None:
    """Remove staged uploads older than MAX_AGE."""
    if not staging_dir.is_dir():
        return
    moment = time.time() if now is None else now
    for folder in staging_dir.iterdir():
        try:
            age = moment - folder.stat().st_mtime
        except OSError:
            continue
        if age > MAX_AGE and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
