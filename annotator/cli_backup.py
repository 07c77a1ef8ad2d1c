"""``annotator backup PATH`` and ``annotator check PATH``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from annotator.services import backup as backups


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent copy of the database to PATH while the server runs
    (SQLite; for PostgreSQL it says how to use pg_dump), then check it."""
    url = str(current_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        report = backups.backup(url, path, force=force)
    except backups.BackupRefused as error:
        raise click.ClickException(str(error)) from None
    _print(report)


@click.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def check_command(path: Path) -> None:
    """Check a backup at PATH: integrity, foreign keys, migration, document
    texts against their hashes, row counts. Exit status 1 on a problem."""
    _print(backups.check_backup(path))


def _print(report: backups.CheckReport) -> None:
    for line in report.lines():
        click.echo(line, err=line.startswith("  problem"))
    if not report.ok:
        sys.exit(1)
