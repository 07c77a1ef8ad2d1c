"""Span saves on SQLite wait their turn in a queue instead of polling.

SQLite lets one writer in at a time; the others get SQLITE_BUSY and its busy
handler retries after sleeps that grow (1, 2, 5, 10 ... 100 ms), whatever
the moment the lock is freed. Under 20-50 concurrent annotators that sleep,
not the work, made the slowest saves. So the short write section of a save
(version bump, span, audit row, commit) first takes an exclusive lock of the
operating system on a file beside the database (``<database>-writers``),
inside each process behind a thread lock: a waiting save wakes as soon as
the one before it ends. Every other writer (imports, reviews, the command
line) is unchanged and still meets SQLite's busy handler; PostgreSQL locks
rows, so there this is a no-op.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

_threads = threading.Lock()
#: (process id, lock file) -> descriptor: a descriptor inherited across a
#: fork shares its lock with the parent, so each process opens its own.
_descriptors: dict[tuple[int, str], int] = {}


def lock_file(session: Session) -> str | None:
    """The queue's lock file for the session's SQLite database file, or None
    (PostgreSQL, or SQLite in memory)."""
    url = session.get_bind().engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return f"{url.database}-writers"


@contextmanager
def queued_write(session: Session) -> Iterator[None]:
    """Hold the database's writer queue (see the module) for the block."""
    path = lock_file(session)
    if path is None:
        yield
        return
    with _threads:
        key = (os.getpid(), path)
        descriptor = _descriptors.get(key)
        if descriptor is None:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            _descriptors[key] = descriptor
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
