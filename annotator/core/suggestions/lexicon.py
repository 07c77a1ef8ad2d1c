"""A cue lexicon: per label, entries written one a line, parsed into rules.

An entry is a phrase with optional settings after ``;``::

    reportedly
    could not be independently verified
    deny/denies/denied/denying ; span=rest
    [about] #
    staged ; span=clause ; needs=deception

- Words are matched case-insensitively on word boundaries; a phrase matches
  as a phrase (its words separated by spaces, a line break or a hyphen, with
  an optional quotation mark between them).
- ``a/b/c`` is one word with alternative forms (inflections); ``word*``
  matches any further letters (``alleg*``: alleged, allegedly, allegation).
  ``#`` is a number. An apostrophe also matches a curly one.
- ``[ ... ]`` marks the words the rule proposes when the phrase is longer:
  ``[about] #`` proposes "about" only when a number follows.
- ``span=`` what is proposed: ``cue`` (the matched words, the default),
  ``rest`` (from the cue to the end of its clause: what a denial denies),
  ``clause`` (the whole clause around the cue, without the speaker and the
  reporting verb: a warning) or ``after`` (from after the cue, a time
  right after it, and its "that": right after it, after an aside between
  commas or after an adjunct of at most four words that starts with an
  ``unless_next`` entry, to the end of the clause: what a reporting verb
  reports, a claim).
- ``needs=GROUP`` the same sentence must also hold an entry of the context
  group ``GROUP`` (outside the cue); ``unless=GROUP`` it must not;
  ``unless_next=GROUP`` the words right after the cue must not be an entry
  of ``GROUP`` ("could" not followed by "swim" or "not find": the ability
  sense; for ``span=after``, not asked when a "that" opens the report:
  "said that on Monday…" is a claim).
- ``unless_head=GROUP`` no entry of ``GROUP`` may start within the first
  five words of the proposed span, its head (a report whose predicate
  admits ignorance, "it was too early to say who…", is no claim: the
  guideline tags its hedge only; "12 died and it was unclear who…" is).
- ``yields=LABEL`` a proposal of this rule is dropped where a proposal of
  ``LABEL`` overlaps it (the guideline's ties: a denial is tagged denial,
  not claim).
- ``score=0.7`` the score (0 to 1) of the rule's suggestions.
- A line starting with ``#`` is a comment; blank lines are ignored.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from annotator.core.labels import LABEL_NAME_PATTERN

MAX_ENTRIES = 2000
MAX_ENTRY_LENGTH = 200
DEFAULT_SCORE = 0.5
GROUP_NAME = regex.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: Quotation marks: straight, curly and guillemets.
#: An apostrophe in an entry matches a straight or a curly one.
APOSTROPHES = "['\u2019]"
QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


class LexiconError(ValueError):
    """A lexicon that does not parse; ``field`` names the label or context
    group and ``line`` the entry's line (from 1)."""

    def __init__(self, field: str, line: int | None, message: str) -> None:
        self.field, self.line = field, line
        where = f"{field} line {line}" if line is not None else field
        super().__init__(f"{where}: {message}")


class Scope(enum.StrEnum):
    CUE = "cue"
    REST = "rest"
    CLAUSE = "clause"
    AFTER = "after"


