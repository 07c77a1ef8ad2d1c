"""``annotator backup PATH`` copies a running SQLite instance consistently and
checks the copy; ``annotator check PATH`` finds what makes a copy unusable.
On PostgreSQL the backup command says how to use pg_dump instead."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.cli import cli
from annotator.core.importing.common import text_sha256
from annotator.extensions import db
from annotator.models import Document
from annotator.services import backup as backups
from annotator.services.documents import import_files

TEXT = "Officials 👩\u200d🔬 denied it.\r\nCafe\u0301 said 不是."


def _import(project) -> Document:
    record = {
        "id": "d1",
        "text": TEXT,
        "annotations": [
            {
                "annotator": "ann",
                "spans": [
                    {"start": 0, "end": 9, "label": "claim"},
                    {"start": 14, "end": 20, "label": "denial"},
                ],
            }
        ],
    }
    import_files(db.session, project, [("a.jsonl", json.dumps(record).encode())])
    return db.session.scalars(select(Document)).one()


def _is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _live_path(app) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def test_backup_writes_a_copy_that_checks_out(app, runner, project, tmp_path):
    _import(project)
    target = tmp_path / "copy.sqlite"
    result = runner.invoke(cli, ["backup", str(target)])
    if not _is_sqlite(app):
        assert result.exit_code == 1
        assert "pg_dump --format=custom" in result.output
        assert not target.exists()
        return
    assert result.exit_code == 0, result.output
    assert "documents: 1" in result.output
    assert "spans: 2" in result.output
    assert result.output.rstrip().endswith("OK")
    with sqlite3.connect(target) as copy:
        (text,) = copy.execute("SELECT text FROM documents").fetchone()
    assert text == TEXT  # CRLF, ZWJ and combining mark kept byte for byte
    assert not list(tmp_path.glob(".copy.sqlite.partial-*"))


def test_pg_dump_advice_hides_the_password(tmp_path):
    url = "postgresql+psycopg://team:s3cret@db.internal:5432/annotations"
    with pytest.raises(backups.BackupRefused) as refused:
        backups.backup(url, tmp_path / "x")
    message = str(refused.value)
    assert "pg_dump" in message
    assert "pg_restore" in message
    assert "s3cret" not in message
    assert "db.internal:5432/annotations" in message


def test_a_backup_leaves_out_uncommitted_writes(app, runner, project, tmp_path):
    if not _is_sqlite(app):
        assert runner.invoke(cli, ["backup", str(tmp_path / "c")]).exit_code == 1
        return
    _import(project)
    db.session.commit()
    writer = sqlite3.connect(_live_path(app), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE projects SET name = 'half-written'")
    try:
        report = backups.backup(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "c")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert report.ok, report.problems
    with sqlite3.connect(tmp_path / "c") as copy:
        names = [row[0] for row in copy.execute("SELECT name FROM projects")]
    assert "half-written" not in names
    assert project.name in names


def test_backup_does_not_overwrite_unless_forced(app, runner, project, tmp_path):
    target = tmp_path / "copy.sqlite"
    target.write_bytes(b"an older backup")
    result = runner.invoke(cli, ["backup", str(target)])
    assert result.exit_code == 1
    if _is_sqlite(app):
        assert "exists: choose a new path, or --force" in result.output
        assert target.read_bytes() == b"an older backup"
        forced = runner.invoke(cli, ["backup", "--force", str(target)])
        assert forced.exit_code == 0, forced.output
        assert target.read_bytes().startswith(backups.SQLITE_HEADER)
    else:
        assert "pg_dump" in result.output


def test_backup_refuses_the_live_database_as_target(app, runner, tmp_path):
    if not _is_sqlite(app):
        return
    result = runner.invoke(cli, ["backup", "--force", str(_live_path(app))])
    assert result.exit_code == 1
    assert "is the live database itself" in result.output


@pytest.fixture
def copy(sqlite_template, tmp_path) -> Path:
    """A good SQLite backup with one project and one document, whatever
    backend the app under test runs on (check reads files only)."""
    target = tmp_path / "copy.sqlite"
    target.write_bytes(sqlite_template.read_bytes())
    with sqlite3.connect(target) as connection:
        connection.execute(
            "INSERT INTO projects (id, name, description, guideline, "
            "annotators_per_document, created_at, attribute_names) "
            "VALUES (1, 'p', '', '', 1, '2026-12-03 12:00:00', '[\"source\"]')"
        )
        connection.execute(
            "INSERT INTO documents (id, project_id, external_id, title, text, "
            "text_length, text_sha256, meta, created_at) "
            "VALUES (7, 1, 'd1', '', ?, ?, ?, '{}', '2026-12-03 12:00:00')",
            (TEXT, len(TEXT), text_sha256(TEXT)),
        )
    return target


def test_check_passes_a_good_copy(runner, copy):
    result = runner.invoke(cli, ["check", str(copy)])
    assert result.exit_code == 0, result.output
    assert f"migration {backups.migration_head()} (head)" in result.output
    assert "documents: 1" in result.output
    for table in ("api_tokens", "export_jobs", "suggesters", "suggestion_decisions"):
        assert f"  {table}: 0" in result.output


def test_check_finds_a_changed_document_text(runner, copy):
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE documents SET text = text || ' edited'")
    result = runner.invoke(cli, ["check", str(copy)])
    assert result.exit_code == 1
    assert "document 7: text differs from its hash" in result.output


def test_check_finds_a_dangling_reference(runner, copy):
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE documents SET project_id = 99")
    result = runner.invoke(cli, ["check", str(copy)])
    assert result.exit_code == 1
    assert "documents row 7 points at a missing projects row" in result.output


def test_check_names_an_old_migration(runner, copy):
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0003'")
    result = runner.invoke(cli, ["check", str(copy)])
    assert result.exit_code == 1
    assert "at migration 0003" in result.output
    assert "annotator db upgrade" in result.output


def test_check_refuses_what_is_not_a_database(runner, tmp_path):
    dump = tmp_path / "backup.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00 not sqlite")
    result = runner.invoke(cli, ["check", str(dump)])
    assert result.exit_code == 1
    assert "not an SQLite database" in result.output
    missing = runner.invoke(cli, ["check", str(tmp_path / "nope.sqlite")])
    assert missing.exit_code == 1
    assert "no such file" in missing.output
