"""Review: the queue, one document's aligned spans and gold layer, and each
annotator's quality against gold. The reviewer's decisions are in
:mod:`annotator.services.adjudication`.

Only submitted work of complete documents is reviewed
(:mod:`annotator.services.submitted`). Offsets are code points, end exclusive.

One module per concern: ``work`` (reading submitted spans), ``queue``,
``gold`` (decisions as stored), ``page`` (the review page's JSON),
``quality`` (annotators against gold), ``errors``.
"""

from annotator.services.history import ENTITY
from annotator.services.review.errors import (
    DecisionBlocked,
    InvalidDecision,
    StaleReview,
    UndecidedGroups,
    refuse,
)
from annotator.services.review.gold import (
    Decided,
    adjudication_of,
    decided_on,
    gold_links_of,
    gold_marks,
    gold_spans,
    gold_spans_of,
    link_json,
    rejected_ids,
)
from annotator.services.review.page import document_review
from annotator.services.review.quality import (
    AnnotatorQuality,
    QualityReport,
    annotator_quality,
)
from annotator.services.review.queue import (
    QueueEntry,
    ReviewQueue,
    check_label,
    next_open_document,
    queue_overview,
    review_queue,
)
from annotator.services.review.work import (
    SpanRecord,
    Submitted,
    annotator_links,
    gold_ends,
    project_work,
    submitted_work,
)

__all__ = [
    "ENTITY",
    "AnnotatorQuality",
    "Decided",
    "DecisionBlocked",
    "InvalidDecision",
    "QualityReport",
    "QueueEntry",
    "ReviewQueue",
    "SpanRecord",
    "StaleReview",
    "Submitted",
    "UndecidedGroups",
    "adjudication_of",
    "annotator_links",
    "annotator_quality",
    "check_label",
    "decided_on",
    "document_review",
    "gold_ends",
    "gold_links_of",
    "gold_marks",
    "gold_spans",
    "gold_spans_of",
    "link_json",
    "next_open_document",
    "project_work",
    "queue_overview",
    "refuse",
    "rejected_ids",
    "review_queue",
    "submitted_work",
]
