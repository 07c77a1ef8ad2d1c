"""Which error is which HTTP answer, in one place (STATUSES): the error
pages (HTML, or JSON under ``/api/``), the services' refusals no view
handled, and :func:`json_refusals` for the JSON views. The one teardown
that rolls back a request's leftovers is here too."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import Flask, jsonify, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from annotator.core.changes import MalformedRow
from annotator.extensions import db, login_manager
from annotator.services.accounts import AccountDeactivated, LoginPaused
from annotator.services.annotations import StaleVersion
from annotator.services.documents import ImportRefused
from annotator.services.errors import FieldRefused, NotFoundError, ServiceError
from annotator.services.review import DecisionBlocked, StaleReview, UndecidedGroups
from annotator.web.requests import wants_json

MESSAGES = {
    400: "The request was not valid.",
    401: "Please log in.",
    403: "You do not have access to this page.",
    404: "There is nothing here, or you are not a member of this project.",
    405: "That method is not allowed here.",
    409: "Someone changed this in the meantime.",
    413: "The upload is larger than the limit.",
    503: "The database is not answering; try again in a moment.",
}

#: Seconds a client is asked to wait before retrying while the database is
#: away (a PostgreSQL restart takes a few seconds).
RETRY_AFTER_SECONDS = 2


def _render(status: int, message: str) -> ResponseReturnValue:
    if wants_json():
        return jsonify(error=message, status=status), status
    return render_template("error.html", status=status, message=message), status


#: Each typed error of the services and its HTTP status, most specific
#: first: the one table both the HTML pages and the JSON answers use. A
#: ServiceError of no more specific type is a refusal of the request as the
#: data stands now (409).
STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (ImportRefused, 400),
    (FieldRefused, 400),
    (NotFoundError, 404),
    (AccountDeactivated, 403),
    (LoginPaused, 429),
    (MalformedRow, 409),
    (ServiceError, 409),
)


def status_of(error: Exception) -> int:
    """The HTTP status of a service's error (see STATUSES)."""
    return next(status for kind, status in STATUSES if isinstance(error, kind))


def refusal(error: ServiceError | MalformedRow) -> tuple[dict[str, Any], int]:
    """The JSON body and status of a refusal: 400 naming the field, 404 for
    anything outside the caller's reach, 409 for a stale version (with the
    current state), undecided groups (how many), decisions to undo first
    (``blocking``), a stored review row that does not decode (``malformed``)
    or a change another request got in first."""
    return {"error": str(error)} | _details(error), status_of(error)


def _details(error: Exception) -> dict[str, Any]:
    """What a JSON answer adds to the message, by the error's type."""
    if isinstance(error, MalformedRow):
        return {"malformed": {"row": error.row_id, "field": error.field}}
    if isinstance(error, FieldRefused):
        return {"field": error.field}
    if isinstance(error, ImportRefused):
        return {"problems": error.problems}
    if isinstance(error, StaleReview):
        return {"current": error.current}
    if isinstance(error, StaleVersion):
        return {"annotation": error.current}
    if isinstance(error, UndecidedGroups):
        return {"undecided": error.undecided}
    if isinstance(error, DecisionBlocked):
        return {"blocking": error.blocking}
    return {}


def json_refusals(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer the services' refusals of a JSON view in JSON, as
    :func:`refusal` says, wherever its URL is (the error handlers answer
    JSON only under ``/api/`` or to a JSON request). The services have
    rolled back what they began; the teardown rolls back anything left."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        try:
            return cast(ResponseReturnValue, view(*args, **kwargs))
        except (ServiceError, MalformedRow) as error:
            body, status = refusal(error)
            return jsonify(body), status

    return wrapper


def register(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    @app.errorhandler(MalformedRow)
    def refused(error: ServiceError | MalformedRow) -> ResponseReturnValue:
        """A refusal no view turned into a form error: JSON as
        :func:`refusal` says under /api/ and to JSON requests, else the error
        page with the message and the same status."""
        if wants_json():
            body, status = refusal(error)
            return jsonify(body), status
        message = str(error)
        if isinstance(error, MalformedRow):
            message += ". The review's history needs repair."
        return _render(status_of(error), message)

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

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_away(error: OperationalError | InterfaceError) -> ResponseReturnValue:
        """The database went away (restarted, unreachable, or SQLite locked
        beyond its busy timeout): 503 with Retry-After, so that clients
        retry, never a 500. What this request began was not committed (the
        teardown rolls it back); the pool's pre-ping replaces the dead
        connections on the next checkout, with no restart of the app."""
        app.logger.warning("database unavailable: %s", error.orig)
        # The failed transaction must end before anything else in this
        # request (the security headers) may use the session.
        db.session.rollback()
        if wants_json():
            response = make_response(jsonify(error=MESSAGES[503], status=503), 503)
        else:
            # Who is signed in cannot be read now: the page's header shows
            # no one for this answer (what flask-login's logout_user sets)
            # rather than querying the database again.
            login_manager._update_request_context_with_user(None)
            page = render_template("error.html", status=503, message=MESSAGES[503])
            response = make_response(page, 503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.teardown_request
    def rollback_on_error(error: BaseException | None) -> None:
        """The one place a request's leftovers are rolled back: services
        commit what they finish and roll back what they refuse (views and
        commands never roll back), so this only drops what an unexpected
        error left; the session itself ends with the app context."""
        if error is not None:
            db.session.rollback()
