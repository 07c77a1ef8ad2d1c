"""SQLAlchemy models; importing this package registers every table on
``Base.metadata``."""

from annotator.models.annotation import Span, SpanLink, SpanOrigin
from annotator.models.audit import AuditEvent
from annotator.models.base import Base
from annotator.models.document import Assignment, AssignmentStatus, Document
from annotator.models.export_job import ExportJob, ExportJobStatus
from annotator.models.gold import (
    Adjudication,
    AdjudicationStatus,
    GoldDecision,
    GoldLink,
    GoldSource,
    GoldSpan,
    RejectedSpan,
)
from annotator.models.guideline import GuidelineRead, GuidelineVersion
from annotator.models.job import JobStatus
from annotator.models.project import ROLE_RANK, Label, Membership, Project, Role
from annotator.models.pseudonym import Pseudonym
from annotator.models.queue import DocumentUncertainty
from annotator.models.suggestion import (
    CueLexiconVersion,
    RegisteredSuggester,
    SuggesterKind,
    SuggestionDecision,
    SuggestionMode,
    SuggestionOutcome,
    SuggestionSettings,
)
from annotator.models.token import ApiToken
from annotator.models.training_job import TrainingJob
from annotator.models.user import User

__all__ = [
    "ROLE_RANK",
    "Adjudication",
    "AdjudicationStatus",
    "ApiToken",
    "Assignment",
    "AssignmentStatus",
    "AuditEvent",
    "Base",
    "CueLexiconVersion",
    "Document",
    "DocumentUncertainty",
    "ExportJob",
    "ExportJobStatus",
    "GoldDecision",
    "GoldLink",
    "GoldSource",
    "GoldSpan",
    "GuidelineRead",
    "GuidelineVersion",
    "JobStatus",
    "Label",
    "Membership",
    "Project",
    "Pseudonym",
    "RegisteredSuggester",
    "RejectedSpan",
    "Role",
    "Span",
    "SpanLink",
    "SpanOrigin",
    "SuggesterKind",
    "SuggestionDecision",
    "SuggestionMode",
    "SuggestionOutcome",
    "SuggestionSettings",
    "TrainingJob",
    "User",
]
