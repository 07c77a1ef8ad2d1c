"""The label schema: the four default labels, their look, and the link rules."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

LABEL_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
UNDERLINE_STYLES = ("solid", "double", "dotted", "dashed", "wavy")
#: "l" is the annotation page's link key, so no label may take it.
ALLOWED_HOTKEYS = tuple("123456789") + tuple("abcdefghijkmnopqrstuvwxyz")

#: A link kind maps to the (source label, target label) pairs it may join.
LINK_RULES: dict[str, frozenset[tuple[str, str]]] = {
    "denies": frozenset({("denial", "claim")}),
}

#: Free-text attributes a span may carry besides its note: the default
#: schema of a project (each project stores its own).
ATTRIBUTE_NAMES = ("source",)
ATTRIBUTE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ATTRIBUTE_NAMES = 20
MAX_ATTRIBUTE_LENGTH = 500
MAX_NOTE_LENGTH = 2000
#: A label's definition and its examples (plain text, examples one a line).
MAX_DEFINITION_LENGTH = 500
MAX_EXAMPLES_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class LabelSpec:
    name: str
    display_name: str
    color: str
    hotkey: str
    underline: str
    definition: str = ""
    examples: str = ""

    @property
    def example_lines(self) -> list[str]:
        """The examples, one a line, blank lines dropped."""
        return example_lines(self.examples)


def example_lines(examples: str) -> list[str]:
    """``examples`` split into its non-blank lines, trimmed."""
    return [line.strip() for line in examples.splitlines() if line.strip()]


DEFAULT_LABELS: tuple[LabelSpec, ...] = (
    LabelSpec("claim", "Claim", "#1f77b4", "1", "solid"),
    LabelSpec("denial", "Denial", "#d62728", "2", "double"),
    LabelSpec("hedge", "Hedge", "#2ca02c", "3", "dotted"),
    LabelSpec("false_flag_warning", "False-flag warning", "#9467bd", "4", "wavy"),
)


def label_spec_errors(spec: LabelSpec) -> list[str]:
    """Return one message per invalid field of a label definition."""
    errors = []
    if not LABEL_NAME_PATTERN.match(spec.name):
        errors.append(
            f"name {spec.name!r}: use lower-case letters, digits and _ (max 40)"
        )
    if not spec.display_name.strip() or len(spec.display_name) > 60:
        errors.append("display_name: 1 to 60 characters")
    if not COLOR_PATTERN.match(spec.color):
        errors.append(f"color {spec.color!r}: expected #rrggbb")
    if spec.hotkey not in ALLOWED_HOTKEYS:
        errors.append(
            f"hotkey {spec.hotkey!r}: one digit 1-9 or letter a-z other than l "
            "(the link key)"
        )
    if spec.underline not in UNDERLINE_STYLES:
        errors.append(f"underline {spec.underline!r}: one of {UNDERLINE_STYLES}")
    if len(spec.definition) > MAX_DEFINITION_LENGTH:
        errors.append(f"definition: at most {MAX_DEFINITION_LENGTH} characters")
    if len(spec.examples) > MAX_EXAMPLES_LENGTH:
        errors.append(f"examples: at most {MAX_EXAMPLES_LENGTH} characters")
    return errors


def link_allowed(kind: str, source_label: str, target_label: str) -> bool:
    """Whether a link of ``kind`` may join a span labelled ``source_label`` to
    one labelled ``target_label``."""
    return (source_label, target_label) in LINK_RULES.get(kind, frozenset())


@dataclass(frozen=True, slots=True)
class SpanSchema(Collection[str]):
    """What a project's spans may carry: a collection of its label names (so
    it goes wherever label names go: ``label in schema``) that also knows the
    names of the attributes a span may have."""

    labels: frozenset[str]
    attributes: tuple[str, ...] = ATTRIBUTE_NAMES

    def __contains__(self, name: object) -> bool:
        return name in self.labels

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)


def attribute_names_of(labels: Collection[str]) -> Collection[str]:
    """The attribute names ``labels`` allows: a SpanSchema's own, else the
    default schema's."""
    return labels.attributes if isinstance(labels, SpanSchema) else ATTRIBUTE_NAMES


def attribute_schema_errors(names: object) -> list[str]:
    """Why ``names`` cannot be a project's attribute schema (empty if it can):
    a list of distinct names of lower-case letters, digits and _."""
    if not isinstance(names, list | tuple):
        return ["attributes: must be a list of names"]
    if len(names) > MAX_ATTRIBUTE_NAMES:
        return [f"attributes: at most {MAX_ATTRIBUTE_NAMES} names"]
    errors = [
        f"attribute {name!r}: 1-40 lower-case letters, digits or _, "
        "starting with a letter"
        for name in names
        if not isinstance(name, str) or not ATTRIBUTE_NAME_PATTERN.match(name)
    ]
    twice = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    return errors + [f"attribute {name!r} is named twice" for name in twice]
