"""``annotator set-queue-order PROJECT --order in-order|random|uncertainty
[--seed N]``: the same setting a project admin changes on the Suggestions
page."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from annotator.core.queue import MAX_SEED, QueueOrder
from annotator.extensions import current_session
from annotator.services import projects, queue_order
from annotator.services.errors import ServiceError


@click.command("set-queue-order")
@click.argument("project")
@click.option(
    "--order",
    required=True,
    type=click.Choice(queue_order.ORDERS),
    help="in-order: by import; random: seeded, the same for the same seed; "
    "uncertainty: what the project's trained model is least sure about first.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    default=None,
    help="Seed of the random order (default: the stored one, or a new draw).",
)
@with_appcontext
def set_queue_order_command(project: str, order: str, seed: int | None) -> None:
    """Choose the order in which PROJECT hands out its documents."""
    session = current_session()
    try:
        found = projects.require_project(session, project)
        state = queue_order.set_queue_order(session, found, order, seed)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    text = f"Queue order of {project}: {state.order}"
    if state.order == QueueOrder.RANDOM:
        text += f" (seed {state.seed})"
    elif state.order == QueueOrder.UNCERTAINTY and state.model is not None:
        text += (
            f" (model {state.model[0]} {state.model[1]}: {state.with_proposals} "
            f"of {state.scored} scored documents with proposals)"
        )
    click.echo(text + ".")
