from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from annotator.models.base import Base, utcnow


class User(Base):
    """An account. Imported annotators have no password and cannot log in."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("length(username) > 0", name="username_set"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Bumped by logout, a password change and deactivation: every session
    #: made before (which carries the generation it was made in) then ends.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Flask-Login's user protocol, kept here so the web layer needs no mixin.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def can_log_in(self) -> bool:
        return self.is_active and self.password_hash is not None


# Names are unique ignoring case (``Admin`` is ``admin``) in the database too,
# so two concurrent requests cannot both pass the service's check.
Index("uq_users_username_lower", func.lower(User.username), unique=True)
