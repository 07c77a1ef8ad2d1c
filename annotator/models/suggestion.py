"""Suggestions: a project's cue lexicon versions, its suggestion settings,
its registered suggesters, and each annotator's decisions on suggestions.

A suggestion itself is never stored as a span: it is computed from the
document text; only an accepted one becomes the annotator's own span.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from annotator.models.base import Base, utcnow


class SuggestionMode(enum.StrEnum):
    OFF = "off"
    ON = "on"
    #: On, except on a seeded random share of documents, annotated without
    #: suggestions so that their agreement can be compared.
    CALIBRATE = "calibrate"


class SuggesterKind(enum.StrEnum):
    RULES = "rules"
    SPANCAT = "spancat"
    HTTP = "http"


class SuggestionOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class CueLexiconVersion(Base):
    """One saved cue lexicon (``Lexicon.to_data()``), numbered from 1 per
    project; the newest is the one the rule suggester uses."""

    __tablename__ = "cue_lexicon_versions"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    lexicon: Mapped[dict[str, Any]]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuggestionSettings(Base):
    """Whether a project's annotators see suggestions, and on what share of
    documents they do not (calibration)."""

    __tablename__ = "suggestion_settings"
    __table_args__ = (
        CheckConstraint("mode IN ('off', 'on', 'calibrate')", name="mode_known"),
        CheckConstraint(
            "calibration_share >= 0 AND calibration_share <= 1", name="share_range"
        ),
    )

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(10), default=SuggestionMode.CALIBRATE)
    calibration_share: Mapped[float] = mapped_column(default=0.1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RegisteredSuggester(Base):
    """A suggester a project uses: cue rules, a trained span categorizer or
    an HTTP service. ``config`` is kind-specific (a model path, a URL);
    ``last_error`` is the latest failure, shown to the project's admins."""

    __tablename__ = "suggesters"
    __table_args__ = (
        UniqueConstraint("project_id", "name", "version"),
        CheckConstraint("kind IN ('rules', 'spancat', 'http')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    #: For ``rules`` the lexicon version is read at use; this stays "".
    version: Mapped[str] = mapped_column(String(80), default="")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuggestionDecision(Base):
    """An annotator's answer to one suggestion on one document, remembered so
    that it is not offered again; ``span_id`` is the span an acceptance made."""

    __tablename__ = "suggestion_decisions"
    __table_args__ = (
        UniqueConstraint("document_id", "annotator_id", "suggestion_id"),
        CheckConstraint('"start" >= 0', name="start_not_negative"),
        CheckConstraint('"end" > "start"', name="end_after_start"),
        CheckConstraint("decision IN ('accepted', 'rejected')", name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    suggestion_id: Mapped[str] = mapped_column(String(32))
    start: Mapped[int]
    end: Mapped[int]
    label: Mapped[str] = mapped_column(String(40))
    score: Mapped[float]
    suggester: Mapped[str] = mapped_column(String(80))
    suggester_version: Mapped[str] = mapped_column(String(80))
    decision: Mapped[str] = mapped_column(String(10))
    span_id: Mapped[int | None] = mapped_column(
        ForeignKey("spans.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
