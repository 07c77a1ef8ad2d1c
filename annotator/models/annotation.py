from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotator.models.base import Base, utcnow
from annotator.models.project import Label


class SpanOrigin(enum.StrEnum):
    MANUAL = "manual"
    IMPORTED = "imported"
    #: An accepted suggestion; ``suggester`` and ``suggester_version`` say
    #: which suggester proposed it.
    SUGGESTED = "suggested"


class Span(Base):
    """One annotator's labelled span: code points into the document text, end
    exclusive."""

    __tablename__ = "spans"
    __table_args__ = (
        CheckConstraint('"start" >= 0', name="start_not_negative"),
        CheckConstraint('"end" > "start"', name="end_after_start"),
        CheckConstraint(
            "origin IN ('manual', 'imported', 'suggested')", name="origin_known"
        ),
        Index(
            "ix_spans_document_annotator_start", "document_id", "annotator_id", "start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE")
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="RESTRICT"), index=True
    )
    start: Mapped[int]
    end: Mapped[int]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(10), default=SpanOrigin.MANUAL)
    suggester: Mapped[str | None] = mapped_column(String(80))
    suggester_version: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    label: Mapped[Label] = relationship()


class SpanLink(Base):
    """A directed link between two spans of one annotator on one document,
    e.g. a denial pointing at the claim it denies."""

    __tablename__ = "span_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "kind"),
        CheckConstraint("source_id <> target_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("spans.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("spans.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="denies")
