from __future__ import annotations

from annotator.core.spans import FieldError


class ServiceError(Exception):
    """A request the service refuses; the message is safe to show the user."""


class NotFoundError(ServiceError):
    pass


class FieldRefused(ServiceError):
    """Input refused because of one field; ``field`` names it (the APIs answer
    400 with it)."""

    def __init__(self, error: FieldError) -> None:
        self.field = error.field
        super().__init__(str(error))
