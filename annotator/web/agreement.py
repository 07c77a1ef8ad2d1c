"""The project's Agreement page and the side-by-side view of one document."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from flask import Blueprint, abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.agreement import EXPLANATIONS, AgreementReport, Estimate
from annotator.core.agreement.results import PairF1
from annotator.core.agreement.trust import (
    MIN_DOCUMENTS,
    MIN_SPANS,
    figure_reading,
    trust_warning,
)
from annotator.core.agreement.weeks import week_start
from annotator.core.diff import GROUP_KIND_TEXT, GroupKind
from annotator.extensions import current_session
from annotator.models import Project, Role, User
from annotator.services import agreement as agreement_service
from annotator.services.documents import find_document
from annotator.services.errors import NotFoundError
from annotator.services.member_progress import member_progress
from annotator.web.charts import SERIES, interval_chart, week_chart
from annotator.web.security import refuse_while_annotating, require_membership

blueprint = Blueprint("agreement", __name__)

#: Documents listed on the page unless ``?documents=all``.
DOCUMENT_LIMIT = 100
#: Heatmap and label classes in static/css/agreement.css.
BUCKETS = 10
LABEL_CLASSES = 10
#: Excerpts of a disagreement longer than this are cut in the middle.
EXCERPT_LIMIT = 240
#: What ``?format=`` the Agreement page answers in.
FORMATS = ("html", "json")


def heat_class(value: float | None) -> str:
    """CSS class of an agreement value in [0, 1]: ten buckets, one for below
    zero, one for undefined."""
    if value is None or math.isnan(value):
        return "heat-na"
    if value < 0:
        return "heat-neg"
    return f"heat-{min(BUCKETS - 1, int(value * BUCKETS))}"


def shade_class(count: int, total: int) -> str:
    """CSS class for a count as a share of its row (confusion matrix)."""
    if total <= 0 or count <= 0:
        return "shade-0"
    return f"shade-{max(1, min(BUCKETS - 1, int(count / total * BUCKETS)))}"


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def excerpt(text: str, start: int, end: int) -> str:
    """``text[start:end]`` (code points), cut in the middle when long."""
    if end - start <= EXCERPT_LIMIT:
        return text[start:end]
    half = EXCERPT_LIMIT // 2
    return f"{text[start : start + half]} … {text[end - half : end]}"


@dataclass(frozen=True, slots=True)
class PairCell:
    pair: PairF1 | None
    diagonal: bool


def pair_matrix(report: AgreementReport) -> list[tuple[Any, list[PairCell]]]:
    """Annotator x annotator cells of the pairwise span F1 (symmetric)."""
    found: dict[frozenset[Any], PairF1] = {
        frozenset(pair.annotators): pair for pair in report.unitizing.pairs
    }
    return [
        (
            row,
            [
                PairCell(found.get(frozenset((row, column))), row == column)
                for column in report.annotators
            ],
        )
        for row in report.annotators
    ]


def label_classes(labels: Sequence[str]) -> Mapping[str, str]:
    """A label's CSS class, by its position in the project (ten colours)."""
    return {label: f"lbl-{i % LABEL_CLASSES}" for i, label in enumerate(labels)}


@blueprint.context_processor
def helpers() -> dict[str, Any]:
    return {
        "explain": EXPLANATIONS,
        "heat_class": heat_class,
        "shade_class": shade_class,
        "number": number,
        "plural": plural,
        "trust": trust_warning,
        "reading_of": figure_reading,
        "week_start": week_start,
        "MIN_DOCUMENTS": MIN_DOCUMENTS,
        "MIN_SPANS": MIN_SPANS,
        "kind_text": GROUP_KIND_TEXT,
    }


def _viewer() -> User:
    return cast(User, current_user._get_current_object())


def _unit() -> str:
    unit = request.args.get("unit", "char")
    if unit not in agreement_service.UNITS:
        known = ", ".join(agreement_service.UNITS)
        abort(400, description=f"unit {unit!r}: one of {known}")
    return unit


def _format() -> str:
    found = request.args.get("format", "html")
    if found not in FORMATS:
        abort(400, description=f"format {found!r}: one of {', '.join(FORMATS)}")
    return found


@blueprint.route("/projects/<int:project_id>/agreement")
@require_membership(Role.REVIEWER)
def overview(project: Project) -> ResponseReturnValue:
    """The page; ``?format=json``: the JSON of ``annotator agreement --json``
    (as ``/api/v1/projects/<id>/agreement``)."""
    unit = _unit()
    as_json = _format() == "json"
    summary = agreement_service.project_agreement(
        current_session(), project, unit, viewer=_viewer()
    )
    if as_json:
        return jsonify(summary.to_dict())
    show_all = request.args.get("documents") == "all"
    report = summary.report
    documents = report.documents
    figures = report.unitizing
    per_label = [
        (label, [figures.alpha_u.per_label[label], figures.f1_partial.per_label[label]])
        for label in report.labels
    ]
    return render_template(
        "agreement/project.html",
        project=project,
        summary=summary,
        report=report,
        unit=unit,
        documents=documents if show_all else documents[:DOCUMENT_LIMIT],
        matrix=pair_matrix(report),
        headline=_headline(report),
        readings=summary.readings(),
        label_chart=interval_chart(per_label) if per_label else None,
        week_chart=week_chart(report.periods, MIN_DOCUMENTS),
        series=SERIES,
        progress=member_progress(current_session(), project),
    )


def _headline(report: AgreementReport) -> list[tuple[str, str, Estimate]]:
    figures = report.unitizing
    return [
        ("alpha_u", "Unitizing alpha (\u03b1u)", figures.alpha_u.overall),
        ("f1_exact", "Span F1, exact", figures.f1_exact.overall),
        ("f1_partial", "Span F1, partial", figures.f1_partial.overall),
    ]


@blueprint.route("/projects/<int:project_id>/agreement/documents/<int:document_id>")
@require_membership(Role.REVIEWER)
def document(project: Project, document_id: int) -> ResponseReturnValue:
    session = current_session()
    try:
        found = find_document(session, project, document_id)
    except NotFoundError:
        abort(404)
    refuse_while_annotating(found.id)
    comparison = agreement_service.document_comparison(
        session, project, found, show_names=request.args.get("names") == "shown"
    )
    summary = agreement_service.project_agreement(session, project, viewer=_viewer())
    return render_template(
        "agreement/document.html",
        project=project,
        comparison=comparison,
        figures=summary.document(found.id),
        classes=label_classes(comparison.labels),
        kinds=list(GroupKind),
        excerpt=excerpt,
    )
