"""``annotator agreement PROJECT``: the Agreement page's figures as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import click
from flask.cli import with_appcontext

from annotator.core.agreement import EXPLANATIONS, AgreementReport, Estimate
from annotator.core.agreement.results import SCHEMA_VERSION
from annotator.core.agreement.trust import MIN_SPANS, figure_reading, trust_warning
from annotator.core.agreement.weeks import week_start
from annotator.extensions import current_session
from annotator.services import agreement, projects
from annotator.services.errors import ServiceError

UNIT_NAMES = {"char": "characters", "token": "tokens"}
TOP_DOCUMENTS = 10
CODING_NAMES = {
    "krippendorff_alpha": "Krippendorff's alpha",
    "fleiss_kappa": "Fleiss' kappa",
    "percent_agreement": "percent agreement",
}


@click.command("agreement")
@click.argument("project")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help=f"Stable JSON, schema {SCHEMA_VERSION} (docs/agreement.md).",
)
@click.option(
    "--unit",
    type=click.Choice(list(agreement.UNITS)),
    default="char",
    show_default=True,
    help="Units of the coding diagnostics: characters or tokens.",
)
@with_appcontext
def agreement_command(project: str, as_json: bool, unit: str) -> None:
    """Inter-annotator agreement of PROJECT, from submitted annotations."""
    try:
        found = projects.require_project(current_session(), project)
        summary = agreement.project_agreement(current_session(), found, unit)
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2, allow_nan=False))
    else:
        click.echo("\n".join(report_lines(summary)))


# --------------------------------------------------------------------------
# Text output
# --------------------------------------------------------------------------


def number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def interval(estimate: Estimate) -> str:
    if estimate.ci_low is None or estimate.ci_high is None:
        return "n/a"
    return f"[{estimate.ci_low:.3f}, {estimate.ci_high:.3f}]"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart, indented by two."""
    body = [list(headers), *[list(row) for row in rows]]
    widths = [max(len(row[i]) for row in body) for i in range(len(headers))]
    return ["  " + _row(row, widths) for row in body]


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
    return "  ".join(padded).rstrip()


def report_lines(summary: agreement.ProjectAgreement) -> list[str]:
    report = summary.report
    lines = [f"Agreement in {summary.project_name}", *_coverage(summary), ""]
    if summary.warnings:
        lines += ["Warnings:", *[f"  ! {w}" for w in summary.warnings], ""]
    lines += _headline(report)
    lines += _per_label(report)
    lines += _pairs(report)
    lines += _coding(report)
    lines += _confusion(report)
    lines += _documents(summary)
    return lines


def _coverage(summary: agreement.ProjectAgreement) -> list[str]:
    report = summary.report
    names = ", ".join(str(a) for a in report.annotators) or "none"
    return [
        f"Documents compared: {report.n_compared_documents} of "
        f"{summary.n_project_documents} · annotators: {len(report.annotators)} "
        f"({names}) · spans: {report.n_spans} · coding units: "
        f"{UNIT_NAMES[report.unit]}"
    ]


def _headline(report: AgreementReport) -> list[str]:
    figures = report.unitizing
    rows, readings = [], []
    for name, estimate in (
        ("alpha-u", figures.alpha_u.overall),
        ("span F1, exact", figures.f1_exact.overall),
        ("span F1, partial", figures.f1_partial.overall),
    ):
        found = figure_reading(estimate)
        rows.append(
            [
                name,
                number(estimate.value),
                interval(estimate),
                str(found.verdict),
                str(estimate.n_documents),
                str(estimate.n_units),
                str(estimate.n_annotators),
                trust_warning(estimate, MIN_SPANS) or "",
            ]
        )
        readings.append(f"  {name}: {found.text}")
    headers = ["Unitizing (headline)", "value", "95% CI", "verdict", "documents"]
    lines = table([*headers, "spans", "annotators", "note"], rows)
    exact, partial = figures.f1_exact.overall.value, figures.f1_partial.overall.value
    if exact is not None and partial is not None:
        lines.append(f"  boundary gap (partial - exact F1): {partial - exact:.3f}")
    lines += [f"  {EXPLANATIONS[key]}" for key in ("alpha_u", "f1_exact", "f1_partial")]
    lines += [f"  {EXPLANATIONS['verdict']}", *readings]
    return [*lines, "", *_periods(report)]


def _periods(report: AgreementReport) -> list[str]:
    if not report.periods:
        return []
    rows = [
        [
            f"{period.period} ({week_start(period.period):%d %b %Y})",
            str(period.n_documents),
            number(period.alpha_u.value),
            number(period.f1_partial.value),
            str(figure_reading(period.f1_partial).verdict),
        ]
        for period in report.periods
    ]
    headers = ["Week of submission", "documents", "alpha-u", "F1 partial", "verdict"]
    return [*table(headers, rows), f"  {EXPLANATIONS['weeks']}", ""]


