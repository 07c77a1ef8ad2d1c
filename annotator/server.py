"""Run the app under gunicorn from the ``annotator serve`` command."""

from __future__ import annotations

import gc
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn 25.1+ opens a control socket at one path per OS user, so
        # every `annotator serve` of that user would share it: nothing here
        # uses it, so it stays closed.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        return self.application


def _freeze_before_fork(_server: object) -> None:
    """Move what the master has loaded (the app, its modules) out of the
    garbage collector's sight before the workers fork."""
    gc.freeze()


def run_gunicorn(app: Flask, host: str, port: int, workers: int) -> None:
    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": 4,
            "accesslog": "-",
            "forwarded_allow_ips": "127.0.0.1",
            "when_ready": _freeze_before_fork,
        },
    ).run()
