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
from flask_login import LoginManager, current_user, login_user, logout_user

from annotator.extensions import current_session
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


#: The session key holding the user's session generation at login.
GENERATION = "generation"


def load_user(user_id: str) -> User | None:
    """The session's user, unless the account may no longer log in or the
    session was made before its user's sessions were ended (logout anywhere,
    a password change, deactivation)."""
    if not user_id.isdigit():
        return None
    user = accounts.user_by_id(current_session(), int(user_id))
    if user is None or not user.can_log_in:
        return None
    if session.get(GENERATION) != user.session_generation:
        return None
    return user


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
    session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME idle
    session[GENERATION] = user.session_generation
    login_user(user)
    return redirect(_safe_next(request.args.get("next")))


@blueprint.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    accounts.log_out(current_session(), current_user)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
