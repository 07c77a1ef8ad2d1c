"""Which error is which HTTP answer, in one place: the error pages (HTML,
or JSON under ``/api/``), and :func:`json_refusals`, which turns the
services' refusals into JSON answers for the JSON APIs and rolls back the
request's transaction."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from annotator.core.changes import MalformedRow
from annotator.extensions import current_session, db
from annotator.services.annotations import StaleVersion
from annotator.services.errors import FieldRefused, NotFoundError, ServiceError
from annotator.services.review import DecisionBlocked, StaleReview, UndecidedGroups

MESSAGES = {
    400: "The request was not valid.",
    401: "Please log in.",
    403: "You do not have access to this page.",
    404: "There is nothing here, or you are not a member of this project.",
    405: "That method is not allowed here.",
    409: "Someone changed this in the meantime.",
    413: "The upload is larger than the limit.",
}


def _render(status: int, message: str) -> ResponseReturnValue:
    if request.path.startswith("/api/") or request.is_json:
        return jsonify(error=message, status=status), status
    return render_template("error.html", status=status, message=message), status


def refusal(error: ServiceError | MalformedRow) -> tuple[dict[str, Any], int]:
    """The JSON body and status of a refusal: 400 naming the field, 404 for
    anything outside the caller's reach, 409 for a stale version (with the
    current state), undecided groups (how many), decisions to undo first
    (``blocking``), a stored review row that does not decode (``malformed``)
    or a change another request got in first."""
    body: dict[str, Any] = {"error": str(error)}
    if isinstance(error, MalformedRow):
        return body | {"malformed": {"row": error.row_id, "field": error.field}}, 409
    if isinstance(error, FieldRefused):
        return body | {"field": error.field}, 400
    if isinstance(error, NotFoundError):
        return body, 404
    if isinstance(error, StaleReview):
        return body | {"current": error.current}, 409
    if isinstance(error, StaleVersion):
        return body | {"annotation": error.current}, 409
    if isinstance(error, UndecidedGroups):
        return body | {"undecided": error.undecided}, 409
    if isinstance(error, DecisionBlocked):
        return body | {"blocking": error.blocking}, 409
    return body, 409


def json_refusals(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer the services' refusals of a JSON view as :func:`refusal` says,
    after rolling back whatever the request began."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        try:
            return cast(ResponseReturnValue, view(*args, **kwargs))
        except (ServiceError, MalformedRow) as error:
            current_session().rollback()
            body, status = refusal(error)
            return jsonify(body), status

    return wrapper


def register(app: Flask) -> None:
    @app.errorhandler(MalformedRow)
    def malformed_row(error: MalformedRow) -> ResponseReturnValue:
        """A page reading a review row that does not decode (the JSON API
        answers it through :func:`json_refusals`)."""
        db.session.rollback()
        return _render(409, f"{error}. The review's history needs repair.")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _render(
            400,
            f"The form's security token is missing or old: "
            f"{error.description} Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        if status == 413 and error.description == type(error).description:
            limit = app.config["MAX_UPLOAD_MB"]
            return _render(413, f"The upload is larger than the {limit} MB limit.")
        # Our own abort(..., description=...) says more than the generic text.
        if error.description and error.description != type(error).description:
            return _render(status, error.description)
        return _render(status, MESSAGES.get(status, error.description or "Error"))

    @app.teardown_request
    def rollback_on_error(error: BaseException | None) -> None:
        if error is not None:
            db.session.rollback()
