"""The external suggester contract (docs/suggestions.md): the request the
app POSTs to a team's model server and the checks its answer must pass.

Request: ``{"text", "labels", "project", "document"}``. Answer: ``{"spans":
[{"start", "end", "label", "score"}, ...]}``, offsets in code points, end
exclusive, ``0 <= start < end <= len(text)``, ``label`` one of the labels
asked for, ``score`` in [0, 1]. Other keys are ignored (room to grow). One bad
span refuses the whole answer: a suggester is trusted all or nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from annotator.core.suggestions.base import SuggesterError, Suggestion


def request_body(
    text: str, labels: Sequence[str], project: str, document: str | None
) -> bytes:
    """The request as UTF-8 JSON."""
    payload = {
        "text": text,
        "labels": list(labels),
        "project": project,
        "document": document,
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_answer(data: bytes, text: str, labels: Sequence[str]) -> list[Suggestion]:
    """The answer's spans, sorted by (start, end, label); SuggesterError
    naming the first thing wrong (``spans[2].end: ...``)."""
    try:
        answer = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError as error:
        raise SuggesterError(f"answer is not UTF-8: {error}") from None
    except ValueError as error:
        raise SuggesterError(f"answer is not valid JSON: {error}") from None
    except RecursionError:
        raise SuggesterError("answer is nested too deeply to read") from None
    if not isinstance(answer, dict):
        raise SuggesterError(
            f'answer must be a JSON object with "spans", not {_kind(answer)}'
        )
    spans = answer.get("spans")
    if not isinstance(spans, list):
        found = "missing" if "spans" not in answer else _kind(spans)
        raise SuggesterError(f'answer "spans" must be a list, not {found}')
    wanted = frozenset(labels)
    found_spans = [
        _span(index, item, len(text), wanted, labels)
        for index, item in enumerate(spans)
    ]
    return sorted(found_spans, key=lambda s: (s.start, s.end, s.label, s.score))


def _span(
    index: int,
    item: object,
    length: int,
    wanted: frozenset[str],
    labels: Sequence[str],
) -> Suggestion:
    where = f"spans[{index}]"
    if not isinstance(item, dict):
        raise SuggesterError(f"{where}: must be an object, not {_kind(item)}")
    start = _integer(item, "start", where)
    end = _integer(item, "end", where)
    if not 0 <= start < end <= length:
        raise SuggesterError(
            f"{where}: start {start}, end {end} outside the text or inverted "
            f"(need 0 <= start < end <= {length}, code points)"
        )
    label = item.get("label")
    if not isinstance(label, str):
        raise SuggesterError(f"{where}.label: must be a string, not {_kind(label)}")
    if label not in wanted:
        raise SuggesterError(
            f"{where}.label: {label!r} is not one of the labels asked for "
            f"({', '.join(labels)})"
        )
    return Suggestion(start, end, label, _score(item, where))


def _integer(item: dict[str, Any], key: str, where: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        found = "missing" if key not in item else _kind(value)
        raise SuggesterError(f"{where}.{key}: must be an integer, not {found}")
    return value


def _score(item: dict[str, Any], where: str) -> float:
    value = item.get("score")
    if isinstance(value, bool) or not isinstance(value, int | float):
        found = "missing" if "score" not in item else _kind(value)
        raise SuggesterError(f"{where}.score: must be a number, not {found}")
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise SuggesterError(f"{where}.score: {value} is outside [0, 1]")
    return float(value)


def _kind(value: object) -> str:
    """The JSON name of a decoded value's type, with a short sample."""
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    name = names.get(type(value), type(value).__name__)
    if isinstance(value, str | int | float | bool):
        return f"{name} ({json.dumps(value)[:40]})"
    return name
