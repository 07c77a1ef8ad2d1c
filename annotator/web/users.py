"""Accounts, managed by site admins: create, edit, new password, deactivate."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from annotator.extensions import current_session
from annotator.models import User
from annotator.services import account_admin, accounts, tokens
from annotator.services.errors import ServiceError
from annotator.web.forms import ConfirmForm, PasswordResetForm, UserEditForm, UserForm
from annotator.web.security import refuse_token, site_admin_required

blueprint = Blueprint("users", __name__)


def _actor() -> User:
    return cast(User, current_user._get_current_object())


def _account(user_id: int) -> User:
    found = current_session().get(User, user_id)
    if found is None:
        abort(404)
    return found


@blueprint.route("/users", methods=["GET", "POST"])
@site_admin_required
def index() -> ResponseReturnValue:
    form = UserForm()
    session = current_session()
    if form.validate_on_submit():
        try:
            accounts.create_user(
                session,
                form.username.data,
                form.password.data,
                is_admin=form.is_admin.data,
            )
        except ServiceError as error:
            session.rollback()
            form.username.errors.append(str(error))
        else:
            flash(f"User {form.username.data} created.", "info")
            return redirect(url_for("users.index"))
    users = session.scalars(select(User).order_by(User.username)).all()
    status = 400 if form.errors else 200
    return render_template("users/index.html", form=form, users=users), status


def _edit_page(
    user: User,
    form: UserEditForm | None = None,
    password_form: PasswordResetForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "users/edit.html",
        user=user,
        form=form or UserEditForm(formdata=None, is_admin=user.is_admin),
        password_form=password_form or PasswordResetForm(formdata=None),
        work=account_admin.account_work(current_session(), user),
        tokens=tokens.list_tokens(current_session(), user),
        revoke_form=ConfirmForm(),
    ), status


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@site_admin_required
def edit(user_id: int) -> ResponseReturnValue:
    user = _account(user_id)
    form = UserEditForm(is_admin=user.is_admin)
    if not form.validate_on_submit():
        return _edit_page(user, form, status=400 if form.errors else 200)
    try:
        changed = account_admin.set_site_admin(
            current_session(), user, form.is_admin.data, _actor()
        )
    except ServiceError as error:
        current_session().rollback()
        form.is_admin.errors.append(str(error))
        return _edit_page(user, form, status=400)
    if changed:
        now = "is now a site admin" if user.is_admin else "is no longer a site admin"
        flash(f"{user.username} {now}.", "info")
    return redirect(url_for("users.edit", user_id=user.id))


@blueprint.route("/users/<int:user_id>/password", methods=["POST"])
@site_admin_required
def reset_password(user_id: int) -> ResponseReturnValue:
    user = _account(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _edit_page(user, password_form=form, status=400)
    try:
        account_admin.reset_password(
            current_session(), user, form.password.data, _actor()
        )
    except ServiceError as error:
        current_session().rollback()
        form.password.errors.append(str(error))
        return _edit_page(user, password_form=form, status=400)
    flash(f"New password set for {user.username}.", "info")
    return redirect(url_for("users.edit", user_id=user.id))


@blueprint.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@site_admin_required
def revoke_token(user_id: int, token_id: int) -> ResponseReturnValue:
    refuse_token()
    user = _account(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _edit_page(user, status=400)
    if token_id not in {row.id for row in tokens.list_tokens(current_session(), user)}:
        abort(404)
    revoked = tokens.revoke_token(current_session(), _actor(), token_id)
    flash(
        f"Token revoked for {user.username}." if revoked else "Already revoked.",
        "info",
    )
    return redirect(url_for("users.edit", user_id=user.id), 303)


def _confirm(user_id: int, deactivate: bool) -> ResponseReturnValue:
    """GET: what will happen; POST (with the CSRF token): do it."""
    user = _account(user_id)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        change = (
            account_admin.deactivate_user
            if deactivate
            else account_admin.reactivate_user
        )
        try:
            change(current_session(), user, _actor())
        except ServiceError as error:
            current_session().rollback()
            problem = str(error)
        else:
            done = "deactivated" if deactivate else "reactivated"
            flash(f"{user.username} is {done}.", "info")
            return redirect(url_for("users.edit", user_id=user.id))
    page = render_template(
        "users/confirm_active.html",
        user=user,
        form=form,
        deactivate=deactivate,
        problem=problem,
        work=account_admin.account_work(current_session(), user),
    )
    return page, 400 if problem or form.errors else 200


@blueprint.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@site_admin_required
def deactivate(user_id: int) -> ResponseReturnValue:
    return _confirm(user_id, deactivate=True)


@blueprint.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
@site_admin_required
def reactivate(user_id: int) -> ResponseReturnValue:
    return _confirm(user_id, deactivate=False)
