"""Backups of a running instance: an online copy of the SQLite database
(sqlite3's backup API reads a consistent snapshot while the server keeps
writing), and a check of a copy: integrity, foreign keys, the migration it
is at, every document's text against its hash, and row counts.

PostgreSQL has its own tool for this (``pg_dump``); :func:`backup` says how
rather than copying table by table."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from annotator.core.importing.common import text_sha256
from annotator.migrations import SCRIPT_LOCATION
from annotator.services.errors import ServiceError

SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables counted in a check's report, in the order shown.
COUNTED = (
    "users",
    "projects",
    "documents",
    "assignments",
    "spans",
    "span_links",
    "gold_spans",
    "gold_links",
    "audit_events",
    "api_tokens",
    "export_jobs",
    "cue_lexicon_versions",
    "suggesters",
    "suggestion_decisions",
)


class BackupRefused(ServiceError):
    """A backup that cannot be written here; the message says what to do."""


@dataclass(slots=True)
class CheckReport:
    """What :func:`check_backup` found; ``problems`` empty means usable."""

    path: Path
    revision: str | None = None
    head: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        at = self.revision or "none"
        state = "head" if self.revision == self.head else f"head is {self.head}"
        found = [f"{self.path}: migration {at} ({state})"]
        found += [f"  {table}: {n}" for table, n in self.counts.items()]
        found += [f"  problem: {problem}" for problem in self.problems]
        found.append("OK" if self.ok else f"{len(self.problems)} problem(s)")
        return found


def migration_head() -> str | None:
    """The newest migration this version of the code knows."""
    return ScriptDirectory(str(SCRIPT_LOCATION)).get_current_head()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupRefused("an in-memory database has nothing to back up")
    return Path(url.database).resolve()


def _pg_dump_advice(url: URL) -> str:
    shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
    return (
        "this instance runs on PostgreSQL: back it up with pg_dump, which "
        "takes a consistent snapshot while the server runs, e.g. "
        f"`pg_dump --format=custom --file BACKUP.dump '{shown}'`; restore with "
        "`pg_restore --clean --dbname DATABASE BACKUP.dump`"
    )


def _check_target(target: Path, source: Path, force: bool) -> None:
    if target.resolve() == source:
        raise BackupRefused(f"{target} is the live database itself")
    if not target.parent.is_dir():
        raise BackupRefused(f"{target.parent}: no such directory")
    if target.exists() and not force:
        raise BackupRefused(f"{target} exists: choose a new path, or --force")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        yield connection
    finally:
        connection.close()


def backup(database_url: str, target: Path, *, force: bool = False) -> CheckReport:
    """Copy the SQLite database at ``database_url`` to ``target`` while the
    server runs (written beside it, synced, then renamed: a reader never
    sees half a backup), and check the copy."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(_pg_dump_advice(url))
    source = _sqlite_path(url)
    if not source.is_file():
        raise BackupRefused(f"{source}: no database here")
    _check_target(target, source, force)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with _read_only(source) as reader:
            writer = sqlite3.connect(partial)
            try:
                reader.backup(writer)
            finally:
                writer.close()
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return check_backup(target)


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _integrity(connection: sqlite3.Connection, report: CheckReport) -> None:
    found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if found != ["ok"]:
        report.problems += [f"integrity: {line}" for line in found[:20]]
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    for table, rowid, parent, _ in broken[:20]:
        report.problems.append(f"{table} row {rowid} points at a missing {parent} row")


def _texts(connection: sqlite3.Connection, report: CheckReport) -> None:
    rows = connection.execute("SELECT id, text, text_sha256 FROM documents")
    for document_id, text, digest in rows:
        if text_sha256(text) != digest:
            report.problems.append(
                f"document {document_id}: text differs from its hash"
            )


def _counts(connection: sqlite3.Connection, report: CheckReport) -> None:
    for table in COUNTED:
        # Table names come from COUNTED above, never from input.
        row = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608
        report.counts[table] = int(row[0])


def check_backup(path: Path) -> CheckReport:
    """Check the SQLite file at ``path`` without changing it: integrity,
    foreign keys, its migration against this code's head, document texts
    against their hashes, and row counts."""
    report = CheckReport(path, head=migration_head())
    if not path.is_file():
        report.problems.append("no such file")
        return report
    if not _is_sqlite(path):
        report.problems.append(
            "not an SQLite database (PostgreSQL: use pg_restore --list)"
        )
        return report
    with _read_only(path) as connection:
        report.revision = _revision(connection)
        if report.revision is None:
            report.problems.append("no migration recorded: not an annotator database")
            return report
        if report.revision != report.head:
            report.problems.append(
                f"at migration {report.revision}, this code's head is {report.head}: "
                "run `annotator db upgrade` on a copy before using it"
            )
        _integrity(connection, report)
        try:
            _counts(connection, report)
            _texts(connection, report)
        except sqlite3.DatabaseError as error:
            report.problems.append(f"unreadable: {error}")
    return report
