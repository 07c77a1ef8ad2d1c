"""The ``annotator`` command: Flask's click integration over the services."""

from __future__ import annotations

import sys
from typing import Any, cast

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, shell_command
from sqlalchemy.exc import DatabaseError

from annotator import migrations
from annotator.cli_agreement import agreement_command
from annotator.cli_backup import backup_command, check_command
from annotator.cli_effect import suggestion_effect_command
from annotator.cli_export import export_command
from annotator.cli_guideline import set_guideline_command
from annotator.cli_import import import_command
from annotator.cli_queue import set_queue_order_command
from annotator.cli_suggestions import add_suggester_command, set_suggestions_command
from annotator.cli_train import train_command
from annotator.extensions import current_session, db
from annotator.services import (
    account_admin,
    accounts,
    projects,
    seeding,
    span_check,
    tokens,
)
from annotator.services.errors import ServiceError


def _create_app() -> Any:
    from annotator.app import create_app

    return create_app()


cli = FlaskGroup(
    name="annotator",
    help="Framing annotator: span annotation for framing datasets.",
    create_app=_create_app,
    add_default_commands=False,
    load_dotenv=False,
)
cli.add_command(shell_command)
cli.add_command(routes_command)
cli.add_command(agreement_command)
cli.add_command(export_command)
cli.add_command(set_guideline_command)
cli.add_command(import_command)
cli.add_command(backup_command)
cli.add_command(check_command)
cli.add_command(train_command)
cli.add_command(set_suggestions_command)
cli.add_command(add_suggester_command)
cli.add_command(suggestion_effect_command)
cli.add_command(set_queue_order_command)


def main() -> None:
    from annotator.config import ConfigurationError

    try:
        cli.main()
    except ConfigurationError as error:
        raise SystemExit(f"Error: {error}") from None
    except DatabaseError as error:
        if not _missing_table(error):
            raise
        raise SystemExit(
            "Error: the database has no such table (it was never created, or "
            "is older than this version): run `annotator db upgrade` first"
        ) from None


def _missing_table(error: DatabaseError) -> bool:
    """SQLite's and PostgreSQL's words for a table that is not there."""
    said = str(error.orig)
    return "no such table" in said or "UndefinedTable" in type(error.orig).__name__


def fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error).splitlines()[0] if str(error) else "error")