@dataclass(frozen=True, slots=True)
class Rule:
    """One parsed entry: ``pattern`` has a ``cue`` group around the words it
    proposes."""

    label: str
    entry: str
    pattern: regex.Pattern[str]
    scope: Scope = Scope.CUE
    score: float = DEFAULT_SCORE
    needs: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    unless_next: tuple[str, ...] = ()
    unless_head: tuple[str, ...] = ()
    yields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Entry lines per label and per context group, as the admin wrote them."""

    labels: Mapping[str, tuple[str, ...]]
    contexts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        return {
            "labels": {name: list(lines) for name, lines in self.labels.items()},
            "contexts": {name: list(lines) for name, lines in self.contexts.items()},
        }

    @classmethod
    def from_data(cls, data: object) -> Lexicon:
        """A lexicon from its JSON form; :class:`LexiconError` naming the field."""
        if not isinstance(data, dict):
            raise LexiconError("lexicon", None, "expected a JSON object")
        unknown = sorted(set(data) - {"labels", "contexts", "about"})
        if unknown:
            raise LexiconError(unknown[0], None, "unknown field")
        return cls(
            labels=_line_map(data.get("labels", {}), "labels"),
            contexts=_line_map(data.get("contexts", {}), "contexts"),
        )


def _line_map(value: object, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise LexiconError(where, None, "expected an object of name: [entries]")
    result = {}
    for name, lines in value.items():
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise LexiconError(f"{where}.{name}", None, "expected a list of strings")
        result[str(name)] = tuple(lines)
    return result


def lines_of(text: str) -> tuple[str, ...]:
    """A textarea's content as entry lines (CRLF or LF), trailing blanks cut."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return tuple(line.rstrip() for line in lines)


def _word_pattern(word: str) -> str:
    if word == "#":
        return r"\d[\d,.]*(?<=\d)"
    forms = []
    for form in word.split("/"):
        wildcard = form.endswith("*")
        stem = form.removesuffix("*")
        if not stem or "*" in stem:
            raise ValueError(f"{word!r}: '*' only at the end of a word")
        escaped = regex.escape(stem.replace("\u2019", "'")).replace("'", APOSTROPHES)
        forms.append(escaped + (r"\w*" if wildcard else ""))
    return "(?:" + "|".join(forms) + ")"


def phrase_pattern(phrase: str) -> str:
    """The regular expression of a phrase (without ``;`` settings): the words
    in brackets (or all of them) in a group named ``cue``."""
    words = phrase.split()
    if not words:
        raise ValueError("empty entry")
    opened = [i for i, w in enumerate(words) if w.startswith("[")]
    closed = [i for i, w in enumerate(words) if w.endswith("]")]
    if len(opened) > 1 or len(closed) > 1 or len(opened) != len(closed):
        raise ValueError("use one pair of [ ] around the words to propose")
    first, last = (opened[0], closed[0]) if opened else (0, len(words) - 1)
    if first > last:
        raise ValueError("'[' must come before ']'")
    parts = [_word_pattern(w.strip("[]")) for w in words]
    if any(not w.strip("[]") for w in words):
        raise ValueError("empty [ ]")
    glue = f"[{QUOTES}]?(?:\\s+|-)[{QUOTES}]?"
    before = "".join(p + glue for p in parts[:first])
    cue = glue.join(parts[first : last + 1])
    after = "".join(glue + p for p in parts[last + 1 :])
    return rf"(?<!\w){before}(?P<cue>{cue}){after}(?!\w)"


def _compile(phrase: str) -> regex.Pattern[str]:
    return regex.compile(phrase_pattern(phrase), regex.IGNORECASE)


def _entries(lines: Sequence[str]) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.strip().startswith("#")
    ]


def parse_rule(label: str, line: str, number: int, groups: Sequence[str]) -> Rule:
    """One entry line of ``label``; :class:`LexiconError` naming the line."""
    if len(line) > MAX_ENTRY_LENGTH:
        raise LexiconError(label, number, f"at most {MAX_ENTRY_LENGTH} characters")
    phrase, *settings = (part.strip() for part in line.split(";"))
    try:
        pattern = _compile(phrase)
    except (ValueError, regex.error) as error:
        raise LexiconError(label, number, str(error)) from None
    options: dict[str, Any] = {
        "needs": [],
        "unless": [],
        "unless_next": [],
        "unless_head": [],
        "yields": [],
    }
    for setting in settings:
        key, _, value = (s.strip() for s in setting.partition("="))
        options.update(_setting(label, number, key, value, options, groups))
    return Rule(
        label,
        line,
        pattern,
        scope=options.get("scope", Scope.CUE),
        score=options.get("score", DEFAULT_SCORE),
        needs=tuple(options["needs"]),
        unless=tuple(options["unless"]),
        unless_next=tuple(options["unless_next"]),
        unless_head=tuple(options["unless_head"]),
        yields=tuple(options["yields"]),
    )


