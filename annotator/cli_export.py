"""``annotator export PROJECT``: write a dataset export and print its folder."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from annotator.core.exports import format_names
from annotator.extensions import current_session
from annotator.services import exports, projects
from annotator.services.errors import ServiceError

#: Exports that fit in one batch finish too fast to need a progress bar.
PROGRESS_MIN_DOCUMENTS = exports.BATCH_SIZE


class BadOptionError(click.ClickException):
    """A usage error shown as one line, with click's usage exit code."""

    exit_code = 2


class OneLineErrorCommand(click.Command):
    """Bad option values end in one ``Error: ...`` line (exit code 2) instead
    of click's usage block, like every other error of the command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise BadOptionError(error.format_message()) from None


class ProgressReporter:
    """The service's progress callback, drawn as a bar on standard error once
    an export is longer than one batch."""

    def __init__(
        self,
        stack: ExitStack,
        label: str = "Exporting documents",
        minimum: int | None = None,
    ) -> None:
        self.stack = stack
        self.label = label
        self.minimum = minimum
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            minimum = PROGRESS_MIN_DOCUMENTS if self.minimum is None else self.minimum
            if total < minimum:
                return
            self.bar = self.stack.enter_context(
                click.progressbar(length=total, label=self.label, file=sys.stderr)
            )
        self.bar.update(done - self.shown)
        self.shown = done


def settings_from_options(
    fmt: str,
    layer: str,
    min_annotators: int | None,
    min_agreement: float | None,
    labels: str | None,
    status: str,
    split: str | None,
    seed: int,
    real_names: bool,
    offsets: str | None = None,
    doccano_shape: str | None = None,
) -> exports.ExportSettings:
    """The command line's choices as the service's settings (ServiceError
    when a value is malformed)."""
    return exports.ExportSettings(
        format=fmt,
        layer=layer,
        min_annotators=min_annotators,
        min_agreement=min_agreement,
        labels=exports.parse_labels(labels) if labels else (),
        status=status,
        split=exports.parse_ratios(split) if split else None,
        seed=seed,
        pseudonymise=not real_names,
        offsets=offsets,
        doccano_shape=doccano_shape,
    )


@click.command("export", cls=OneLineErrorCommand)
@click.argument("project")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(format_names()),
    default="jsonl",
    show_default=True,
    help="Output format (see docs/exports.md).",
)
@click.option(
    "--layer",
    type=click.Choice(list(exports.LAYERS)),
    default="annotators",
    show_default=True,
    help="Every annotator separately, a majority vote, or the gold layer.",
)
@click.option(
    "--min-annotators",
    type=click.IntRange(min=1),
    help="Majority layer: annotators who must draw a span alike "
    "(default: more than half of the project's annotators per document).",
)
@click.option(
    "--min-agreement",
    type=click.FloatRange(max=1.0),
    help="Leave out documents whose agreement (alpha-u) is below this.",
)
@click.option("--labels", metavar="L,...", help="Labels to include (default: all).")
@click.option(
    "--status",
    type=click.Choice(list(exports.STATUSES)),
    default="submitted",
    show_default=True,
    help="Which annotations count: submitted ones, or adjudicated (gold).",
)
@click.option(
    "--split",
    metavar="TRAIN,DEV,TEST",
    help="Ratios of a deterministic train/dev/test split, e.g. 0.8,0.1,0.1.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the split."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write into this new or empty folder instead of exports/<project>/.",
)
@click.option(
    "--real-names",
    is_flag=True,
    help="Write annotators' usernames instead of annotator-1, annotator-2, ...",
)
@click.option(
    "--offsets",
    type=click.Choice(["codepoints", "utf16"]),
    help="doccano only: UTF-16 code units (default, as doccano's page counts) "
    "or code points; the manifest says which.",
)
@click.option(
    "--doccano-shape",
    type=click.Choice(["auto", "label", "relations"]),
    help="doccano only: 'label' for a sequence-labelling project (links "
    "dropped and counted), 'relations' for a relation-extraction project "
    "(entities and relations); auto (default): relations when the project has "
    "links. Every line has the same shape.",
)
@with_appcontext
def export_command(
    project: str,
    fmt: str,
    layer: str,
    min_annotators: int | None,
    min_agreement: float | None,
    labels: str | None,
    status: str,
    split: str | None,
    seed: int,
    out: Path | None,
    real_names: bool,
    offsets: str | None,
    doccano_shape: str | None,
) -> None:
    """Export PROJECT's annotations; prints the folder written."""
    export_dir = Path(current_app.config["EXPORT_DIR"])
    try:
        found = projects.require_project(current_session(), project)
        settings = settings_from_options(
            fmt,
            layer,
            min_annotators,
            min_agreement,
            labels,
            status,
            split,
            seed,
            real_names,
            offsets,
            doccano_shape,
        )
        with ExitStack() as stack:
            result = exports.write_export(
                current_session(),
                found,
                settings,
                export_dir,
                out_dir=out,
                progress=ProgressReporter(stack),
            )
    except (ServiceError, OSError) as error:
        raise click.ClickException(_one_line(error)) from None
    click.echo(_summary(result.manifest), err=True)
    click.echo(str(result.folder))


def _one_line(error: Exception) -> str:
    message = str(error)
    return message.splitlines()[0] if message else type(error).__name__


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in counts.items()) or "none"


def _summary(manifest: dict[str, Any]) -> str:
    """What was written and what was left out, spans and links apart, each by
    reason."""
    counts = manifest["counts"]
    documents = manifest["documents"]
    records = ""
    if documents["records"] != documents["exported"]:
        records = f" ({documents['records']} records)"
    line = (
        f"Exported {documents['exported']} of {documents['in_project']} documents"
        f"{records}, {sum(counts['spans'].values())} spans, {counts['links']} links."
        f" Spans dropped: {_reasons(counts['dropped'])}."
        f" Links dropped: {_reasons(counts['links_dropped'])}."
    )
    if counts["cut_in_pieces"]:
        line += f" Spans cut in pieces: {_reasons(counts['cut_in_pieces'])}."
    return line
