"""Where a document stands in annotation and review: the one definition of the
statuses the documents page lists and filters by, from counts a service reads.

With ``n`` the project's annotators per document, ``k`` the annotators who
submitted the document and ``o`` those whose assignment on it is still open
(to do or in progress; a skipped assignment holds no place), the first that
applies:

- **adjudicated**: a reviewer marked the document adjudicated;
- **in review**: a reviewer has decided on it (and it is not adjudicated);
- **waiting**: ``k + o < n``: fewer annotators hold it than the project needs,
  so it waits for someone to take it (also after a skip freed a place);
- **in progress**: every place is taken and someone's assignment is still
  open;
- **submitted** (by ``k`` of ``n``): ``k >= n`` and nobody is still working on
  it: ready for review.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DocumentStatus(enum.StrEnum):
    WAITING = "waiting"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ADJUDICATED = "adjudicated"

    @property
    def text(self) -> str:
        """The status in words: "in progress", not "in_progress"."""
        return self.value.replace("_", " ")


#: One sentence per status, for the page's legend.
STATUS_MEANING: dict[DocumentStatus, str] = {
    DocumentStatus.WAITING: (
        "fewer annotators hold it than the project needs: it waits for someone "
        "to take it (a skip frees a place)"
    ),
    DocumentStatus.IN_PROGRESS: (
        "every place is taken and someone is still annotating it"
    ),
    DocumentStatus.SUBMITTED: (
        "the annotators it needs have submitted it and nobody is still working "
        "on it: ready for review"
    ),
    DocumentStatus.IN_REVIEW: "a reviewer has decided on it; not adjudicated yet",
    DocumentStatus.ADJUDICATED: "a reviewer marked its gold layer adjudicated",
}


@dataclass(frozen=True, slots=True)
class Progress:
    """What the status is computed from: ``needed`` annotators per document,
    how many ``submitted`` it, how many assignments on it are still ``open``,
    whether a reviewer has decided on it and whether it is adjudicated."""

    needed: int
    submitted: int = 0
    open: int = 0
    review_begun: bool = False
    adjudicated: bool = False

    @property
    def status(self) -> DocumentStatus:
        """The first status of the module's list that applies."""
        if self.adjudicated:
            return DocumentStatus.ADJUDICATED
        if self.review_begun:
            return DocumentStatus.IN_REVIEW
        if self.submitted + self.open < self.needed:
            return DocumentStatus.WAITING
        if self.open:
            return DocumentStatus.IN_PROGRESS
        return DocumentStatus.SUBMITTED

    @property
    def text(self) -> str:
        """The status in words, with "submitted by k of n" where it tells
        how far annotation got: "waiting, submitted by 1 of 2"."""
        status = self.status
        count = f"submitted by {self.submitted} of {self.needed}"
        if status is DocumentStatus.SUBMITTED:
            return count
        if status in (DocumentStatus.WAITING, DocumentStatus.IN_PROGRESS):
            return f"{status.text}, {count}" if self.submitted else status.text
        return status.text


def parse_status(value: str) -> DocumentStatus | None:
    """The status named ``value`` (its value, e.g. ``in_progress``), or None."""
    try:
        return DocumentStatus(value)
    except ValueError:
        return None
