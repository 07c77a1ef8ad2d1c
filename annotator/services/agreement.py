"""Inter-annotator agreement of a project, from submitted work only.

A document counts when it is complete (:mod:`annotator.services.submitted`:
the project's ``annotators_per_document`` have submitted it) and at least two
annotators submitted it; the spans of annotators still working on it are left
out, so that figures never move while someone is half-way through, and so are
the documents the viewer has open to annotate (blind annotation). Annotators
are named by username, documents by their database id. Reports are cached per
version of the submitted work (:func:`annotator.services.submitted.version`)
and per set of documents the viewer may not see: a page view costs a few
cheap queries until someone changes a span or an assignment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.core.adjudication import alias
from annotator.core.agreement import (
    AgreementReport,
    DocumentAnnotations,
    Estimate,
    agreement_report,
)
from annotator.core.agreement.report import DocumentDisagreement
from annotator.core.agreement.verdict import (
    RELIABLE,
    SCALE_SOURCE,
    TENTATIVE,
    Reading,
    reading,
)
from annotator.core.diff import (
    Group,
    GroupKind,
    Segment,
    SpanTriple,
    align,
    count_kinds,
    segments,
)
from annotator.models import Document, Label, Project, User
from annotator.models import Span as SpanRow
from annotator.services import blind, submitted
from annotator.services.errors import NotFoundError, ServiceError, rolls_back

Unit = Literal["char", "token"]
UNITS: tuple[Unit, ...] = ("char", "token")
#: Fewer compared documents than this: figures and intervals are not trusted.
MIN_DOCUMENTS = 5
#: Fewer spans than this behind a unitizing figure: it is not trusted.
MIN_SPANS = 10
#: The bootstrap's seed: the same data always gives the same intervals.
SEED = 0
CACHE_SIZE = 32

REASON_NOT_SUBMITTED = "no annotator has submitted it"
REASON_ONE_SUBMITTED = "only one annotator has submitted it"
REASON_VIEWER_OPEN = "you have it open to annotate"


def reason_fewer(needed: int) -> str:
    """The left-out reason of a document fewer than ``needed`` submitted."""
    return f"fewer annotators have submitted it than the project needs ({needed})"


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: int
    external_id: str
    title: str

    @property
    def name(self) -> str:
        return self.title or self.external_id


@dataclass(frozen=True, slots=True)
class ProjectAgreement:
    """A project's report with what it left out and the warnings to show."""

    project_id: int
    project_name: str
    report: AgreementReport
    n_project_documents: int
    left_out: Mapping[str, int]  # reason -> number of documents
    documents: Mapping[int, DocumentRef]  # the documents the report counts
    warnings: tuple[str, ...]
    annotators_per_document: int
    annotators_who_can_annotate: int

    @property
    def n_left_out(self) -> int:
        return sum(self.left_out.values())

    def headline(self) -> dict[str, Estimate]:
        """The three headline figures by key (``alpha_u``, ``f1_exact``,
        ``f1_partial``)."""
        figures = self.report.unitizing
        return {key: getattr(figures, key).overall for key in HEADLINE_NAMES}

    def readings(self) -> dict[str, Reading]:
        """Each headline figure's verdict and one-line reading."""
        return {key: figure_reading(found) for key, found in self.headline().items()}

    def document(self, document_id: int) -> DocumentDisagreement | None:
        """The report's entry for a document, None if it was left out."""
        for entry in self.report.documents:
            if entry.document_id == document_id:
                return entry
        return None

    def to_dict(self) -> dict[str, Any]:
        """The report's ``to_dict()`` plus ``project``, ``coverage`` and
        ``warnings``; each document entry also has ``external_id`` and
        ``title`` (documented in docs/agreement.md)."""
        data = self.report.to_dict()
        for entry in data["documents"]:
            ref = self.documents[entry["document_id"]]
            entry["external_id"], entry["title"] = ref.external_id, ref.title
        coverage = {
            "n_documents": self.n_project_documents,
            "n_compared_documents": self.report.n_compared_documents,
            "annotators_per_document": self.annotators_per_document,
            "annotators_who_can_annotate": self.annotators_who_can_annotate,
            "left_out": [
                {"reason": reason, "n_documents": count}
                for reason, count in self.left_out.items()
            ],
        }
        project = {"id": self.project_id, "name": self.project_name}
        return {
            "project": project,
            "coverage": coverage,
            "warnings": list(self.warnings),
            **data,
            "verdicts": self._verdicts(),
        }

    def _verdicts(self) -> dict[str, Any]:
        figures = self.report.unitizing
        return {
            "scale": {
                "reliable": RELIABLE,
                "tentative": TENTATIVE,
                "source": SCALE_SOURCE,
            },
            "headline": {
                key: found.to_dict() for key, found in self.readings().items()
            },
            "per_label": {
                label: {
                    key: figure_reading(
                        getattr(figures, key).per_label[label]
                    ).to_dict()
                    for key in HEADLINE_NAMES
                }
                for label in self.report.labels
            },
        }


