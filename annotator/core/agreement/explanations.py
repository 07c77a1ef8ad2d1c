"""One-line plain-language explanations the agreement page and CLI show next
to each figure (keys: the figures' names in the report)."""

from __future__ import annotations

from collections.abc import Mapping

#: One-line plain-language explanations the page can show next to each figure.
EXPLANATIONS: Mapping[str, str] = {
    "alpha_u": (
        "Unitizing alpha (Krippendorff): agreement on where spans start and "
        "end and how they are labelled, corrected for chance; 1 is perfect, 0 "
        "is chance level, below 0 is worse than chance."
    ),
    "f1_exact": (
        "Exact span F1: how often another annotator drew a span with exactly "
        "the same start, end and label (averaged over annotator pairs)."
    ),
    "f1_partial": (
        "Partial span F1: like exact F1, but a span earns credit for the share "
        "of it that another annotator's same-label span covers (SemEval-2020 "
        "Task 11 scoring)."
    ),
    "boundary_gap": (
        "The gap between partial and exact F1 is disagreement about boundaries "
        "only: the annotators found the same passages but cut them differently."
    ),
    "krippendorff_alpha": (
        "Krippendorff's alpha: chance-corrected agreement on the label of each "
        "character or token, for any number of annotators, allowing documents "
        "some of them did not see."
    ),
    "cohen_kappa": (
        "Cohen's kappa: chance-corrected agreement between two annotators on "
        "the label of each character or token."
    ),
    "fleiss_kappa": (
        "Fleiss' kappa: chance-corrected agreement among several annotators; "
        "defined only when every unit has the same number of annotators."
    ),
    "percent_agreement": (
        "Percent agreement: how often two annotators give a unit the same "
        "label, with no correction for chance."
    ),
    "tagged_units": (
        "Tagged units only: the same figures over the text at least one "
        "annotator labelled, so untouched text cannot inflate them; they "
        "measure agreement on which label, and need two labels or more there."
    ),
    "positive_agreement": (
        "Positive specific agreement: how far annotators agree on where the "
        "label is. Of the text one annotator gave the label, the share another "
        "gave it too (2a / (2a + b + c), the F1 of one against the other, "
        "pooled over annotator pairs); text nobody gave it does not count. 1: "
        "always together; 0: never."
    ),
    "confusion": (
        "Label confusion, counted in the groups of spans the review page shows: "
        "for each group and each two annotators, the label one gave there "
        "against the label the other gave (the diagonal: the same label), or "
        "none when the other marked nothing in that group."
    ),
    "disagreement": (
        "Documents with the most disagreeing groups (as on the review page) "
        "first, then the larger share of disagreeing groups: the review "
        "queue's order. Disagreement is 1 minus the partial span F1."
    ),
    "verdict": (
        "Verdicts follow Krippendorff's scale: 0.800 and above reliable, from "
        "0.667 tentative conclusions only, below 0.667 not reliable "
        "(Krippendorff 2004; span F1 read on the same scale)."
    ),
    "weeks": (
        "Agreement per week: each compared document falls in the week (UTC, "
        "Monday to Sunday) of its latest submission, and a week's figures are "
        "the headline computed on its documents alone, without an interval: "
        "a week with few documents moves by chance."
    ),
    "confidence_interval": (
        "95% confidence interval from resampling documents (bootstrap with a "
        "fixed seed): where the figure would likely fall for another sample of "
        "documents like these."
    ),
}
