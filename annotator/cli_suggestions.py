"""``annotator set-suggestions PROJECT --mode off|on|calibrate [--share 0.1]``:
the same setting a project admin changes on the web."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from annotator.core.suggestions import SuggesterError
from annotator.extensions import current_session
from annotator.models import SuggesterKind, SuggestionMode
from annotator.services import projects
from annotator.services.errors import ServiceError
from annotator.services.suggesters import http
from annotator.services.suggestions import settings
from annotator.services.suggestions.registry import register_suggester


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


@click.command("add-suggester")
@click.argument("project")
@click.option(
    "--url", required=True, help="The team's suggester (docs/suggestions.md)."
)
@click.option("--name", default="http", show_default=True)
@click.option("--version", "version", default="1", show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 60.0),
    default=5.0,
    show_default=True,
    help="Seconds the whole exchange may take.",
)
@with_appcontext
def add_suggester_command(
    project: str, url: str, name: str, version: str, timeout: float
) -> None:
    """Serve PROJECT's annotators the suggestions of a team's own HTTP
    service (the contract in docs/suggestions.md), beside the cue rules."""
    session = current_session()
    config = {"url": url, "timeout": timeout}
    try:
        found = projects.require_project(session, project)
        # The same checks the serving code makes, before anything is stored.
        http.from_config(config, found.name, name=name, version=version)
        register_suggester(
            session,
            found,
            kind=SuggesterKind.HTTP,
            name=name,
            version=version,
            config=config,
        )
    except (ServiceError, SuggesterError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{project}: suggestions from {name} {version} at {url}.")