# --------------------------------------------------------------------------
# Reading submitted work
# --------------------------------------------------------------------------


def _submitted_spans(
    session: Session, project: Project, document_id: int | None = None
) -> dict[int, dict[str, list[SpanTriple]]]:
    """Document id -> username -> spans, for submitted work only."""
    query = (
        select(SpanRow.document_id, User.username, SpanRow.start, SpanRow.end)
        .add_columns(Label.name)
        .join(Document, Document.id == SpanRow.document_id)
        .join(User, User.id == SpanRow.annotator_id)
        .join(Label, Label.id == SpanRow.label_id)
        .where(
            Document.project_id == project.id,
            submitted.submitted_assignment(SpanRow.document_id, SpanRow.annotator_id),
        )
        .order_by(SpanRow.document_id, SpanRow.start, SpanRow.end)
    )
    if document_id is not None:
        query = query.where(SpanRow.document_id == document_id)
    result: dict[int, dict[str, list[SpanTriple]]] = {}
    for doc_id, username, start, end, label in session.execute(query):
        result.setdefault(doc_id, {}).setdefault(username, []).append(
            (start, end, label)
        )
    return result


def _document_refs(session: Session, project: Project) -> dict[int, DocumentRef]:
    rows = session.execute(
        select(Document.id, Document.external_id, Document.title)
        .where(Document.project_id == project.id)
        .order_by(Document.id)
    )
    return {row.id: DocumentRef(row.id, row.external_id, row.title) for row in rows}


def _lengths_and_texts(
    session: Session, project: Project, unit: Unit
) -> dict[int, tuple[int, str | None]]:
    """Document id -> (length in code points, text); the text is read only
    for token units, which need it."""
    where = Document.project_id == project.id
    if unit == "token":
        rows = session.execute(
            select(Document.id, Document.text_length, Document.text).where(where)
        )
        return {doc_id: (length, text) for doc_id, length, text in rows}
    lengths = session.execute(select(Document.id, Document.text_length).where(where))
    return {doc_id: (length, None) for doc_id, length in lengths}


# --------------------------------------------------------------------------
# The project's report
# --------------------------------------------------------------------------


