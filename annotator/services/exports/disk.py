"""Files of an export on disk: written under temporary names, synced and
moved into place; a failed export leaves nothing behind."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotator.core.exports import (
    ExportFormat,
    ExportInputError,
)
from annotator.core.exports.files import is_safe_relative_path
from annotator.models import (
    Project,
)
from annotator.services.errors import ServiceError

#: Bytes of data file between two background syncs (see BackgroundSync).
SYNC_EVERY = 32 * 1024 * 1024


#: fdatasync where the system has it (Linux), fsync elsewhere (macOS, Windows).
sync_data = getattr(os, "fdatasync", os.fsync)


class BackgroundSync:
    """Flushes a file being written to disk from a thread, a stretch at a time.

    The final fsync of a large export would otherwise wait for the whole file
    to reach the disk after the last byte is written (about a third of the
    time of a 100,000-document export here); syncing in a thread while the
    export goes on overlaps that wait with the work. fdatasync releases the
    GIL. A failed sync fails the export."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle
        self._fileno: int = handle.fileno()
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def start(self) -> None:
        """Begin a sync of what is written so far, unless one is running."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._raise_error()
        self._handle.flush()
        self._thread = threading.Thread(target=self._sync, daemon=True)
        self._thread.start()

    def _sync(self) -> None:
        try:
            sync_data(self._fileno)
        except OSError as error:
            self._error = error

    def wait(self, *, raise_error: bool = True) -> None:
        """Wait for the running sync; raise its error unless told not to."""
        if self._thread is not None:
            self._thread.join()
        if raise_error:
            self._raise_error()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error


class HashingWriter:
    """A binary file that keeps the SHA-256 and size of what went through it,
    and starts a background sync every ``SYNC_EVERY`` bytes."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0
        self.syncer = BackgroundSync(handle)
        self._unsynced = 0

    def write(self, data: bytes, /) -> int:
        self.digest.update(data)
        self.size += len(data)
        written: int = self.handle.write(data)
        self._unsynced += len(data)
        if self._unsynced >= SYNC_EVERY:
            self._unsynced = 0
            self.syncer.start()
        return written


def _fsync_and_replace(handle: Any, temporary: Path, target: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, target)


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def write_file(target: Path, data: bytes) -> dict[str, object]:
    """Write ``data`` to ``target`` atomically; its manifest record."""
    temporary = _temporary(target)
    handle = temporary.open("xb")
    try:
        handle.write(data)
        _fsync_and_replace(handle, temporary, target)
    finally:
        handle.close()
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


class FolderOutput:
    """The writers' ``Output``: every file lands under the export folder,
    written under a hidden temporary name and moved into place by ``close``;
    an unsafe name, a reserved one or one written twice is refused."""

    def __init__(self, folder: Path, reserved: set[str]) -> None:
        self.folder = folder
        self.reserved = reserved
        self._streams: dict[str, tuple[HashingWriter, Path]] = {}
        self._records: dict[str, dict[str, object]] = {}

    def _target(self, name: str) -> Path:
        if not is_safe_relative_path(name):
            raise ExportInputError(f"unsafe file name {name!r}")
        if name in self.reserved or name in self._records or name in self._streams:
            raise ExportInputError(f"file {name!r} written twice")
        target = self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def stream(self, name: str, /) -> HashingWriter:
        """The data file ``name``, opened on first use."""
        opened = self._streams.get(name)
        if opened is None:
            target = self._target(name)
            opened = HashingWriter(_temporary(target).open("xb")), target
            self._streams[name] = opened
        return opened[0]

    def file(self, name: str, data: bytes, /) -> None:
        """A whole extra file, written atomically at once."""
        self._records[name] = write_file(self._target(name), data)

    def close(self) -> dict[str, dict[str, object]]:
        """Sync and move every data file into place; a manifest record (size
        and SHA-256) per file written, by name."""
        for name, (writer, target) in self._streams.items():
            writer.syncer.wait()
            _fsync_and_replace(writer.handle, _temporary(target), target)
            self._records[name] = {
                "sha256": writer.digest.hexdigest(),
                "bytes": writer.size,
            }
        self._streams.clear()
        return dict(sorted(self._records.items()))

    def abort(self) -> None:
        """Close every data file after a failure; the writer's error is the one
        to report, not a sync's (the caller removes the folder)."""
        for writer, _ in self._streams.values():
            writer.syncer.wait(raise_error=False)
            writer.handle.close()
        self._streams.clear()


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def project_folder_name(project: Project) -> str:
    """``<slug of the name>-<id>``: readable, and distinct for every project."""
    slug = re.sub(r"[^a-z0-9]+", "-", project.name.lower()).strip("-")[:40]
    return f"{slug.strip('-') or 'project'}-{project.id}"


def reserve_folder(
    export_dir: Path, project: Project, fmt: ExportFormat, now: datetime
) -> Path:
    """Create and return a new, empty folder for this export."""
    parent = export_dir / project_folder_name(project)
    stem = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{fmt.name}"
    for number in range(1, 1000):
        folder = parent / (stem if number == 1 else f"{stem}-{number}")
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            continue
        return folder
    raise ServiceError(f"too many exports named {stem} in {parent}")


def claim_out_dir(out_dir: Path) -> bool:
    """Make sure ``out_dir`` is an empty folder; True if it was created here."""
    try:
        out_dir.mkdir(parents=True)
    except FileExistsError:
        if out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir()):
            return False
        message = f"{out_dir} already exists and is not an empty folder"
        raise ServiceError(message) from None
    return True


def remove_export(folder: Path, created: bool) -> None:
    """Undo a failed export: remove the folder, or empty the caller's."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
