"""The reviewer's decisions that build a document's gold layer, and undo
and redo.

Every decision names the adjudication ``version`` the reviewer last saw and
bumps it with a compare-and-set (:mod:`.claims`), so that a second
reviewer's stale decision gets :class:`StaleReview` (HTTP 409) instead of
overwriting. Every decision writes one audit row (entity ``adjudication``)
holding exactly what it changed, through the codec of
:mod:`annotator.core.changes` (:mod:`.recording`); that is what undo
reverts (:mod:`.undo_redo`, :mod:`.restoring`): any decision no later live
one depends on (:mod:`annotator.core.decisions`), not only the latest. Gold
spans and links obey the rules of annotators' spans (:mod:`.gold_layer`).
Offsets are code points, end exclusive.

The decisions: :mod:`.gold_spans` (accept, correct, add, reject, remove,
accept-agreed, accept-majority), :mod:`.gold_links` (link, unlink),
:mod:`.documents` (adjudicate, reopen). :data:`DECISIONS` maps each route
name to its function; :func:`decide` makes one by that name, on a document the
review queue holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from annotator.models import Document, Project, User
from annotator.services.adjudication import deciding
from annotator.services.adjudication.claims import Decision
from annotator.services.adjudication.documents import mark_adjudicated, reopen
from annotator.services.adjudication.gold_links import link, unlink
from annotator.services.adjudication.gold_spans import (
    accept,
    accept_all_agreed,
    accept_majority,
    accept_with_correction,
    add_gold_span,
    reject,
    remove_gold_span,
)
from annotator.services.adjudication.undo_redo import redo, undo

__all__ = [
    "DECISIONS",
    "Decision",
    "accept",
    "accept_all_agreed",
    "accept_majority",
    "accept_with_correction",
    "add_gold_span",
    "decide",
    "link",
    "mark_adjudicated",
    "redo",
    "reject",
    "remove_gold_span",
    "reopen",
    "undo",
    "unlink",
]

#: Each decision by the name of its route.
DECISIONS: dict[str, Decision] = {
    "accept": accept,
    "correct": accept_with_correction,
    "add": add_gold_span,
    "reject": reject,
    "remove": remove_gold_span,
    "link": link,
    "unlink": unlink,
    "accept-agreed": accept_all_agreed,
    "accept-majority": accept_majority,
    "adjudicate": mark_adjudicated,
    "reopen": reopen,
    "undo": undo,
    "redo": redo,
}


def decide(
    session: Session,
    project: Project,
    document: Document,
    reviewer: User,
    name: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Make the decision named ``name`` (a key of :data:`DECISIONS`) with
    JSON body ``data``; refused while the document is not reviewable."""
    return deciding.decide(session, DECISIONS, name, project, document, reviewer, data)
