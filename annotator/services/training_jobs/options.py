"""A training's options as submitted (layer, epochs, seed): checked, with
their defaults filled in."""

from __future__ import annotations

from typing import Any

from annotator.core.spans import FieldError
from annotator.services.errors import FieldRefused
from annotator.services.suggesters import training
from annotator.services.suggesters.gold import TRAINING_LAYERS

#: More epochs than this is a typing slip, not a training.
MAX_EPOCHS = 200
KNOWN = frozenset({"layer", "epochs", "seed"})


def training_options(options: dict[str, Any]) -> dict[str, Any]:
    """The training's options with defaults; FieldRefused naming a bad one."""
    for key in options:
        if key not in KNOWN:
            raise FieldRefused(
                FieldError(key, f"unknown option; known: {', '.join(sorted(KNOWN))}")
            )
    layer = options.get("layer", "gold")
    if layer not in TRAINING_LAYERS:
        raise FieldRefused(FieldError("layer", f"one of {', '.join(TRAINING_LAYERS)}"))
    epochs = options.get("epochs", training.DEFAULT_EPOCHS)
    if not _whole(epochs) or not 1 <= epochs <= MAX_EPOCHS:
        raise FieldRefused(FieldError("epochs", f"a whole number, 1 to {MAX_EPOCHS}"))
    seed = options.get("seed", 0)
    if not _whole(seed) or not 0 <= seed < 2**31:
        raise FieldRefused(FieldError("seed", "a whole number, 0 to 2147483647"))
    return job_options(layer, epochs, seed)


def job_options(layer: str, epochs: int, seed: int) -> dict[str, Any]:
    """A training's options as its job stores them (the page's, checked
    above, or ``annotator train``'s, checked by its own options)."""
    return {
        "layer": layer,
        "epochs": epochs,
        "seed": seed,
        "held_out": training.DEFAULT_HELD_OUT,
    }


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
