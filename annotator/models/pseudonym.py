from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from annotator.models.base import Base


class Pseudonym(Base):
    """The number by which exports name a person in a project
    (``annotator-<number>``): given once, the first time an export needs it,
    and never recomputed, so it stays the same whoever joins or leaves."""

    __tablename__ = "pseudonyms"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    number: Mapped[int]