def week_of(moment: datetime) -> str:
    """The ISO week of a moment (UTC), as ``2026-W09``: the period of the
    agreement per week (a document falls in the week of its latest
    submission, when it became comparable)."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday of an ISO week written as :func:`week_of` writes it."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


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


def left_out_reason(
    work: submitted.DocumentWork, needed: int, hidden: bool = False
) -> str | None:
    """Why a document is not in the figures (None: it is): nobody or too few
    submitted it, only one did, or the viewer has it open (``hidden``)."""
    found = len(work.submitted)
    if found == 0:
        return REASON_NOT_SUBMITTED
    if not work.is_complete(needed):
        return reason_fewer(needed)
    if found == 1:
        return REASON_ONE_SUBMITTED
    return REASON_VIEWER_OPEN if hidden else None


def _left_out(
    refs: Mapping[int, DocumentRef],
    work: submitted.ProjectWork,
    hidden: frozenset[int],
) -> dict[int, str]:
    """Document id -> why it is left out, for the documents left out."""
    reasons = {
        doc_id: left_out_reason(work.of(doc_id), work.needed, doc_id in hidden)
        for doc_id in refs
    }
    return {doc_id: reason for doc_id, reason in reasons.items() if reason}


def _reason_counts(left_out: Mapping[int, str], needed: int) -> dict[str, int]:
    """Reason -> documents, in a fixed order (reasons with none left out)."""
    order = [REASON_NOT_SUBMITTED, reason_fewer(needed), REASON_ONE_SUBMITTED]
    counts = dict.fromkeys([*order, REASON_VIEWER_OPEN], 0)
    for reason in left_out.values():
        counts[reason] += 1
    return {reason: count for reason, count in counts.items() if count}


def _annotations(
    session: Session,
    project: Project,
    unit: Unit,
    work: submitted.ProjectWork,
    counted: Sequence[int],
) -> list[DocumentAnnotations]:
    """The counted documents with each submitted annotator's spans."""
    spans = _submitted_spans(session, project)
    texts = _lengths_and_texts(session, project, unit)
    return [
        DocumentAnnotations(
            document_id=doc_id,
            annotations={
                name: spans.get(doc_id, {}).get(name, [])
                for name in work.of(doc_id).usernames
            },
            text=texts[doc_id][1],
            text_length=texts[doc_id][0],
        )
        for doc_id in counted
    ]


def compared_annotations(
    session: Session, project: Project, viewer: User | None = None
) -> list[DocumentAnnotations]:
    """The documents the agreement figures count (the same rule as
    :func:`project_agreement`, without those ``viewer`` has open), each with
    its submitted annotators' spans by username; code points."""
    hidden = frozenset[int]()
    if viewer is not None:
        hidden = blind.open_to(session, project, viewer)
    refs = _document_refs(session, project)
    work = submitted.project_work(session, project)
    left_out = _left_out(refs, work, hidden)
    counted = [doc_id for doc_id in refs if doc_id not in left_out]
    return _annotations(session, project, "char", work, counted)


def _build(
    session: Session,
    project: Project,
    unit: Unit,
    labels: tuple[str, ...],
    hidden: frozenset[int],
) -> ProjectAgreement:
    refs = _document_refs(session, project)
    work = submitted.project_work(session, project)
    left_out = _left_out(refs, work, hidden)
    counted = [doc_id for doc_id in refs if doc_id not in left_out]
    documents = _annotations(session, project, unit, work, counted)
    times = submitted.submission_times(session, project)
    weeks = [week_of(times[doc_id]) for doc_id in counted]
    report = agreement_report(
        documents, unit=unit, labels=labels, seed=SEED, periods=weeks
    )
    reasons = _reason_counts(left_out, work.needed)
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


class _Cache:
    """A small LRU of reports, shared by the threads of one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, ProjectAgreement] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> ProjectAgreement | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: ProjectAgreement) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_cache = _Cache(CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached report (tests; never needed for correctness)."""
    _cache.clear()


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
    found = _cache.get(key)
    if found is None:
        found = _build(session, project, checked_unit, chosen, hidden)
        _cache.put(key, found)
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


# --------------------------------------------------------------------------
# Warnings shared by the page and the command line
# --------------------------------------------------------------------------

HEADLINE_NAMES = {
    "alpha_u": "Unitizing alpha (alpha-u)",
    "f1_exact": "Exact span F1",
    "f1_partial": "Partial span F1",
}


def figure_reading(estimate: Estimate, min_units: int = MIN_SPANS) -> Reading:
    """The verdict on a unitizing figure (Krippendorff's scale,
    :mod:`annotator.core.agreement.verdict`) and its one-line reading, with
    the warning when the data are too thin to trust."""
    thin = trust_warning(estimate, min_units) if estimate.value is not None else None
    return reading(
        estimate.value, estimate.ci_low, estimate.ci_high, estimate.reason, thin
    )


