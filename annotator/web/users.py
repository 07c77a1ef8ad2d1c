"""Accounts, managed by site admins."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from annotator.extensions import current_session
from annotator.models import User
from annotator.services import accounts
from annotator.services.errors import ServiceError
from annotator.web.forms import UserForm
from annotator.web.security import site_admin_required

blueprint = Blueprint("users", __name__)


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
