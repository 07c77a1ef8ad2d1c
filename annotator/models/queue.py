"""What a project's trained model thinks of each document, for the
``uncertainty`` queue order: stored when a model is registered, so handing
out the next document reads a table instead of running the model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from annotator.models.base import Base, utcnow


class DocumentUncertainty(Base):
    """One document scored by the project's model: how many spans it
    proposed and their ``margin`` (``core.queue.confidence_margin``: the
    mean distance of their scores from 0.5; None when it proposed none)."""

    __tablename__ = "document_uncertainty"
    __table_args__ = (
        CheckConstraint("proposals >= 0", name="proposals_not_negative"),
        CheckConstraint(
            "margin IS NULL OR (margin >= 0 AND margin <= 0.5)", name="margin_range"
        ),
        # The uncertainty queue order walks this index, least sure first, and
        # stops at the first document still needing annotators.
        Index(
            "ix_document_uncertainty_project_margin",
            "project_id",
            "margin",
            "document_id",
        ),
    )

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE")
    )
    suggester: Mapped[str] = mapped_column(String(80))
    suggester_version: Mapped[str] = mapped_column(String(80))
    proposals: Mapped[int]
    margin: Mapped[float | None]
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
