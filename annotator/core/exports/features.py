"""Hugging Face ``datasets`` features of the JSON Lines formats.

Plain data in the shape of a dataset card's ``dataset_info.features`` (what
``datasets.Features._to_yaml_list`` writes), so that no ``datasets`` import is
needed here. The export's ``README.md`` carries them with the split files, so
``datasets.load_dataset("<export folder>")`` loads every split with these types,
and ``Features._from_yaml_list`` gives them for ``load_dataset("json",
data_files=..., features=...)``. Without them Arrow infers each file's types
on its own: a split whose records have no link, or no span attributes, gets a
``null`` column that the other splits' values cannot be cast to.
"""

from __future__ import annotations

Feature = dict[str, object]


def value(name: str, dtype: str) -> Feature:
    """A scalar column: ``string``, ``int64``, ``float64``, ``bool``."""
    return {"name": name, "dtype": dtype}


def json_value(name: str) -> Feature:
    """Any JSON value, kept as it is (``datasets.Json``)."""
    return {"name": name, "dtype": "json"}


def values(name: str, dtype: str) -> Feature:
    """A list of scalars."""
    return {"name": name, "list": dtype}


def records(name: str, fields: list[Feature]) -> Feature:
    """A list of objects with the same fields."""
    return {"name": name, "list": fields}


def struct(name: str, fields: list[Feature]) -> Feature:
    """One object with fixed fields."""
    return {"name": name, "struct": fields}


JSONL_FEATURES: list[Feature] = [
    value("id", "string"),
    value("title", "string"),
    value("text", "string"),
    value("annotator", "string"),
    records(
        "spans",
        [
            value("id", "string"),
            value("start", "int64"),
            value("end", "int64"),
            value("label", "string"),
            value("text", "string"),
            json_value("attributes"),
            value("note", "string"),
            values("annotators", "string"),
        ],
    ),
    records(
        "links",
        [value("source", "string"), value("target", "string"), value("kind", "string")],
    ),
    json_value("meta"),
    value("split", "string"),
    value("agreement", "float64"),
]

SPACY_FEATURES: list[Feature] = [
    value("text", "string"),
    struct(
        "meta",
        [
            value("id", "string"),
            value("title", "string"),
            value("annotator", "string"),
            value("split", "string"),
            value("agreement", "float64"),
        ],
    ),
    records(
        "tokens",
        [
            value("text", "string"),
            value("start", "int64"),
            value("end", "int64"),
            value("id", "int64"),
            value("ws", "bool"),
        ],
    ),
    records(
        "spans",
        [
            value("start", "int64"),
            value("end", "int64"),
            value("text", "string"),
            value("token_start", "int64"),
            value("token_end", "int64"),
            value("label", "string"),
        ],
    ),
]

HF_BIO_FEATURES: list[Feature] = [
    value("id", "string"),
    value("annotator", "string"),
    value("split", "string"),
    values("tokens", "string"),
    values("ner_tags", "string"),
    values("ner_tag_ids", "int64"),
]
