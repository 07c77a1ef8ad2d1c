"""One annotator's spans and links on one document, and their status on it.

Every write names the assignment ``version`` the client last saw; it is bumped
with a compare-and-set, so a stale browser tab gets a conflict instead of
silently overwriting newer work (:mod:`.claims`). Offsets are code points,
end exclusive.

:mod:`.reading` (the page's load, suggested sources), :mod:`.spans` (add,
change, delete; a new span's refusals stated once), :mod:`.links`,
:mod:`.status` (submit, skip, reopen).
"""

from __future__ import annotations

from annotator.services.annotations.claims import (
    CLOSED_STATUSES,
    InvalidAnnotation,
    StaleVersion,
    claim_version,
)
from annotator.services.annotations.links import create_link, delete_link
from annotator.services.annotations.reading import (
    assignment_for,
    load_annotation,
    project_sources,
    span_json,
)
from annotator.services.annotations.spans import (
    add_span,
    create_span,
    delete_span,
    remove_span,
    update_span,
)
from annotator.services.annotations.status import reopen_refusal, set_status

__all__ = [
    "CLOSED_STATUSES",
    "InvalidAnnotation",
    "StaleVersion",
    "add_span",
    "assignment_for",
    "claim_version",
    "create_link",
    "create_span",
    "delete_link",
    "delete_span",
    "load_annotation",
    "project_sources",
    "remove_span",
    "reopen_refusal",
    "set_status",
    "span_json",
    "update_span",
]
