"""``annotator set-guideline PROJECT FILE``: store a Markdown file as the
project's next guideline version, as a project admin's save on the web does."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from annotator.extensions import current_session
from annotator.services import guideline, projects
from annotator.services.errors import ServiceError


def read_guideline_file(path: Path) -> str:
    """The file's text (UTF-8, a leading BOM dropped, CRLF made LF), or a
    ClickException naming the file: missing, unreadable, too large, not UTF-8."""
    limit = guideline.MAX_GUIDELINE_BYTES
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise click.ClickException(f"{path}: no such file") from None
    except IsADirectoryError:
        raise click.ClickException(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise click.ClickException(f"{path}: cannot read ({error.strerror})") from None
    if len(data) > limit:
        raise click.ClickException(
            f"{path}: too large (more than {limit} bytes; a guideline holds at "
            f"most {guideline.MAX_GUIDELINE_CHARS} characters)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{path}: not UTF-8 (byte 0x{data[error.start]:02x} at offset "
            f"{error.start}); save it as UTF-8 and try again"
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


@click.command("set-guideline")
@click.argument("project")
@click.argument("file", type=click.Path(path_type=Path))
@with_appcontext
def set_guideline_command(project: str, file: Path) -> None:
    """Store FILE (Markdown, UTF-8) as PROJECT's guideline: a new version,
    shown to annotators as "Guideline updated"."""
    session = current_session()
    try:
        found = projects.require_project(session, project)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    text = read_guideline_file(file)
    try:
        saved = guideline.save_guideline(session, found, text, actor=None)
    except ServiceError as error:
        raise click.ClickException(f"{file}: {error}") from None
    number = saved.version.number
    if saved.changed:
        click.echo(f"Guideline of {project} saved as version {number} from {file}.")
    else:
        click.echo(f"{file} is the same as version {number}: nothing saved.")