@cli.group("db")
def db_group() -> None:
    """Create or migrate the database."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create the database or migrate it to REVISION (default: the newest),
    keeping its data."""
    migrations.upgrade(db.engine, revision)
    click.echo(f"Database at {db.engine.url.render_as_string()} is up to date.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database back to REVISION."""
    migrations.downgrade(db.engine, revision)


@db_group.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    migrations.current(db.engine)


@cli.command("create-user")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the user a site admin.")
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the password from standard input (never from the command line).",
)
def create_user(name: str, admin: bool, password_stdin: bool) -> None:
    """Create a user NAME."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        accounts.create_user(current_session(), name, password, is_admin=admin)
    except ServiceError as error:
        raise fail(error) from None
    click.echo(f"Created user {name}{' (admin)' if admin else ''}.")


@cli.command("deactivate-user")
@click.argument("username")
def deactivate_user(username: str) -> None:
    """Stop USERNAME logging in and being given documents; their work stays."""
    try:
        user = accounts.require_user(current_session(), username)
        changed = account_admin.deactivate_user(current_session(), user, actor=None)
    except ServiceError as error:
        raise fail(error) from None
    click.echo(f"{username} {'is now' if changed else 'was already'} deactivated.")


@cli.command("reactivate-user")
@click.argument("username")
def reactivate_user(username: str) -> None:
    """Let USERNAME log in and be given documents again."""
    try:
        user = accounts.require_user(current_session(), username)
        changed = account_admin.reactivate_user(current_session(), user, actor=None)
    except ServiceError as error:
        raise fail(error) from None
    click.echo(f"{username} {'is now' if changed else 'was already'} active.")


@cli.command("create-token")
@click.argument("username")
@click.option(
    "--name",
    default="command line",
    show_default=True,
    help="What the token is for (shown on the user's account page).",
)
def create_token(username: str, name: str) -> None:
    """Make a personal API token for USERNAME and print it, once: only its
    hash is stored. Scripts send it as ``Authorization: Bearer TOKEN``."""
    try:
        user = accounts.require_user(current_session(), username)
        if not user.is_active:
            raise ServiceError(f"user {user.username!r} is deactivated")
        plain, _ = tokens.create_token(current_session(), user, name)
    except ServiceError as error:
        raise fail(error) from None
    # The token alone on standard output, so that a script can capture it.
    click.echo(plain)
    click.echo(
        f"API token {name!r} for {user.username}: shown only this once.", err=True
    )


@cli.command("create-project")
@click.argument("name")
@click.option("--annotators-per-document", type=click.IntRange(1, 20), default=2)
def create_project(name: str, annotators_per_document: int) -> None:
    """Create a project NAME with the four default labels."""
    try:
        projects.create_project(
            current_session(), name, annotators_per_document=annotators_per_document
        )
    except ServiceError as error:
        raise fail(error) from None
    click.echo(f"Created project {name}.")


@cli.command("add-member")
@click.argument("project")
@click.argument("user")
@click.option(
    "--role",
    type=click.Choice(["annotator", "reviewer", "admin"]),
    required=True,
)
def add_member(project: str, user: str, role: str) -> None:
    """Give USER a ROLE in PROJECT."""
    try:
        found = projects.require_project(current_session(), project)
        member = accounts.require_user(current_session(), user)
        projects.add_member(current_session(), found, member, role, actor=None)
    except ServiceError as error:
        raise fail(error) from None
    click.echo(f"{user} is {role} in {project}.")


@cli.command("set-attributes")
@click.argument("project")
@click.argument("names", nargs=-1)
def set_attributes(project: str, names: tuple[str, ...]) -> None:
    """Set the attributes a span of PROJECT may carry (default: source); no
    NAMES allows none. Saves and imports with any other are refused."""
    try:
        found = projects.require_project(current_session(), project)
        projects.set_attribute_names(current_session(), found, names, actor=None)
    except ServiceError as error:
        raise fail(error) from None
    listed = ", ".join(names) or "none"
    click.echo(f"Span attributes of {project}: {listed}.")


@cli.command("check-spans")
@click.argument("project", required=False)
def check_spans(project: str | None) -> None:
    """List stored spans (annotators' and gold) of PROJECT, or of every
    project, whose start or end splits a character; exit status 1 if any."""
    try:
        found = (
            projects.require_project(current_session(), project) if project else None
        )
        split = 0
        for span in span_check.split_spans(current_session(), found):
            click.echo(str(span))
            split += 1
    except ServiceError as error:
        raise fail(error) from None
    if not split:
        click.echo("Checked: no span splits a character.")
        return
    plural = "span splits" if split == 1 else "spans split"
    click.echo(f"{split} {plural} a character (left as stored).", err=True)
    sys.exit(1)


@cli.command("seed")
def seed() -> None:
    """Load the demo project, articles and accounts (safe to run again)."""
    try:
        summary = seeding.seed_demo(current_session(), seeding.DEFAULT_SEED_DIR)
    except ServiceError as error:
        raise fail(error) from None
    click.echo(summary)


def _recover_jobs() -> None:
    """Jobs (exports, trainings) whose worker died with the last server are
    marked failed, never left running."""
    from annotator.services.jobs.recovery import recover_every_kind

    for model, stopped in recover_every_kind(current_session()).items():
        ids = ", ".join(str(job_id) for job_id in stopped)
        kind = model.KIND.capitalize()
        click.echo(f"{kind} jobs {ids}: worker stopped, marked failed.", err=True)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn (a production WSGI server)."""
    from annotator.server import run_gunicorn

    _recover_jobs()
    # gunicorn forks its workers from this process: none may inherit a
    # pooled connection of this one (two processes on one socket garble
    # each other's queries, and a database restart fails both at exit).
    db.session.remove()
    db.engine.dispose()
    click.echo(f"Serving on http://{host}:{port}/")
    run_gunicorn(cast(Any, current_app)._get_current_object(), host, port, workers)
