"""Configuration: defaults, then ``instance/config.py``, then ``ANNOTATOR_*``
environment variables, then the mapping passed to ``create_app``."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.pool import QueuePool

ENV_PREFIX = "ANNOTATOR_"

#: Environment variables read on start, with the config key each sets.
ENV_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "EXPORT_DIR": "EXPORT_DIR",
    "MODEL_DIR": "MODEL_DIR",
    "MAX_UPLOAD_MB": "MAX_UPLOAD_MB",
    "SECURE_COOKIES": "SESSION_COOKIE_SECURE",
    "SESSION_IDLE_DAYS": "SESSION_IDLE_DAYS",
}

#: A session unused this many days ends (the signed cookie's timestamp is
#: checked on every request, so a copied cookie ends too).
DEFAULT_SESSION_IDLE_DAYS = 14


def defaults(instance_path: Path, root_path: Path) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'annotator.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "EXPORT_DIR": str(root_path / "exports"),
        # Trained suggester models (annotator train, the Suggestions page).
        "MODEL_DIR": str(instance_path / "models"),
        "MAX_UPLOAD_MB": 50,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_DAYS": DEFAULT_SESSION_IDLE_DAYS,
        "WTF_CSRF_SSL_STRICT": True,
    }


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for suffix, key in ENV_KEYS.items():
        value = environ.get(ENV_PREFIX + suffix)
        if value:
            config[key] = value
    if "SESSION_IDLE_DAYS" in config:
        config["SESSION_IDLE_DAYS"] = float(config["SESSION_IDLE_DAYS"])
    if "MAX_UPLOAD_MB" in config:
        config["MAX_UPLOAD_MB"] = int(config["MAX_UPLOAD_MB"])
    if "SESSION_COOKIE_SECURE" in config:
        secure = config["SESSION_COOKIE_SECURE"].lower() in {"1", "true", "yes"}
        config["SESSION_COOKIE_SECURE"] = secure
        config["REMEMBER_COOKIE_SECURE"] = secure
    return config


#: A session-signing key shorter than this is refused at start.
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


def session_lifetime(config: dict[str, Any]) -> None:
    """Sessions end after SESSION_IDLE_DAYS unused, and the CSRF tokens made
    in them with them (Flask checks the signed cookie's age on every request;
    ``web.bearer.SessionInterface`` renews it once it is a minute old)."""
    days = float(config.get("SESSION_IDLE_DAYS", DEFAULT_SESSION_IDLE_DAYS))
    if not 0 < days <= 366:
        raise ConfigurationError(
            f"ANNOTATOR_SESSION_IDLE_DAYS must be between 0 and 366, not {days:g}"
        )
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=days)
    config["SESSION_REFRESH_EACH_REQUEST"] = True
    config["WTF_CSRF_TIME_LIMIT"] = int(timedelta(days=days).total_seconds())


def pool_options(config: dict[str, Any]) -> None:
    """On PostgreSQL the pool hands out the connection used last (LIFO, not
    the one idle longest): a request then talks to a server process that is
    still warm after a burst opened many. SQLite's in-memory pool takes no
    such option, and its file connections cost nothing to switch; nor does a
    pool the configuration chose that keeps no queue (NullPool)."""
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        chosen = options.get("poolclass")
        if "pool" in options or not (chosen is None or issubclass(chosen, QueuePool)):
            return
        options.setdefault("pool_use_lifo", True)
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def check_secret_key(key: str, where: str) -> str:
    """``key`` if it is long enough to sign sessions, else ConfigurationError
    naming ``where`` it came from and what to do."""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        said = "is empty" if not key else f"has {len(key)} characters"
        raise ConfigurationError(
            f"The secret key from {where} {said}; it needs at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters (for example "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`), "
            "or leave ANNOTATOR_SECRET_KEY unset and delete instance/secret_key "
            "to have one generated."
        )
    return key


def instance_secret_key(instance_path: Path) -> str:
    """The key kept in ``instance/secret_key``, created on first use (mode 0600)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return check_secret_key(key_file.read_text().strip(), str(key_file))
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