def trust_warning(estimate: Estimate, min_units: int = 0) -> str | None:
    """Why a figure should not be trusted, or None."""
    if estimate.value is None:
        return f"not defined: {estimate.reason}"
    if estimate.n_documents < MIN_DOCUMENTS:
        return (
            f"only {estimate.n_documents} document"
            f"{'' if estimate.n_documents == 1 else 's'}: too few to trust"
        )
    if estimate.n_units < min_units:
        return f"only {estimate.n_units} spans: too few to trust"
    return None


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def report_warnings(
    report: AgreementReport,
    n_project_documents: int,
    left_out: Mapping[str, int],
    needed: int = 2,
) -> tuple[str, ...]:
    """Plain sentences about data too thin to trust, most important first;
    ``needed`` is the project's annotators per document."""
    warnings: list[str] = []
    n = report.n_compared_documents
    if n == 0:
        enough = max(2, needed)
        warnings.append(
            f"No document has been submitted by {NUMBER_WORDS.get(enough, enough)} "
            "annotators yet: there is nothing to compare."
        )
    elif n < MIN_DOCUMENTS:
        warnings.append(
            f"Only {n} document{'' if n == 1 else 's'} compared: with fewer than "
            f"{MIN_DOCUMENTS}, the figures say little about the project and the "
            "confidence intervals (which resample documents) are too narrow."
        )
    if left_out:
        details = "; ".join(f"{count}: {reason}" for reason, count in left_out.items())
        warnings.append(
            f"{sum(left_out.values())} of {n_project_documents} documents left "
            f"out ({details})."
        )
    for name, label in HEADLINE_NAMES.items():
        estimate: Estimate = getattr(report.unitizing, name).overall
        if estimate.value is None and n > 0:
            warnings.append(f"{label} is not defined: {estimate.reason}.")
    return tuple(warnings)


# --------------------------------------------------------------------------
# One document, annotator by annotator
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnotatorRow:
    """One annotator's spans on a document and the text cut for display."""

    annotator: str
    spans: tuple[SpanTriple, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class DocumentComparison:
    """Every compared annotator's spans on one document, aligned into groups."""

    document_id: int
    external_id: str
    title: str
    text: str
    labels: tuple[str, ...]  # the project's labels, in order
    rows: tuple[AnnotatorRow, ...]
    groups: tuple[Group, ...]
    kind_counts: Mapping[GroupKind, int] = field(default_factory=dict)
    #: Why the document is not in the agreement figures, None if it is.
    left_out_reason: str | None = None
    names_shown: bool = False

    @property
    def disagreements(self) -> tuple[Group, ...]:
        return tuple(group for group in self.groups if group.is_disagreement)


def document_comparison(
    session: Session, project: Project, document: Document, show_names: bool = False
) -> DocumentComparison:
    """Each submitted annotator's spans on ``document`` (code points, end
    exclusive), the text cut into labelled segments per annotator, and the
    spans aligned into classified groups (:func:`annotator.core.diff.align`).
    Annotators are A, B, C (as on the review page, in the same order) unless
    ``show_names``."""
    if document.project_id != project.id:
        raise NotFoundError(f"no document {document.id} in {project.name}")
    work = submitted.document_work(session, document)
    spans = _submitted_spans(session, project, document.id).get(document.id, {})
    by_annotator = {
        name if show_names else alias(index): spans.get(name, [])
        for index, name in enumerate(work.usernames)
    }
    rows = tuple(
        AnnotatorRow(
            name,
            tuple(found),
            tuple(segments(document.text_length, found)),
        )
        for name, found in by_annotator.items()
    )
    groups = tuple(align(by_annotator))
    counts = count_kinds(group.kind for group in groups)
    return DocumentComparison(
        document_id=document.id,
        external_id=document.external_id,
        title=document.title,
        text=document.text,
        labels=tuple(label.name for label in project.labels),
        rows=rows,
        groups=groups,
        kind_counts=counts,
        left_out_reason=left_out_reason(work, project.annotators_per_document),
        names_shown=show_names,
    )
