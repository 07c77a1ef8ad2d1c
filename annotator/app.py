"""The application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from annotator import config as configuration
from annotator.extensions import csrf, db, login_manager
from annotator.web.requests import AnnotatorRequest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults → instance config → ANNOTATOR_* env → test mapping."""
    app = Flask(
        __name__,
        instance_path=os.environ.get(
            "ANNOTATOR_INSTANCE_PATH", str(PROJECT_ROOT / "instance")
        ),
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.request_class = AnnotatorRequest
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    return app


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    instance_path = Path(app.instance_path)
    app.config.from_mapping(configuration.defaults(instance_path, PROJECT_ROOT))
    app.config.from_pyfile("config.py", silent=True)
    from_environment = configuration.from_environment(os.environ)
    if "SECRET_KEY" in from_environment:
        configuration.check_secret_key(
            from_environment["SECRET_KEY"], "ANNOTATOR_SECRET_KEY"
        )
    app.config.from_mapping(from_environment)
    if test_config:
        app.config.from_mapping(test_config)
    configuration.session_lifetime(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = configuration.instance_secret_key(instance_path)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    configuration.pool_options(app.config)
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    from annotator.web.auth import configure_login
    from annotator.web.bearer import configure_bearer

    configure_login(login_manager)
    configure_bearer(app, login_manager)


def register_blueprints(app: Flask) -> None:
    from annotator.web import blueprints
    from annotator.web.security import StoredIdConverter

    # Before any route is added: every <int:...> in a URL is a stored id.
    app.url_map.converters["int"] = StoredIdConverter
    for blueprint in blueprints():
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from annotator.web.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from annotator.web.assets import configure_assets
    from annotator.web.security import add_security_headers

    configure_assets(app)
    app.after_request(add_security_headers)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL and a busy timeout let several annotators save at once on SQLite."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # In WAL mode NORMAL loses no committed data on a crash of the process,
    # only possibly on power loss, and spares an fsync per save.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
