"""Which tool wrote a file, judged by its content, for every import.

``sniff`` looks at a file's first bytes and answers a ``Guess`` (the
``--from`` value and what gave it away) or None when the content fits more
than one format equally (a JSON line with a text only, plain prose).
``refusal`` turns a guess that contradicts the chosen ``--from`` into the
message the user sees: a CoNLL file renamed ``.txt`` is never imported as one
plain-text document full of tab-separated lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import orjson

#: How much of a file is looked at.
HEAD_BYTES = 64 * 1024
#: Of the first lines looked at, the share that must look like a format.
MAJORITY = 0.8

_TAG = re.compile(r"^(?:O|[BIES]-\S+)$")
_BRAT_LINE = re.compile(r"^(?:T\d+\t\S+ \d+ \d+[\d ;]*\t|[RAEMN]\d+\t|#\d+\t)")
_NAMES = {
    "native": "this project's own format",
    "doccano": "a doccano JSONL export",
    "labelstudio": "a Label Studio export",
    "prodigy": "a Prodigy JSONL export",
    "brat": "brat standoff",
    "conll": "a CoNLL/BIO token file",
}


@dataclass(frozen=True, slots=True)
class Guess:
    """``source_format`` is a ``--from`` value; ``reason`` what showed it."""

    source_format: str
    reason: str

    def describe(self) -> str:
        return f"looks like {_NAMES[self.source_format]} ({self.reason})"


def refusal(filename: str, data: bytes, chosen: str) -> str | None:
    """The message refusing ``data`` under ``--from chosen``, or None."""
    guess = sniff(filename, data)
    if guess is None or guess.source_format == chosen:
        return None
    return f"{guess.describe()}: use --from {guess.source_format}"


def sniff(filename: str, data: bytes) -> Guess | None:
    """The format ``data`` looks like, or None when it is not clear."""
    if data.startswith(b"PK\x03\x04"):
        return Guess("doccano", "a zip archive, as doccano's export is")
    if PurePosixPath(filename).suffix.lower() == ".ann":
        return Guess("brat", "a .ann file")
    head = data[:HEAD_BYTES].removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    stripped = head.lstrip()
    if stripped.startswith("["):
        return _json_array(stripped)
    lines = [line.rstrip("\r") for line in head.split("\n")[:-1] or [head]]
    if stripped.startswith("{"):
        return _json_line(next(line for line in lines if line.strip()))
    return _text_lines(lines)


def _json_array(head: str) -> Guess:
    if '"data"' in head and '"annotations"' in head:
        return Guess(
            "labelstudio", 'a JSON array of tasks with "data" and "annotations"'
        )
    return Guess("labelstudio", "a JSON array, as Label Studio's JSON exports are")


def _json_line(line: str) -> Guess | None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict):
        return None
    keys = set(record)
    if "entities" in keys or ("relations" in keys and "tokens" not in keys):
        return Guess("doccano", 'a JSON line with "entities"')
    if "label" in keys and isinstance(record.get("label"), list):
        return Guess("doccano", 'a JSON line with doccano\'s "label" key')
    if keys & {"tokens", "_input_hash", "_task_hash", "answer", "_annotator_id"}:
        return Guess("prodigy", "a JSON line with Prodigy's tokens, hashes or answer")
    if "data" in keys and ("annotations" in keys or "predictions" in keys):
        return Guess("labelstudio", 'a Label Studio task ("data", "annotations")')
    annotations = record.get("annotations")
    if isinstance(annotations, list) and annotations:
        first = annotations[0]
        if isinstance(first, dict) and "annotator" in first:
            return Guess("native", 'annotations with an "annotator" per block')
    return None


def _text_lines(lines: list[str]) -> Guess | None:
    sample = [line for line in lines[:200] if line.strip()][:50]
    if not sample:
        return None
    if any(line.startswith("-DOCSTART-") for line in sample):
        return Guess("conll", "a -DOCSTART- line")
    header = sample[0].lower().replace("\t", ",").split(",")
    if "annotation_id" in header:
        return Guess("labelstudio", "a CSV header with annotation_id")
    if _share(sample, _BRAT_LINE.match) >= MAJORITY:
        return Guess("brat", "lines of T1<TAB>Label START END")
    if len(sample) >= 2 and _share(sample, _conll_line) >= MAJORITY:
        return Guess("conll", "columns of tokens and B-/I-/O tags")
    return None


def _conll_line(line: str) -> bool:
    columns = line.split("\t") if "\t" in line else line.split()
    return len(columns) >= 2 and _TAG.match(columns[-1].strip()) is not None


def _share(lines: list[str], test: object) -> float:
    assert callable(test)  # noqa: S101 (a predicate)
    return sum(1 for line in lines if test(line)) / len(lines)


#: The ``--from`` value that asks for ``detect``.
DETECT = "detect"


@dataclass(frozen=True, slots=True)
class Detection:
    """What ``detect`` found: the format to read with (None when the files
    disagree), each file's guess as a line for the user, and the problem."""

    source_format: str | None
    findings: tuple[str, ...]
    problem: str | None = None


def detect(files: Sequence[tuple[str, bytes]]) -> Detection:
    """The one format the ``files`` (name, bytes) that give one away look
    like (brat's ``.txt`` halves give none); this project's own format when
    none does."""
    guesses: dict[str, list[str]] = {}
    findings = []
    for name, data in files:
        guess = sniff(name, data)
        if guess is None:
            findings.append(f"{name}: nothing tells the format apart")
            continue
        guesses.setdefault(guess.source_format, []).append(name)
        findings.append(f"{name}: {guess.describe()}")
    if not guesses:
        return Detection("native", tuple(findings))
    if len(guesses) == 1:
        return Detection(next(iter(guesses)), tuple(findings))
    kinds = "; ".join(
        f"{_NAMES[found]}: {', '.join(names)}" for found, names in guesses.items()
    )
    return Detection(
        None,
        tuple(findings),
        f"the files look like different formats ({kinds}): import them separately",
    )
