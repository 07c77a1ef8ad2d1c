"""Inter-annotator agreement: coding and unitizing measures, and the report.

Pure domain code (standard library and numpy). Offsets are code points, end
exclusive. See :mod:`.measures` for the coefficients and :mod:`.report` for
the page's figures (types in :mod:`.results`, coding figures in :mod:`.coding`),
:mod:`.trust` for when a figure is too thin to trust and :mod:`.weeks` for
the weeks of the agreement per week.
"""

from annotator.core.agreement.explanations import EXPLANATIONS
from annotator.core.agreement.measures import (
    REASON_LABEL_UNUSED,
    REASON_NO_LABEL_SPANS,
    REASON_NO_PAIRABLE,
    REASON_NO_SPANS,
    REASON_NO_UNITS,
    REASON_NO_VARIATION,
    REASON_ONE_ANNOTATOR,
    REASON_UNEQUAL_RATERS,
    SpanF1,
    UndefinedAgreementError,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    positive_agreement,
    positive_specific_agreement,
    span_f1,
    unitizing_alpha,
    unitizing_disagreements,
)
from annotator.core.agreement.report import agreement_report
from annotator.core.agreement.results import (
    AgreementReport,
    DocumentAnnotations,
    Estimate,
)

__all__ = [
    "EXPLANATIONS",
    "REASON_LABEL_UNUSED",
    "REASON_NO_LABEL_SPANS",
    "REASON_NO_PAIRABLE",
    "REASON_NO_SPANS",
    "REASON_NO_UNITS",
    "REASON_NO_VARIATION",
    "REASON_ONE_ANNOTATOR",
    "REASON_UNEQUAL_RATERS",
    "AgreementReport",
    "DocumentAnnotations",
    "Estimate",
    "SpanF1",
    "UndefinedAgreementError",
    "agreement_report",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "positive_agreement",
    "positive_specific_agreement",
    "span_f1",
    "unitizing_alpha",
    "unitizing_disagreements",
]