def _setting(
    label: str,
    number: int,
    key: str,
    value: str,
    options: dict[str, Any],
    groups: Sequence[str],
) -> dict[str, Any]:
    if key == "span":
        if value not in {s.value for s in Scope}:
            raise LexiconError(
                label, number, f"span={value!r}: cue, rest, clause or after"
            )
        return {"scope": Scope(value)}
    if key == "score":
        try:
            score = float(value)
        except ValueError:
            score = -1.0
        if not 0.0 <= score <= 1.0:
            raise LexiconError(label, number, f"score={value!r}: a number 0 to 1")
        return {"score": score}
    if key == "yields":
        if not LABEL_NAME_PATTERN.match(value) or value == label:
            raise LexiconError(label, number, f"yields={value!r}: another label's name")
        return {"yields": [*options["yields"], value]}
    if key in ("needs", "unless", "unless_next", "unless_head"):
        if value not in groups:
            known = ", ".join(sorted(groups)) or "none defined"
            raise LexiconError(
                label, number, f"{key}={value!r}: no such context group ({known})"
            )
        return {key: [*options[key], value]}
    raise LexiconError(label, number, f"unknown setting {key!r}")


@dataclass(frozen=True, slots=True)
class CompiledLexicon:
    rules: tuple[Rule, ...]
    contexts: Mapping[str, regex.Pattern[str]]


def compile_lexicon(lexicon: Lexicon) -> CompiledLexicon:
    """Parse every entry; :class:`LexiconError` at the first that does not."""
    total = sum(len(_entries(lines)) for lines in lexicon.labels.values())
    total += sum(len(_entries(lines)) for lines in lexicon.contexts.values())
    if total > MAX_ENTRIES:
        raise LexiconError("lexicon", None, f"at most {MAX_ENTRIES} entries")
    contexts = {
        name: _context_pattern(name, lines) for name, lines in lexicon.contexts.items()
    }
    rules = []
    for label, lines in lexicon.labels.items():
        if not LABEL_NAME_PATTERN.match(label):
            raise LexiconError(label, None, "not a label name")
        rules += [
            parse_rule(label, line, n, list(contexts)) for n, line in _entries(lines)
        ]
    return CompiledLexicon(tuple(rules), contexts)


def _context_pattern(name: str, lines: Sequence[str]) -> regex.Pattern[str]:
    if not GROUP_NAME.match(name):
        raise LexiconError(name, None, "a context group name: a-z, 0-9 and _")
    alternatives = []
    for number, line in _entries(lines):
        if ";" in line:
            raise LexiconError(name, number, "a context entry takes no settings")
        try:
            alternatives.append(phrase_pattern(line).replace("?P<cue>", "?:"))
        except ValueError as error:
            raise LexiconError(name, number, str(error)) from None
    if not alternatives:
        raise LexiconError(name, None, "a context group needs at least one entry")
    try:
        return regex.compile("|".join(alternatives), regex.IGNORECASE)
    except regex.error as error:
        raise LexiconError(name, None, str(error)) from None


def contexts_to_text(contexts: Mapping[str, Sequence[str]]) -> str:
    """Context groups as one text: a ``[name]`` line, then its entries."""
    return "\n\n".join(
        "\n".join([f"[{name}]", *lines]) for name, lines in contexts.items()
    )


def contexts_from_text(text: str) -> dict[str, tuple[str, ...]]:
    """The inverse of :func:`contexts_to_text`; LexiconError naming the line
    of an entry before any ``[name]`` line or a group named twice."""
    groups: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(lines_of(text), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            name = stripped[1:-1].strip()
            if name in groups:
                raise LexiconError("contexts", number, f"group {name!r} given twice")
            current = groups.setdefault(name, [])
        elif current is not None:
            current.append(line)
        elif stripped and not stripped.startswith("#"):
            raise LexiconError(
                "contexts", number, "an entry before any [group] heading"
            )
    return {name: lines_of("\n".join(lines)) for name, lines in groups.items()}
