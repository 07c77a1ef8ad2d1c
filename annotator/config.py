"""Configuration: defaults, then ``instance/config.py``, then ``ANNOTATOR_*``
environment variables, then the mapping passed to ``create_app``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENV_PREFIX = "ANNOTATOR_"

#: Environment variables read on start, with the config key each sets.
ENV_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
    "EXPORT_DIR": "EXPORT_DIR",
    "MAX_UPLOAD_MB": "MAX_UPLOAD_MB",
    "SECURE_COOKIES": "SESSION_COOKIE_SECURE",
}


def defaults(instance_path: Path, root_path: Path) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'annotator.sqlite'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "EXPORT_DIR": str(root_path / "exports"),
        "MAX_UPLOAD_MB": 50,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
    }


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for suffix, key in ENV_KEYS.items():
        value = environ.get(ENV_PREFIX + suffix)
        if value:
            config[key] = value
    if "MAX_UPLOAD_MB" in config:
        config["MAX_UPLOAD_MB"] = int(config["MAX_UPLOAD_MB"])
    if "SESSION_COOKIE_SECURE" in config:
        secure = config["SESSION_COOKIE_SECURE"].lower() in {"1", "true", "yes"}
        config["SESSION_COOKIE_SECURE"] = secure
        config["REMEMBER_COOKIE_SECURE"] = secure
    return config


def instance_secret_key(instance_path: Path) -> str:
    """The key kept in ``instance/secret_key``, created on first use (mode 0600)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
