"""``annotator set-suggestions PROJECT --mode off|on|calibrate [--share 0.1]``:
the same setting a project admin changes on the web."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from annotator.extensions import current_session
from annotator.models import SuggestionMode
from annotator.services import projects
from annotator.services.errors import ServiceError
from annotator.services.suggestions import settings


@click.command("set-suggestions")
@click.argument("project")
@click.option(
    "--mode",
    required=True,
    type=click.Choice([mode.value for mode in SuggestionMode]),
    help="off: none; on: on every document; calibrate: on all but a share.",
)
@click.option(
    "--share",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Share of documents annotated without suggestions in calibrate "
    "mode (0 to 1; default: unchanged, 0.1 for a new project).",
)
@with_appcontext
def set_suggestions_command(project: str, mode: str, share: float | None) -> None:
    """Turn PROJECT's suggestions off, on, or on for all but a calibration
    share of documents."""
    session = current_session()
    try:
        found = projects.require_project(session, project)
        saved = settings.set_suggestions(session, found, mode, share)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    text = f"Suggestions of {project}: {saved.mode}"
    if saved.mode == SuggestionMode.CALIBRATE:
        text += f", {saved.calibration_share:.0%} of documents without them"
    click.echo(text + ".")
