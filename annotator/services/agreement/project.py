"""A project's agreement report: the documents counted, their submitted
spans, the figures (:func:`annotator.core.agreement.agreement_report`) and
the warnings, built once per version of the submitted work and per set of
documents the viewer may not see (:mod:`.cache`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from annotator.core.agreement import (
    AgreementReport,
    DocumentAnnotations,
    agreement_report,
)
from annotator.core.agreement.results import Unit
from annotator.core.agreement.trust import report_warnings
from annotator.core.agreement.weeks import week_of
from annotator.models import Project, User
from annotator.services import blind, submitted
from annotator.services.agreement import cache, coverage, reading
from annotator.services.agreement.summary import ProjectAgreement
from annotator.services.errors import ServiceError, rolls_back

UNITS: tuple[Unit, ...] = ("char", "token")
#: The bootstrap's seed: the same data always gives the same intervals.
SEED = 0


def _check_unit(unit: str) -> Unit:
    if unit not in UNITS:
        raise ServiceError(f"unit {unit!r}: one of {', '.join(UNITS)}")
    return unit


def project_labels(project: Project, labels: Sequence[str] | None) -> tuple[str, ...]:
    """The labels to report on: the project's, in its order, or those asked."""
    known = [label.name for label in project.labels]
    if labels is None:
        return tuple(known)
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise ServiceError(
            f"unknown label {unknown[0]!r} (this project has: {', '.join(known)})"
        )
    return tuple(dict.fromkeys(labels))


def compared_annotations(
    session: Session, project: Project, viewer: User | None = None
) -> list[DocumentAnnotations]:
    """The documents the agreement figures count (the same rule as
    :func:`project_agreement`, without those ``viewer`` has open), each with
    its submitted annotators' spans by username; code points."""
    hidden = frozenset[int]()
    if viewer is not None:
        hidden = blind.open_to(session, project, viewer)
    refs = reading.document_refs(session, project)
    work = submitted.project_work(session, project)
    left_out = coverage.left_out(refs, work, hidden)
    counted = [doc_id for doc_id in refs if doc_id not in left_out]
    return reading.document_annotations(session, project, "char", work, counted)


def _build(
    session: Session,
    project: Project,
    unit: Unit,
    labels: tuple[str, ...],
    hidden: frozenset[int],
) -> ProjectAgreement:
    refs = reading.document_refs(session, project)
    work = submitted.project_work(session, project)
    left_out = coverage.left_out(refs, work, hidden)
    counted = [doc_id for doc_id in refs if doc_id not in left_out]
    documents = reading.document_annotations(session, project, unit, work, counted)
    times = submitted.submission_times(session, project)
    weeks = [week_of(times[doc_id]) for doc_id in counted]
    report = agreement_report(
        documents, unit=unit, labels=labels, seed=SEED, periods=weeks
    )
    reasons = coverage.reason_counts(left_out, work.needed)
    warnings = report_warnings(report, len(refs), reasons, work.needed)
    waiting = work.waiting_message()
    return ProjectAgreement(
        project_id=project.id,
        project_name=project.name,
        report=report,
        n_project_documents=len(refs),
        left_out=reasons,
        documents={doc_id: refs[doc_id] for doc_id in counted},
        warnings=(*warnings, waiting) if waiting else warnings,
        annotators_per_document=work.needed,
        annotators_who_can_annotate=work.eligible,
    )


@rolls_back
def project_agreement(
    session: Session,
    project: Project,
    unit: str = "char",
    labels: Sequence[str] | None = None,
    viewer: User | None = None,
) -> ProjectAgreement:
    """The agreement report of ``project`` with its coverage and warnings,
    without the documents ``viewer`` has open to annotate (None: nobody's
    view, as on the command line); computed once per version of the submitted
    work, unit, label set and set of documents left out for the viewer."""
    checked_unit = _check_unit(unit)
    chosen = project_labels(project, labels)
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    version = submitted.version(session, project)
    hidden = frozenset[int]()
    if viewer is not None:
        hidden = blind.open_to(session, project, viewer)
    key = (database, project.id, checked_unit, chosen, version, hidden)
    found = cache.reports.get(key)
    if found is None:
        found = _build(session, project, checked_unit, chosen, hidden)
        cache.reports.put(key, found)
    return found


def compute_agreement(
    session: Session,
    project: Project,
    unit: str = "char",
    labels: Sequence[str] | None = None,
    viewer: User | None = None,
) -> AgreementReport:
    """Agreement among submitted annotations (offsets in code points; coding
    units ``char`` or ``token``) of complete documents that two or more
    annotators submitted (:func:`project_agreement` says what is left out)."""
    return project_agreement(session, project, unit, labels, viewer).report
