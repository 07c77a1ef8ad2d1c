"""Framing annotator: span annotation for misinformation and framing datasets.

``create_app`` is loaded lazily so that ``import annotator.core`` stays free of
Flask and SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from annotator.app import create_app

        return create_app
    raise AttributeError(name)
