"""Extensions, created unbound and attached in ``create_app``."""

from __future__ import annotations

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from annotator.models import Base

# Our own declarative Base holds the models; Flask-SQLAlchemy only manages
# the engine and the request-scoped session.
db = SQLAlchemy(metadata=Base.metadata)
csrf = CSRFProtect()
login_manager = LoginManager()


def current_session() -> Session:
    """The SQLAlchemy session of the current request or command."""
    return db.session()
