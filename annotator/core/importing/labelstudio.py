"""Label Studio exports: JSON, JSON_MIN, CSV and TSV.

JSON is an array of tasks, ``{"id", "data": {"text", ...}, "annotations":
[{"completed_by", "was_cancelled", "result": [...]}], "predictions": [...]}``.
Each annotation is one annotator's: ``completed_by`` is a user id (imported as
``labelstudio-user-<id>``), a ``{"email"}`` object, or a name (this project's
export writes the pseudonym). Results of type ``labels`` are spans
(``value.start``, ``value.end``, ``value.labels``, one span per label, and
``value.text`` when present must equal the text at those offsets); results of
type ``relation`` are links (``from_id``, ``to_id``, ``labels``; a relation
without labels is of type ``relation``; ``direction: left`` swaps its ends).
A region's ``meta.text`` (its note in Label Studio) is the span's note, its
``meta.attributes`` (this project's export) the span's attributes.
Cancelled annotations, predictions and other result types are skipped and
counted. The document's id is ``data.external_id`` (this project's export),
else the task id; ``data.title`` its title, the rest of ``data`` its metadata.

JSON_MIN (and CSV or TSV, its tables) has one record per annotation: ``id``, ``text``,
``annotator``, and a list of regions ``{"start", "end", "text", "labels"}``
under the labelling tag's name; records of one task are joined by id. They
carry no relations.

Label Studio counts code points since 2022 and UTF-16 units before; the
default is ``auto``, which ``value.text`` makes certain.
"""

from __future__ import annotations

import csv
import io

import orjson

from annotator.core.importing.common import Problems
from annotator.core.importing.fields import (
    Where,
    document_id,
    document_text,
    integer,
    objects,
    plain_meta,
    span_id,
    string,
)
from annotator.core.importing.foreign import (
    ImportReport,
    RawAnnotation,
    RawDocument,
    RawLink,
    RawSpan,
)

UNLABELLED_RELATION = "relation"
DATA_KEYS = frozenset({"text", "external_id", "title", "meta"})
MIN_KEYS = frozenset(
    {"id", "text", "annotator", "annotation_id", "created_at", "updated_at"}
)


def parse(
    file: str, data: bytes, problems: Problems, report: ImportReport
) -> list[RawDocument]:
    """Every task of one Label Studio export file (JSON, JSON_MIN or CSV)."""
    if file.lower().endswith((".csv", ".tsv")):
        delimiter = "\t" if file.lower().endswith(".tsv") else ","
        rows = _csv_rows(data, problems, delimiter)
        return _min_records(rows, file, problems, report)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        problems.add(None, None, f"invalid JSON: {error}")
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        problems.add(None, None, "must be a JSON array of tasks")
        return []
    if value and all(isinstance(item, dict) and "data" not in item for item in value):
        records: list[tuple[int | None, str, dict[str, object]]] = [
            (None, f"task {index}", item) for index, item in enumerate(value)
        ]
        return _min_records(records, file, problems, report)
    return [
        document
        for index, task in enumerate(value)
        if (document := _task(task, index, file, problems, report)) is not None
    ]


def _task(
    task: object, index: int, file: str, problems: Problems, report: ImportReport
) -> RawDocument | None:
    task_id = task.get("id") if isinstance(task, dict) else None
    prefix = f"task {index}" + (f" (id {task_id})" if task_id is not None else "")
    where = Where(problems, None, prefix)
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        where.add("data", "must be an object holding the text")
        return None
    data = task["data"]
    count = len(problems.items)
    text = document_text(data.get("text"), "data.text", where)
    if text is None:
        return None
    raw_id = data.get("external_id", task_id)
    external_id = document_id(raw_id, text, "data.external_id", where)
    report.skipped["prediction"] += len(task.get("predictions") or ())
    annotations = _annotations(task.get("annotations"), where, report)
    if len(problems.items) > count or external_id is None:
        return None
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    meta = {**plain_meta(data, DATA_KEYS), **_dict(data.get("meta"))}
    return RawDocument(
        file, None, external_id, text, annotations, str(title), meta, f", {prefix}"
    )


