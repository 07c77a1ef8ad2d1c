"""Whether an agreement figure can be trusted, in plain words.

The thresholds below which figures are too thin to trust, the verdict and
one-line reading of a headline figure, and the warnings about a whole report;
shared by the Agreement page, the command line and the JSON report.
"""

from __future__ import annotations

from collections.abc import Mapping

from annotator.core.agreement.results import AgreementReport, Estimate
from annotator.core.agreement.verdict import Reading, reading

#: Fewer compared documents than this: figures and intervals are not trusted.
MIN_DOCUMENTS = 5
#: Fewer spans than this behind a unitizing figure: it is not trusted.
MIN_SPANS = 10

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
