"""``annotator suggestion-effect PROJECT [--json]``: the figures of the
project's Suggestions page, its effect sub-page, as text or JSON."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from annotator.cli_agreement import number, table
from annotator.core.suggestions.effect import (
    MEASURE_NAME,
    AgreementEffect,
    EffectReport,
    Rate,
    SuggesterEffect,
)
from annotator.extensions import current_session
from annotator.services import projects
from annotator.services.errors import ServiceError
from annotator.services.suggestions.effect import suggestion_effect


@click.command("suggestion-effect")
@click.argument("project")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="The JSON of GET /api/v1/projects/<id>/suggestions/effect.",
)
@with_appcontext
def suggestion_effect_command(project: str, as_json: bool) -> None:
    """How much suggestions steer PROJECT's annotators: each suggester
    against gold, each annotator's acceptance and corrections, and agreement
    with and without suggestions."""
    session = current_session()
    try:
        found = projects.require_project(session, project)
        report = suggestion_effect(session, found)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        click.echo("\n".join(report_lines(report)))


def rate(found: Rate) -> str:
    if found.value is None:
        return "n/a (none)"
    return f"{number(found.value)} ({found.count} of {found.total})"


def _figure(value: float, denominator: int) -> str:
    return number(value) if denominator else "n/a"


def _agreement_lines(found: AgreementEffect) -> list[str]:
    rows = []
    for group in (found.with_suggestions, found.calibration):
        estimate = group.estimate
        interval = (
            "n/a"
            if estimate.ci_low is None or estimate.ci_high is None
            else f"[{number(estimate.ci_low)}, {number(estimate.ci_high)}]"
        )
        rows.append(
            [
                group.name,
                str(group.n_documents),
                str(estimate.n_documents),
                number(estimate.value),
                interval,
                str(estimate.n_units),
                f"no: too small ({group.too_small})" if group.too_small else "yes",
            ]
        )
    headers = ["Documents", "In group", "Compared", "alpha-u", "Interval"]
    return [
        f"Agreement with and without suggestions ({MEASURE_NAME}, "
        f"{found.confidence:.0%} interval)",
        *table([*headers, "Spans", "Can be compared"], rows),
        f"  {found.summary()}",
        *(
            f"  {note}"
            for note in (
                found.mixed_note,
                found.unknown_note,
                found.none_proposed_note,
            )
            if note
        ),
    ]


def _suggester_lines(found: SuggesterEffect) -> list[str]:
    rows = []
    named = [*found.per_label.items(), ("All labels", found.overall)]
    for label, score in named:
        rows.append(
            [
                label,
                str(score.gold),
                str(score.predicted),
                str(score.correct),
                _figure(score.precision, score.predicted),
                _figure(score.recall, score.gold),
                _figure(score.f1, score.predicted and score.gold),
            ]
        )
    title = f"  {found.name}, version {found.version or 'n/a'}"
    if found.error:
        title += f" (last error: {found.error})"
    headers = ["Label", "Gold", "Proposed", "Right", "Precision", "Recall", "F1"]
    return [title, *("  " + line for line in table(headers, rows))]


def report_lines(report: EffectReport) -> list[str]:
    """The report as the command prints it."""
    setting = report.mode
    if report.mode == "calibrate":
        setting += f", {report.calibration_share:.0%} of documents without them"
    lines = [f"Suggestion effect in {report.project_name} ({setting})", ""]
    lines += _agreement_lines(report.agreement)
    if report.setting_note:
        lines.append(f"  {report.setting_note}")
    lines.append("")
    if report.suggesters:
        lines.append(
            f"Suggesters against gold ({report.n_gold_documents} adjudicated "
            "documents, exact spans)"
        )
        for found in report.suggesters:
            lines += _suggester_lines(found)
    else:
        lines.append("Suggesters against gold: no adjudicated documents yet.")
    lines.append("")
    if not report.annotators:
        lines.append("Annotators: nobody has accepted or rejected a suggestion yet.")
        return lines
    rows = [
        [
            person.annotator,
            str(person.accepted),
            str(person.rejected),
            rate(person.acceptance),
            str(person.corrected.total),
            str(person.corrected.count),
            rate(person.corrected),
        ]
        for person in report.annotators
    ]
    headers = ["Annotator", "Accepted", "Rejected", "Acceptance"]
    lines.append("Annotators (corrected: accepted spans not in gold)")
    lines += table([*headers, "On gold", "Corrected", "Correction rate"], rows)
    return lines
