"""The gold layer: reviewer-decided spans, their provenance, rejected
annotator spans and each document's adjudication state."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotator.models.base import Base, utcnow
from annotator.models.project import Label


class AdjudicationStatus(enum.StrEnum):
    OPEN = "open"
    ADJUDICATED = "adjudicated"


class GoldDecision(enum.StrEnum):
    """How a gold span came about."""

    ACCEPTED = "accepted"  # an annotator's span as drawn
    CORRECTED = "corrected"  # annotators' spans with a new boundary or label
    ADDED = "added"  # a span no annotator made


class Adjudication(Base):
    """One document's review. ``version`` rises with every decision so that a
    second reviewer's stale decision gets a conflict, never an overwrite."""

    __tablename__ = "adjudications"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'adjudicated')", name="status_known"),
        CheckConstraint("version >= 0", name="version_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=AdjudicationStatus.OPEN)
    version: Mapped[int] = mapped_column(default=0)
    adjudicated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    adjudicated_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GoldSpan(Base):
    """A span of the gold layer: code points into the document text, end
    exclusive; ``sources`` says which annotators' spans it came from."""

    __tablename__ = "gold_spans"
    __table_args__ = (
        CheckConstraint('"start" >= 0', name="start_not_negative"),
        CheckConstraint('"end" > "start"', name="end_after_start"),
        CheckConstraint(
            "decision IN ('accepted', 'corrected', 'added')", name="decision_known"
        ),
        UniqueConstraint("document_id", "start", "end", "label_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="RESTRICT"), index=True
    )
    start: Mapped[int]
    end: Mapped[int]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(16))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    label: Mapped[Label] = relationship()
    sources: Mapped[list[GoldSource]] = relationship(
        cascade="all, delete-orphan", order_by="GoldSource.id"
    )


class GoldSource(Base):
    """Provenance: one annotator span a gold span came from. The annotator is
    kept even if the span row goes."""

    __tablename__ = "gold_sources"
    __table_args__ = (UniqueConstraint("gold_span_id", "span_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gold_span_id: Mapped[int] = mapped_column(
        ForeignKey("gold_spans.id", ondelete="CASCADE"), index=True
    )
    span_id: Mapped[int | None] = mapped_column(
        ForeignKey("spans.id", ondelete="SET NULL"), index=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class GoldLink(Base):
    """A directed link between two gold spans of one document, e.g. a denial
    pointing at the claim it denies."""

    __tablename__ = "gold_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "kind"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("gold_spans.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("gold_spans.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="denies")


class RejectedSpan(Base):
    """An annotator's span the reviewer kept out of the gold layer."""

    __tablename__ = "rejected_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    span_id: Mapped[int] = mapped_column(
        ForeignKey("spans.id", ondelete="CASCADE"), unique=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
