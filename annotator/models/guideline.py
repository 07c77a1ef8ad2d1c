"""A project's guideline: every saved version, and which one each reader saw."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotator.models.base import Base, utcnow
from annotator.models.user import User


class GuidelineVersion(Base):
    """One saved guideline (Markdown source), numbered from 1 per project.
    ``Project.guideline`` holds the newest one's text."""

    __tablename__ = "guideline_versions"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class GuidelineRead(Base):
    """The newest guideline version a member has been shown in a project, so
    that "Guideline updated" appears once after each change."""

    __tablename__ = "guideline_reads"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    number: Mapped[int]
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
