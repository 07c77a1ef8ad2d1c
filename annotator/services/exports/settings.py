"""What the user chooses for an export, checked against the project."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from annotator.core.exports import (
    ExportFormat,
    ExportOptions,
    UnknownFormatError,
    get_format,
)
from annotator.core.exports.base import DoccanoOffsets, DoccanoShape
from annotator.core.exports.split import SPLITS, check_ratios
from annotator.models import (
    Project,
)
from annotator.services.errors import FieldRefused, ServiceError

LAYERS = ("annotators", "majority", "gold")
STATUSES = ("submitted", "adjudicated")
NO_GOLD = "no gold layer yet: the project has no adjudicated documents"


class OptionRefused(FieldRefused):
    """An export option refused: ``field`` names it (the JSON API answers 400
    with it); the message is the one the form and the command line show."""

    def __init__(self, field: str, message: str) -> None:
        ServiceError.__init__(self, message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """What the user chooses; ``labels`` empty means every label of the project,
    ``min_annotators`` None means more than half of annotators_per_document,
    ``split`` None means no train/dev/test split."""

    format: str = "jsonl"
    layer: str = "annotators"
    min_annotators: int | None = None
    min_agreement: float | None = None
    labels: tuple[str, ...] = ()
    status: str = "submitted"
    split: tuple[float, float, float] | None = None
    seed: int = 0
    pseudonymise: bool = True
    #: doccano only: ``utf16`` (default, what doccano's page counts) or
    #: ``codepoints``; None is the default.
    offsets: str | None = None
    #: doccano only: ``label``, ``relations`` or ``auto`` (None is ``auto``:
    #: ``relations`` when the project holds any link).
    doccano_shape: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain JSON values for the manifest."""
        return {
            "layer": self.layer,
            "status": self.status,
            "labels": list(self.labels),
            "min_annotators": self.min_annotators,
            "min_agreement": self.min_agreement,
            "split": dict(zip(SPLITS, self.split, strict=True)) if self.split else None,
            "seed": self.seed if self.split else None,
            "pseudonymise": self.pseudonymise,
        }


def parse_ratios(value: str) -> tuple[float, float, float]:
    """``"0.8,0.1,0.1"`` as train, dev and test ratios (they must sum to 1)."""
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 3:
        raise OptionRefused(
            "split", f"split {value!r}: give three ratios, train,dev,test"
        )
    try:
        ratios = tuple(float(part) for part in parts)
        check_ratios(dict(zip(SPLITS, ratios, strict=True)))
    except ValueError as error:
        raise OptionRefused("split", f"split {value!r}: {error}") from None
    return ratios[0], ratios[1], ratios[2]


