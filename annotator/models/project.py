from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotator.core.labels import ATTRIBUTE_NAMES as DEFAULT_ATTRIBUTE_NAMES
from annotator.core.queue import MAX_SEED, QueueOrder
from annotator.models.base import Base, JSONType, utcnow
from annotator.models.user import User

#: The default schema as SQL text, for rows made before the column existed.
DEFAULT_ATTRIBUTE_NAMES_SQL = '["source"]'


class Role(enum.StrEnum):
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"
    ADMIN = "admin"


#: What each role may do, from least to most.
ROLE_RANK = {Role.ANNOTATOR: 1, Role.REVIEWER: 2, Role.ADMIN: 3}


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("annotators_per_document >= 1", name="annotators_positive"),
        CheckConstraint("length(name) > 0", name="name_set"),
        CheckConstraint(
            "queue_order IN ('in-order', 'random', 'uncertainty')",
            name="queue_order_known",
        ),
        CheckConstraint(
            f"queue_seed >= 0 AND queue_seed <= {MAX_SEED}", name="queue_seed_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    guideline: Mapped[str] = mapped_column(Text, default="")
    annotators_per_document: Mapped[int] = mapped_column(default=2)
    #: The attributes a span may carry besides its note (its schema): names
    #: only, each a short string; anything else is refused naming the field.
    attribute_names: Mapped[list[str]] = mapped_column(
        JSONType,
        default=lambda: list(DEFAULT_ATTRIBUTE_NAMES),
        server_default=DEFAULT_ATTRIBUTE_NAMES_SQL,
    )
    #: Which document ``next_document`` hands out next (core/queue.py).
    queue_order: Mapped[str] = mapped_column(
        String(12), default=QueueOrder.IN_ORDER, server_default=QueueOrder.IN_ORDER
    )
    #: The seed of the ``random`` order; kept when another order is chosen.
    queue_seed: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    labels: Mapped[list[Label]] = relationship(
        back_populates="project",
        order_by="Label.position",
        cascade="all, delete-orphan",
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(40))
    display_name: Mapped[str] = mapped_column(String(60))
    color: Mapped[str] = mapped_column(String(7))
    hotkey: Mapped[str] = mapped_column(String(1))
    underline: Mapped[str] = mapped_column(String(10), default="solid")
    position: Mapped[int] = mapped_column(default=0)
    #: What the label means, in a sentence or two (plain text).
    definition: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Examples, one a line (plain text).
    examples: Mapped[str] = mapped_column(Text, default="", server_default="")

    project: Mapped[Project] = relationship(back_populates="labels")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        CheckConstraint(
            "role IN ('annotator', 'reviewer', 'admin')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
