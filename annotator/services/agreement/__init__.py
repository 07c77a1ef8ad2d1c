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

One module per concern: ``project`` (building the report, cached),
``summary`` (the report with its coverage and JSON), ``coverage`` (which
documents count and why others are left out), ``reading`` (submitted spans
and documents), ``cache`` (the in-process LRU), ``comparison`` (one document,
annotator by annotator). The pure rules are in :mod:`annotator.core.agreement`:
the figures, whether they can be trusted (:mod:`~annotator.core.agreement.trust`)
and the weeks (:mod:`~annotator.core.agreement.weeks`); they are named here
too, for the page and the command line.
"""

from annotator.core.agreement.results import Unit
from annotator.core.agreement.trust import (
    HEADLINE_NAMES,
    MIN_DOCUMENTS,
    MIN_SPANS,
    NUMBER_WORDS,
    figure_reading,
    report_warnings,
    trust_warning,
)
from annotator.core.agreement.weeks import week_of, week_start
from annotator.services.agreement.cache import CACHE_SIZE, clear_cache
from annotator.services.agreement.comparison import (
    AnnotatorRow,
    DocumentComparison,
    document_comparison,
)
from annotator.services.agreement.coverage import (
    REASON_NOT_SUBMITTED,
    REASON_ONE_SUBMITTED,
    REASON_VIEWER_OPEN,
    left_out_reason,
    reason_fewer,
)
from annotator.services.agreement.project import (
    SEED,
    UNITS,
    compared_annotations,
    compute_agreement,
    project_agreement,
    project_labels,
)
from annotator.services.agreement.summary import DocumentRef, ProjectAgreement

__all__ = [
    "CACHE_SIZE",
    "HEADLINE_NAMES",
    "MIN_DOCUMENTS",
    "MIN_SPANS",
    "NUMBER_WORDS",
    "REASON_NOT_SUBMITTED",
    "REASON_ONE_SUBMITTED",
    "REASON_VIEWER_OPEN",
    "SEED",
    "UNITS",
    "AnnotatorRow",
    "DocumentComparison",
    "DocumentRef",
    "ProjectAgreement",
    "Unit",
    "clear_cache",
    "compared_annotations",
    "compute_agreement",
    "document_comparison",
    "figure_reading",
    "left_out_reason",
    "project_agreement",
    "project_labels",
    "reason_fewer",
    "report_warnings",
    "trust_warning",
    "week_of",
    "week_start",
]