def _per_label(report: AgreementReport) -> list[str]:
    figures = report.unitizing
    rows = []
    for label in report.labels:
        alpha = figures.alpha_u.per_label[label]
        exact = figures.f1_exact.per_label[label]
        partial = figures.f1_partial.per_label[label]
        rows.append(
            [
                label,
                number(alpha.value),
                number(exact.value),
                number(partial.value),
                str(partial.n_units),
                trust_warning(partial, MIN_SPANS) or "",
            ]
        )
    headers = ["Per label", "alpha-u", "F1 exact", "F1 partial", "spans", "note"]
    return [*table(headers, rows), ""]


def _pairs(report: AgreementReport) -> list[str]:
    rows = [
        [
            f"{pair.annotators[0]} / {pair.annotators[1]}",
            str(pair.n_documents),
            number(pair.f1_exact.value),
            number(pair.f1_partial.value),
        ]
        for pair in report.unitizing.pairs
    ]
    if not rows:
        return ["Annotator pairs: none compared", ""]
    headers = ["Annotator pairs", "documents", "F1 exact", "F1 partial"]
    return [*table(headers, rows), ""]


def _with_n(estimate: Estimate) -> str:
    if estimate.value is None:
        return f"n/a ({estimate.reason})"
    return f"{estimate.value:.3f} (n={estimate.n_units})"


def _coding(report: AgreementReport) -> list[str]:
    coding = report.coding
    unit = UNIT_NAMES[coding.unit]
    lines = [
        f"Coding diagnostics ({unit}), over all units and over tagged units only:",
        f"  {EXPLANATIONS['tagged_units']}",
    ]
    rows = [
        [
            title,
            _with_n(getattr(coding.overall.all_units, key)),
            _with_n(getattr(coding.overall.tagged_units, key)),
        ]
        for key, title in CODING_NAMES.items()
    ]
    rows += [
        [
            f"Cohen's kappa {pair.annotators[0]} / {pair.annotators[1]}",
            _with_n(pair.all_units),
            _with_n(pair.tagged_units),
        ]
        for pair in coding.cohen_kappa
    ]
    lines += table(["Measure", "all units", "tagged units"], rows)
    if coding.n_multi_label_units:
        lines.append(
            f"  {coding.n_multi_label_units} {unit} carry several labels from one "
            "annotator; their value is that set of labels."
        )
    return [*lines, "", *_coding_per_label(report)]


def _coding_per_label(report: AgreementReport) -> list[str]:
    rows = [
        [
            label,
            _with_n(scores.all_units.krippendorff_alpha),
            _with_n(scores.positive_agreement),
            interval(scores.positive_agreement),
        ]
        for label, scores in report.coding.per_label.items()
    ]
    if not rows:
        return []
    headers = [
        "Per label (present/absent)",
        "alpha, all units",
        "positive specific agreement",
        "95% CI",
    ]
    return [
        *table(headers, rows),
        f"  {EXPLANATIONS['positive_agreement']}",
        "",
    ]


def _confusion(report: AgreementReport) -> list[str]:
    confusion = report.confusion
    if not confusion.rows:
        return []
    rows = [
        [label, *[str(count) for count in counts]]
        for label, counts in zip(confusion.rows, confusion.counts, strict=True)
    ]
    lines = [
        "Label confusion in the review page's groups (row: one annotator's "
        "label; column: another's in the same group, or none):"
    ]
    return [*lines, *table(["", *confusion.columns], rows), ""]


def _documents(summary: agreement.ProjectAgreement) -> list[str]:
    entries = summary.report.documents
    if not entries:
        return []
    rows = [
        [
            f"{entry.n_disagreeing_groups}/{entry.n_groups}",
            number(entry.disagreement),
            number(entry.f1_partial),
            number(entry.f1_exact),
            number(entry.alpha_u),
            str(entry.n_spans),
            f"{summary.documents[int(entry.document_id)].name}"
            + (f" ({entry.reason})" if entry.reason else ""),
        ]
        for entry in entries[:TOP_DOCUMENTS]
    ]
    shown = min(len(entries), TOP_DOCUMENTS)
    title = (
        f"Documents by disagreeing groups, as in the review queue ({shown} of "
        f"{len(entries)}, worst first):"
    )
    headers = [
        "groups differ",
        "disagreement",
        "F1 partial",
        "F1 exact",
        "alpha-u",
        "spans",
        "document",
    ]
    return [title, *table(headers, rows)]
