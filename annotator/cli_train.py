"""``annotator train PROJECT``: train the spancat suggester on the project's
gold layer, register it as the project's model suggester (the annotation
page serves its suggestions), print its held-out figures and where the
model was written. It runs as a training job of this process: the
Suggestions page follows and can cancel it, and one training per project
at a time holds between the command and the web."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from annotator.extensions import current_session
from annotator.models import RegisteredSuggester
from annotator.services import projects, queue_order, training_jobs
from annotator.services.errors import ServiceError
from annotator.services.suggesters import spancat, training
from annotator.services.suggesters.gold import TRAINING_LAYERS


def _models_dir() -> Path:
    return Path(current_app.config["MODEL_DIR"])


def _epoch(done: int, epochs: int, loss: float) -> None:
    click.echo(f"epoch {done}/{epochs}: loss {loss:.3f}", err=True)


@click.command("train")
@click.argument("project")
@click.option(
    "--layer",
    type=click.Choice(list(TRAINING_LAYERS)),
    default="gold",
    show_default=True,
    help="The layer to learn from: gold (adjudicated documents) or majority.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the model into this new or empty folder "
    "(default: instance/models/<project>/<time>-spancat).",
)
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    default=training.DEFAULT_EPOCHS,
    show_default=True,
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of the held-out split and of training.",
)
@with_appcontext
def train_command(
    project: str, layer: str, out: Path | None, epochs: int, seed: int
) -> None:
    """Train a span categorizer on PROJECT's gold layer (needs the ml
    extra); print its per-label figures on the held-out documents. The
    training shows on the project's Suggestions page, which can cancel it;
    no other training of the project runs beside it."""
    session = current_session()
    try:
        found = projects.require_project(session, project)
        folder = out or training.default_model_folder(
            _models_dir(), found, datetime.now(UTC)
        )
        trained = training_jobs.train_here(
            session,
            found,
            folder,
            training_jobs.job_options(layer, epochs, seed),
            echo=_epoch,
        )
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    report = trained.report
    click.echo(figures(report))
    click.echo(
        f"Registered as {found.name}'s suggester {spancat.NAME} {report.version}."
    )
    click.echo(_scored(queue_order.queue_state(session, found), trained.registered))
    click.echo(f"Model {report.version} written to {report.path}")


def _scored(state: queue_order.QueueState, registered: RegisteredSuggester) -> str:
    """What the registration's scoring did, for the uncertainty queue order."""
    if registered.last_error:
        return f"Queue order by uncertainty: {registered.last_error}."
    return (
        f"Scored {state.scored} documents for the uncertainty queue order "
        f"({state.with_proposals} with proposals); the queue order is "
        f"{state.order}."
    )


def figures(report: spancat.TrainReport) -> str:
    """The held-out figures as a table, with what training counted."""
    counts = report.counts
    lines = [
        f"Trained on {counts.documents_train} documents ({counts.spans_train} "
        f"spans), scored on {counts.documents_held_out} held-out documents "
        f"({counts.spans_held_out} spans) in {report.seconds:.1f} s.",
        f"{'label':<22} {'precision':>9} {'recall':>7} {'F1':>6} {'gold':>5}",
    ]
    for label, score in report.scores.items():
        lines.append(
            f"{label:<22} {score.precision:>9.3f} {score.recall:>7.3f} "
            f"{score.f1:>6.3f} {score.gold:>5}"
        )
    lines.append(
        f"Gold spans widened to whole tokens: {counts.spans_expanded}; left out: "
        f"{counts.spans_skipped} whitespace only, {counts.spans_other_label} of "
        f"other labels; {counts.spans_too_long} longer than "
        f"{spancat.MAX_NGRAM} tokens (never proposed)."
    )
    return "\n".join(lines)
