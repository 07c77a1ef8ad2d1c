"""An export's choices as JSON: the API's body and an export job's stored
options. The names and values are those of ``annotator export`` and the
Exports page; what they mean for a project is checked by ``make_plan``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from annotator.core.spans import MAX_STORED_INT
from annotator.services.exports.settings import (
    ExportSettings,
    OptionRefused,
    parse_labels,
    parse_ratios,
)

#: The keys an export's JSON options may hold.
OPTION_KEYS = (
    "format",
    "layer",
    "status",
    "labels",
    "min_annotators",
    "min_agreement",
    "split",
    "seed",
    "real_names",
    "offsets",
    "doccano_shape",
)


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise OptionRefused(field, f"{field}: a string, not {_shown(value)}")
    return value


def _optional_text(field: str, value: object) -> str | None:
    return None if value is None else _text(field, value)


def _whole(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OptionRefused(field, f"{field}: a whole number, not {_shown(value)}")
    if abs(value) > MAX_STORED_INT:
        raise OptionRefused(field, f"{field}: at most {MAX_STORED_INT} either way")
    return value


def _optional_whole(field: str, value: object) -> int | None:
    return None if value is None else _whole(field, value)


def _optional_number(field: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OptionRefused(field, f"{field}: a number, not {_shown(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise OptionRefused(field, f"{field}: a finite number, not {value}")
    return number


def _flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise OptionRefused(field, f"{field}: true or false, not {_shown(value)}")
    return value


def _labels(field: str, value: object) -> tuple[str, ...]:
    """A list of label names, or one comma-separated string as on the
    command line."""
    if isinstance(value, str):
        return parse_labels(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OptionRefused(field, f"{field}: a list of label names")
    return tuple(name.strip() for name in value if name.strip())


def _split(field: str, value: object) -> tuple[float, float, float] | None:
    """``"0.8,0.1,0.1"`` as on the command line, or ``[0.8, 0.1, 0.1]``."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return parse_ratios(value)
    if not isinstance(value, list) or len(value) != 3:
        raise OptionRefused(field, f"{field}: three ratios, train,dev,test")
    ratios = [_optional_number(field, part) for part in value]
    if None in ratios:
        raise OptionRefused(field, f"{field}: three ratios, train,dev,test")
    return parse_ratios(",".join(repr(ratio) for ratio in ratios))


def settings_from_json(options: Mapping[str, Any]) -> ExportSettings:
    """The settings a JSON object of options asks for (defaults for the keys
    it leaves out); OptionRefused naming the first key that is unknown or of
    the wrong type. Whether the values fit the project is ``make_plan``'s."""
    unknown = sorted(set(options) - set(OPTION_KEYS))
    if unknown:
        raise OptionRefused(
            unknown[0],
            f"{unknown[0]}: not an export option (they are {', '.join(OPTION_KEYS)})",
        )
    base = ExportSettings()

    def given(key: str, default: object) -> object:
        return options.get(key, default)

    return ExportSettings(
        format=_text("format", given("format", base.format)),
        layer=_text("layer", given("layer", base.layer)),
        status=_text("status", given("status", base.status)),
        labels=_labels("labels", given("labels", [])),
        min_annotators=_optional_whole("min_annotators", given("min_annotators", None)),
        min_agreement=_optional_number("min_agreement", given("min_agreement", None)),
        split=_split("split", given("split", None)),
        seed=_whole("seed", given("seed", base.seed)),
        pseudonymise=not _flag("real_names", given("real_names", False)),
        offsets=_optional_text("offsets", given("offsets", None)),
        doccano_shape=_optional_text("doccano_shape", given("doccano_shape", None)),
    )


def settings_to_json(settings: ExportSettings) -> dict[str, Any]:
    """The settings as the JSON options ``settings_from_json`` reads back."""
    return {
        "format": settings.format,
        "layer": settings.layer,
        "status": settings.status,
        "labels": list(settings.labels),
        "min_annotators": settings.min_annotators,
        "min_agreement": settings.min_agreement,
        "split": list(settings.split) if settings.split else None,
        "seed": settings.seed,
        "real_names": not settings.pseudonymise,
        "offsets": settings.offsets,
        "doccano_shape": settings.doccano_shape,
    }


def _shown(value: object) -> str:
    """A refused value for the message: short, whatever its size."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
