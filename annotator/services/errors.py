from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from annotator.core.spans import FieldError


class ServiceError(Exception):
    """A request the service refuses; the message is safe to show the user."""


class NotFoundError(ServiceError):
    pass


class LastAdmin(ServiceError):
    """A change refused because it would leave a project, or the site,
    without an admin; nothing was changed (HTTP 409; a form shows it on the
    field that asked for it)."""


class FieldRefused(ServiceError):
    """Input refused because of one field; ``field`` names it (the APIs answer
    400 with it)."""

    def __init__(self, error: FieldError) -> None:
        self.field = error.field
        super().__init__(str(error))


P = ParamSpec("P")
R = TypeVar("R")


def rolls_back(
    service: Callable[Concatenate[Session, P], R],
) -> Callable[Concatenate[Session, P], R]:
    """Mark a service that owns its transaction: on any error it rolls back
    what it began before the error leaves it, so callers (views, commands)
    never roll back, and their session is usable and holds nothing
    half-done (a refused change is not left pending in memory)."""

    @wraps(service)
    def wrapper(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return wrapper
