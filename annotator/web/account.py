"""The signed-in user's own account: their personal API tokens."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.extensions import current_session
from annotator.models import User
from annotator.services import tokens
from annotator.services.errors import NotFoundError, ServiceError
from annotator.web.forms import ConfirmForm, TokenForm
from annotator.web.security import session_login_required

blueprint = Blueprint("account", __name__)


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _page(
    form: TokenForm | None = None,
    new_token: tuple[str, int] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The account page; ``new_token`` is a token just made (plain, id)."""
    return render_template(
        "account/index.html",
        form=form or TokenForm(formdata=None),
        revoke_form=ConfirmForm(),
        tokens=tokens.list_tokens(current_session(), _user()),
        new_token=new_token,
    ), status


@blueprint.get("/account")
@session_login_required
def index() -> ResponseReturnValue:
    return _page()


@blueprint.post("/account/tokens")
@session_login_required
def create_token() -> ResponseReturnValue:
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        plain, row = tokens.create_token(current_session(), _user(), form.name.data)
    except ServiceError as error:
        form.name.errors.append(str(error))
        return _page(form, status=400)
    # Shown in this answer only (never flashed: that would put it in the
    # session cookie), and the answer is not cached (Cache-Control: no-store).
    return _page(new_token=(plain, row.id), status=201)


@blueprint.post("/account/tokens/<int:token_id>/revoke")
@session_login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(status=400)
    try:
        revoked = tokens.revoke_token(current_session(), _user(), token_id)
    except NotFoundError:
        abort(404)
    flash("Token revoked." if revoked else "That token was already revoked.", "info")
    return redirect(url_for("account.index"), 303)
