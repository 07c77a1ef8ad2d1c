from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from annotator.extensions import db

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


def register(app: Flask) -> None:
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
