"""Which documents the agreement figures count, and why the others are left
out: nobody or too few submitted it, only one annotator did, or the viewer
has it open to annotate (blind annotation)."""

from __future__ import annotations

from collections.abc import Mapping

from annotator.services import submitted
from annotator.services.agreement.summary import DocumentRef

REASON_NOT_SUBMITTED = "no annotator has submitted it"
REASON_ONE_SUBMITTED = "only one annotator has submitted it"
REASON_VIEWER_OPEN = "you have it open to annotate"


def reason_fewer(needed: int) -> str:
    """The left-out reason of a document fewer than ``needed`` submitted."""
    return f"fewer annotators have submitted it than the project needs ({needed})"


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


def left_out(
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


def reason_counts(left_out: Mapping[int, str], needed: int) -> dict[str, int]:
    """Reason -> documents, in a fixed order (reasons with none left out)."""
    order = [REASON_NOT_SUBMITTED, reason_fewer(needed), REASON_ONE_SUBMITTED]
    counts = dict.fromkeys([*order, REASON_VIEWER_OPEN], 0)
    for reason in left_out.values():
        counts[reason] += 1
    return {reason: count for reason, count in counts.items() if count}
