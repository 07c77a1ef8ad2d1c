"""Screenshots of the Suggestions page's training card at the two sizes
pages are judged at, for the training tests (in ``ANNOTATOR_SHOTS_DIR``, by
default a folder of the system's temporary directory). Their held training
is the ``held_training`` fixture (conftest.py)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

SHOTS = Path(
    os.environ.get(
        "ANNOTATOR_SHOTS_DIR", Path(tempfile.gettempdir()) / "annotator-shots"
    )
)


def shoot(page: Any, folder: str, name: str) -> None:
    """The training card at 1400x900 and 1024x768, with no sideways scroll."""
    where = SHOTS / folder
    where.mkdir(parents=True, exist_ok=True)
    for width, height in ((1400, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.locator("#training-heading").scroll_into_view_if_needed()
        page.screenshot(path=where / f"{name}-{width}x{height}.png", full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
