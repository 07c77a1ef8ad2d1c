"""``annotator import PROJECT FILE...``: documents and annotations from this
project's files or another tool's export, all or nothing."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from annotator.cli_export import OneLineErrorCommand, ProgressReporter
from annotator.extensions import current_session, db
from annotator.services import importing, projects
from annotator.services.documents import ImportRefused
from annotator.services.errors import ServiceError

#: Imports of fewer documents finish too fast to need a progress bar.
PROGRESS_MIN_DOCUMENTS = 2000
#: Offset decisions listed one by one; the rest are counted.
SHOWN_CONVERSIONS = 20


@click.command("import", cls=OneLineErrorCommand)
@click.argument("project")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option(
    "--from",
    "source_format",
    type=click.Choice((*importing.SOURCE_FORMATS, importing.DETECT)),
    default="native",
    show_default=True,
    help="The tool that wrote the files (see docs/import.md); detect: the one "
    "format the files look like.",
)
@click.option(
    "--annotator-map",
    metavar="SRC=USER,...",
    help="Store SRC's annotations under USER (a project member or a new name).",
)
@click.option(
    "--label-map",
    metavar="SRC=LABEL,...",
    help="Read the tool's label (or relation type) SRC as LABEL (or link kind).",
)
@click.option(
    "--offsets",
    type=click.Choice(importing.OFFSET_MODES),
    help="How the tool counted offsets (default: auto for doccano and Label "
    "Studio, codepoints otherwise).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print what would be stored; store nothing."
)
@click.option(
    "--split",
    type=click.Choice(["paragraphs"]),
    help="paragraphs: one document per non-empty line of a .txt file.",
)
@with_appcontext
def import_command(
    project: str,
    files: tuple[Path, ...],
    source_format: str,
    annotator_map: str | None,
    label_map: str | None,
    offsets: str | None,
    dry_run: bool,
    split: str | None,
) -> None:
    """Import FILES (or folders of them) into PROJECT, all or nothing."""
    limit = int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    session = current_session()
    try:
        options = importing.ImportOptions(
            source_format=source_format,
            offsets=_offset_mode(offsets),
            annotator_map=importing.parse_mapping(annotator_map, "--annotator-map"),
            label_map=importing.parse_mapping(label_map, "--label-map"),
            split_paragraphs=split == "paragraphs",
        )
        found = projects.require_project(session, project)
        loaded = [(name, _read_limited(path, limit)) for name, path in _listed(files)]
        if dry_run:
            shown = importing.preview(session, found, loaded, options, max_bytes=limit)
            session.rollback()
            click.echo(_preview_text(shown))
            return
        with ExitStack() as stack:
            outcome = importing.import_files(
                session,
                found,
                loaded,
                options,
                max_bytes=limit,
                progress=ProgressReporter(
                    stack, "Importing documents", PROGRESS_MIN_DOCUMENTS
                ),
            )
    except ImportRefused as error:
        db.session.rollback()
        for problem in error.problems[1:]:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(error.problems[0]) from None
    except (ServiceError, OSError) as error:
        db.session.rollback()
        raise click.ClickException(str(error).splitlines()[0]) from None
    _echo_report(outcome.report)
    result = outcome.result
    click.echo(
        f"Imported {result.added} documents into {project} "
        f"({result.skipped} skipped as duplicates, {result.spans} spans)."
    )


def _offset_mode(value: str | None) -> importing.OffsetMode | None:
    for mode in importing.OFFSET_MODES:
        if value == mode:
            return mode
    return None


def _listed(paths: tuple[Path, ...]) -> list[tuple[str, Path]]:
    """Files by the name the parsers see: a file's own name, or for a folder
    each file under it by its path from the folder's parent (brat's
    ``alice/doc1.ann`` names the annotator alice)."""
    listed = []
    for path in paths:
        if not path.is_dir():
            listed.append((path.name, path))
            continue
        for inner in sorted(p for p in path.rglob("*") if p.is_file()):
            if not inner.name.startswith("."):
                listed.append((inner.relative_to(path.parent).as_posix(), inner))
    return listed


def _read_limited(path: Path, limit: int) -> bytes:
    """Read at most one byte past ``limit`` so the parser can name the file."""
    with path.open("rb") as handle:
        return handle.read(limit + 1)


def _echo_report(report: importing.ImportReport) -> None:
    for line in _report_lines(report):
        click.echo(line, err=True)


def _report_lines(report: importing.ImportReport, mode: str = "") -> list[str]:
    lines = []
    if report.offsets:
        counts = ", ".join(f"{units}: {n}" for units, n in report.offsets.items())
        chosen = f" (--offsets {mode})" if mode else ""
        lines.append(f"Offsets{chosen}: documents read as {counts}.")
    conversions = report.conversions[:SHOWN_CONVERSIONS]
    if len(report.conversions) > SHOWN_CONVERSIONS:
        more = len(report.conversions) - SHOWN_CONVERSIONS
        conversions.append(f"... and {more} more documents")
    for title, items in (
        ("Conversions", conversions),
        ("Skipped", [f"{n} {what}" for what, n in sorted(report.skipped.items())]),
        ("Warnings", report.warnings),
    ):
        if items:
            lines.append(f"{title}:")
            lines += [f"  {item}" for item in items]
    return lines


def _preview_text(shown: importing.ImportPreview) -> str:
    lines = [
        "Dry run: nothing was stored.",
        *(f"Detected {line}" for line in shown.detected),
        f"Documents: {shown.documents} read, {shown.new_documents} new, "
        f"{shown.already_stored} already stored.",
        f"Spans: {sum(shown.spans.values())}; links: {shown.links}.",
    ]
    by_annotator: dict[str, list[str]] = {}
    for (annotator, label), count in shown.spans.items():
        by_annotator.setdefault(annotator, []).append(f"{label} {count}")
    for annotator, status in shown.annotators.items():
        counts = ", ".join(by_annotator.get(annotator, [])) or "no spans"
        lines.append(f"  {annotator} ({status}): {counts}")
    return "\n".join(lines + _report_lines(shown.report, shown.offsets))
