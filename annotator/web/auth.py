from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, login_user, logout_user

from annotator.extensions import current_session, db
from annotator.models import User
from annotator.services import accounts
from annotator.web.forms import LoginForm
from annotator.web.security import login_required, public

blueprint = Blueprint("auth", __name__)

LOGIN_FAILED = "Unknown username or wrong password."
LOGIN_PAUSED = (
    "Too many failed logins for this username from this computer: "
    "wait 15 minutes, or ask an admin to check the account."
)


def configure_login(manager: LoginManager) -> None:
    manager.session_protection = "strong"

    manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.can_log_in else None


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after login."""
    if not target:
        return url_for("projects.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for("projects.index")
    if target.startswith("//") or "\\" in target or not target.isprintable():
        return url_for("projects.index")
    return target


@blueprint.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    database = current_session()
    username = form.username.data
    try:
        user = accounts.check_login(
            database, username, form.password.data, request.remote_addr
        )
    except accounts.LoginPaused:
        flash(LOGIN_PAUSED, "error")
        return render_template("auth/login.html", form=form), 429
    except accounts.AccountDeactivated as error:
        flash(str(error), "error")
        return render_template("auth/login.html", form=form), 403
    if user is None:
        flash(LOGIN_FAILED, "error")
        return render_template("auth/login.html", form=form), 401
    session.clear()  # a fresh session at login: nothing carried over from before
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