def _dict(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def _annotations(
    value: object, where: Where, report: ImportReport
) -> tuple[RawAnnotation, ...]:
    found = []
    for field, item in objects(value, "annotations", where):
        if item.get("was_cancelled"):
            report.skipped["cancelled annotation"] += 1
            continue
        annotator = annotator_name(item.get("completed_by"), f"{field}.completed_by")
        if annotator is None:
            where.add(f"{field}.completed_by", "must be a user id, object or name")
            continue
        spans, links = _results(item.get("result"), f"{field}.result", where, report)
        found.append(RawAnnotation(annotator, spans, links, f"{field}.completed_by"))
    return tuple(found)


def annotator_name(value: object, field: str) -> str | None:
    """``completed_by`` as a name: an email, a name, or labelstudio-user-<id>."""
    if isinstance(value, dict):
        value = value.get("email") or value.get("id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"labelstudio-user-{value}"
    return value if isinstance(value, str) and value else None


def _results(
    value: object, field: str, where: Where, report: ImportReport
) -> tuple[tuple[RawSpan, ...], tuple[RawLink, ...]]:
    spans: list[RawSpan] = []
    links: list[RawLink] = []
    for here, item in objects(value, field, where, required=True):
        kind = item.get("type")
        quick = _plain_region(item, here) if kind == "labels" else None
        if quick is not None:
            spans += quick
        elif kind == "relation":
            links += _relation(item, here, where, report)
        elif kind == "labels" or (kind is None and isinstance(item.get("value"), dict)):
            found = _region(item.get("value"), span_id(item.get("id")), here, where)
            spans += _with_meta(found, item.get("meta"))
        else:
            report.skipped[f"{kind} result"] += 1
    return tuple(spans), tuple(links)


def _plain_region(item: dict[str, object], field: str) -> list[RawSpan] | None:
    """A well-formed region without meta, built without checks' messages;
    None sends it through ``_region``, which words any problem."""
    value, region = item.get("value"), item.get("id")
    if type(value) is not dict or "meta" in item or type(region) is not str:
        return None
    start, end, labels = value.get("start"), value.get("end"), value.get("labels")
    text = value.get("text")
    if (
        type(start) is not int
        or type(end) is not int
        or type(labels) is not list
        or not (text is None or type(text) is str)
    ):
        return None
    where = f"{field} (region {region!r}).value"
    spans = [RawSpan(start, end, label, where, region, text) for label in labels]
    return spans if all(type(label) is str for label in labels) else None


def _region(
    value: object, region_id: str | None, field: str, where: Where
) -> list[RawSpan]:
    """One span per label of a region (``value`` of a labels result)."""
    if region_id is not None:
        field = f"{field} (region {region_id!r})"
    if not isinstance(value, dict):
        where.add(f"{field}.value", "must be an object")
        return []
    start = integer(value.get("start"), f"{field}.value.start", where)
    end = integer(value.get("end"), f"{field}.value.end", where)
    labels = value.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        where.add(f"{field}.value.labels", "must be a list of label names")
        return []
    text = value.get("text")
    if start is None or end is None:
        return []
    expected = text if isinstance(text, str) else None
    return [
        RawSpan(start, end, label, f"{field}.value", region_id, expected)
        for label in labels
    ]


def _with_meta(spans: list[RawSpan], meta: object) -> list[RawSpan]:
    """A region's note (``meta.text``) and attributes (``meta.attributes``)."""
    if not isinstance(meta, dict):
        return spans
    notes = meta.get("text")
    note = (
        "\n".join(n for n in notes if isinstance(n, str))
        if isinstance(notes, list)
        else ""
    )
    found = meta.get("attributes")
    attributes = (
        {str(k): v for k, v in found.items() if isinstance(v, str)}
        if isinstance(found, dict)
        else {}
    )
    return [span._replace(note=note, attributes=attributes) for span in spans]


def _relation(
    item: dict[str, object], field: str, where: Where, report: ImportReport
) -> list[RawLink]:
    source, target = span_id(item.get("from_id")), span_id(item.get("to_id"))
    if source is None or target is None:
        where.add(field, "from_id and to_id must be region ids")
        return []
    if item.get("direction") == "left":
        source, target = target, source
    elif item.get("direction") == "bi":
        report.warn("two-way Label Studio relations are imported as from → to links")
    labels = item.get("labels") or [UNLABELLED_RELATION]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        where.add(f"{field}.labels", "must be a list of relation names")
        return []
    return [RawLink(source, target, label, field) for label in labels]


# --------------------------------------------------------------- JSON_MIN / CSV


def _csv_rows(
    data: bytes, problems: Problems, delimiter: str
) -> list[tuple[int | None, str, dict[str, object]]]:
    text = data.decode("utf-8-sig")
    source = io.StringIO(text, newline="")
    reader = csv.DictReader(source, delimiter=delimiter, strict=True)
    rows: list[tuple[int | None, str, dict[str, object]]] = []
    try:
        line = 2
        for row in reader:
            rows.append((line, "", {key: _cell(cell) for key, cell in row.items()}))
            line = reader.line_num + 1
    except csv.Error as error:
        problems.add(reader.line_num, None, f"malformed CSV record: {error}")
    return rows


def _cell(cell: object) -> object:
    """A CSV cell; Label Studio writes lists of regions as JSON text."""
    if isinstance(cell, str) and cell.startswith("[") and cell.endswith("]"):
        try:
            return orjson.loads(cell)
        except orjson.JSONDecodeError:
            return cell
    return cell


def _min_records(
    records: list[tuple[int | None, str, dict[str, object]]],
    file: str,
    problems: Problems,
    report: ImportReport,
) -> list[RawDocument]:
    documents = []
    for line, prefix, record in records:
        where = Where(problems, line, prefix)
        count = len(problems.items)
        text = document_text(record.get("text"), "text", where)
        if text is None:
            continue
        external_id = document_id(record.get("id"), text, "id", where)
        annotator = annotator_name(record.get("annotator"), "annotator")
        spans = _min_spans(record, where)
        if len(problems.items) > count or external_id is None:
            continue
        annotations: tuple[RawAnnotation, ...] = ()
        if annotator is not None:
            annotations = (RawAnnotation(annotator, tuple(spans), (), "annotator"),)
        skip = MIN_KEYS | {key for key, value in record.items() if _regions(value)}
        meta = plain_meta(record, skip)
        meta = {key: value for key, value in meta.items() if value != ""}
        where_text = f", {prefix}" if prefix else ""
        documents.append(
            RawDocument(
                file, line, external_id, text, annotations, "", meta, where_text
            )
        )
    empty = sum(1 for document in documents if not document.annotations)
    if empty:
        report.skipped["JSON_MIN record without annotator"] += empty
    return documents


def _regions(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "start" in item for item in value)
    )


def _min_spans(record: dict[str, object], where: Where) -> list[RawSpan]:
    spans = []
    for key, value in record.items():
        if not _regions(value):
            continue
        assert isinstance(value, list)  # noqa: S101 (narrowed by _regions)
        for index, region in enumerate(value):
            spans += _region(region, None, f"{key}[{index}]", where)
    return spans


__all__ = ["annotator_name", "parse", "string"]
