from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotator.models.base import Base, utcnow
from annotator.models.project import Project


class Document(Base):
    """An article. Its text never changes once stored: ``text_sha256`` guards it."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        CheckConstraint("text_length >= 1", name="text_not_empty"),
        # The random queue order walks this index and stops at the first
        # document still needing annotators (services/queue_order.py).
        Index("ix_documents_project_queue_rank", "project_id", "queue_rank", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    #: Length of ``text`` in code points.
    text_length: Mapped[int]
    text_sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: ``core.queue.random_rank`` of the id and the project's ``queue_seed``
    #: (None while the project has no seed): its place in the random queue
    #: order, stored by the import that creates the document and rewritten
    #: for the whole project when the seed changes (services/queue_order.py).
    queue_rank: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship()


class AssignmentStatus(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"


class Assignment(Base):
    """One annotator's work on one document. ``version`` rises with every saved
    change so that a stale browser tab gets a conflict instead of overwriting."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("document_id", "user_id"),
        CheckConstraint(
            "status IN ('todo', 'in_progress', 'submitted', 'skipped')",
            name="status_known",
        ),
        CheckConstraint("version >= 0", name="version_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=AssignmentStatus.TODO)
    skip_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=0)
    #: Whether the suggestions endpoint ever answered this annotator a
    #: non-empty list on this document: set then, never unset
    #: (services/suggestions/shown.py). False for work begun since migration
    #: 0014 without any; None where unknown (work from before it with no
    #: trace of a suggestion, see the migration).
    suggestions_shown: Mapped[bool | None] = mapped_column(default=False)
    #: Why the suggestions endpoint last answered this annotator an empty
    #: list here while the work was open (migration 0015): ``calibration``
    #: (a calibration document), ``off`` (suggestions off) or
    #: ``none_proposed`` (on, but the suggesters proposed nothing); None
    #: when it never did. Read only while ``suggestions_shown`` is False.
    suggestions_withheld: Mapped[str | None] = mapped_column(String(16), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    document: Mapped[Document] = relationship()
