"""What the review services refuse, and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from annotator.core.spans import FieldError
from annotator.services.errors import FieldRefused, ServiceError


class InvalidDecision(FieldRefused):
    """A decision the service refuses; ``field`` names the bad input."""


class StaleReview(ServiceError):
    """The reviewer decided on an outdated view of the document."""

    def __init__(self, current: dict[str, Any]) -> None:
        self.current = current
        super().__init__(
            "Another reviewer changed this document's gold layer meanwhile; "
            "the latest state has been loaded."
        )


class DecisionBlocked(ServiceError):
    """An undo or redo that later live decisions stand in the way of
    (:mod:`annotator.core.decisions`); ``blocking`` are their audit row ids."""

    def __init__(self, message: str, blocking: Sequence[int]) -> None:
        self.blocking = list(blocking)
        super().__init__(message)


class UndecidedGroups(ServiceError):
    """Adjudication asked while groups are undecided, without confirming
    their number; ``undecided`` is how many remain."""

    def __init__(self, undecided: int) -> None:
        self.undecided = undecided
        groups = "group is" if undecided == 1 else "groups are"
        super().__init__(
            f"{undecided} {groups} still undecided: decide them, or confirm "
            f"adjudicating without them by sending undecided={undecided}"
        )


def refuse(field_name: str, message: str) -> InvalidDecision:
    return InvalidDecision(FieldError(field_name, message))
