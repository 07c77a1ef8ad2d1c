from __future__ import annotations


class ServiceError(Exception):
    """A request the service refuses; the message is safe to show the user."""


class NotFoundError(ServiceError):
    pass