def parse_labels(value: str) -> tuple[str, ...]:
    """``"claim,denial"`` as a tuple of label names."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class Plan:
    """Checked settings with every default filled in."""

    fmt: ExportFormat
    settings: ExportSettings
    options: ExportOptions
    #: Every label of the project is exported (no span is left out by label).
    every_label: bool

    @property
    def ratios(self) -> dict[str, float] | None:
        split = self.settings.split
        return dict(zip(SPLITS, split, strict=True)) if split else None


def make_plan(project: Project, settings: ExportSettings) -> Plan:
    """The settings checked against the project, defaults filled in;
    ServiceError naming the first bad choice."""
    try:
        fmt = get_format(settings.format)
    except UnknownFormatError as error:
        raise OptionRefused("format", str(error.args[0])) from None
    if settings.layer not in LAYERS:
        raise OptionRefused(
            "layer", f"layer {settings.layer!r}: one of {', '.join(LAYERS)}"
        )
    if settings.status not in STATUSES:
        raise OptionRefused(
            "status", f"status {settings.status!r}: one of {', '.join(STATUSES)}"
        )
    if settings.split is not None:
        _check_split(settings.split)
    labels = _checked_labels(project, settings.labels)
    settings = replace(
        settings,
        labels=labels,
        min_annotators=_checked_min_annotators(project, settings),
        min_agreement=_checked_min_agreement(settings.min_agreement),
    )
    every_label = len(labels) == len(project.labels)
    splits: tuple[str, ...] = ()
    if settings.split is not None:
        splits = tuple(n for n, r in zip(SPLITS, settings.split, strict=True) if r > 0)
    _check_doccano_shape(fmt, settings)
    options = ExportOptions(
        labels=labels, splits=splits, doccano_offsets=_doccano_offsets(fmt, settings)
    )
    return Plan(fmt, settings, options, every_label)


DOCCANO_SHAPES = ("auto", "label", "relations")


def _check_doccano_shape(fmt: ExportFormat, settings: ExportSettings) -> None:
    if settings.doccano_shape is None:
        return
    if fmt.name != "doccano":
        raise OptionRefused(
            "doccano_shape",
            f"doccano_shape applies to the doccano format only, not {fmt.name!r}",
        )
    if settings.doccano_shape not in DOCCANO_SHAPES:
        raise OptionRefused(
            "doccano_shape",
            f"doccano_shape {settings.doccano_shape!r}: one of "
            f"{', '.join(DOCCANO_SHAPES)}",
        )


def settle_doccano_shape(plan: Plan, project_has_links: bool) -> Plan:
    """The plan with its doccano shape decided: the one asked for, or for
    ``auto`` the relation shape when the project holds any link (so no link
    is lost and every line has the shape one doccano project reads)."""
    if plan.fmt.name != "doccano":
        return plan
    chosen = plan.settings.doccano_shape or "auto"
    shape: DoccanoShape
    if chosen == "auto":
        shape = "relations" if project_has_links else "label"
    else:
        shape = "relations" if chosen == "relations" else "label"
    return replace(plan, options=replace(plan.options, doccano_shape=shape))


DOCCANO_OFFSETS: dict[str, DoccanoOffsets] = {
    "utf16": "utf16",
    "codepoints": "code_points",
}


def _doccano_offsets(fmt: ExportFormat, settings: ExportSettings) -> DoccanoOffsets:
    if settings.offsets is None:
        return "utf16"
    if fmt.name != "doccano":
        raise OptionRefused(
            "offsets", f"offsets applies to the doccano format only, not {fmt.name!r}"
        )
    if settings.offsets not in DOCCANO_OFFSETS:
        raise OptionRefused(
            "offsets",
            f"offsets {settings.offsets!r}: one of {', '.join(DOCCANO_OFFSETS)}",
        )
    return DOCCANO_OFFSETS[settings.offsets]


def _check_split(split: Sequence[float]) -> None:
    try:
        check_ratios(dict(zip(SPLITS, split, strict=True)))
    except ValueError as error:
        raise OptionRefused("split", f"split: {error}") from None


def _checked_labels(project: Project, chosen: Sequence[str]) -> tuple[str, ...]:
    """The chosen labels in the project's order (all of them if none chosen)."""
    names = [label.name for label in project.labels]
    unknown = [name for name in chosen if name not in names]
    if unknown:
        raise OptionRefused(
            "labels",
            f"unknown label {unknown[0]!r}: "
            f"the project's labels are {', '.join(names)}",
        )
    return tuple(name for name in names if not chosen or name in chosen)


def _checked_min_annotators(project: Project, settings: ExportSettings) -> int | None:
    wanted = settings.min_annotators
    if settings.layer != "majority":
        if wanted is not None:
            raise OptionRefused(
                "min_annotators", "min_annotators applies to the majority layer only"
            )
        return None
    if wanted is None:
        return project.annotators_per_document // 2 + 1
    if wanted < 1:
        raise OptionRefused(
            "min_annotators", f"min_annotators: at least 1, not {wanted}"
        )
    return wanted


def _checked_min_agreement(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value <= 1.0):
        raise OptionRefused(
            "min_agreement", f"min_agreement: a number up to 1, not {value}"
        )
    return value
