"""Every registered format against its golden files, byte for byte.

Golden files live in ``tests/data/exports/<format>/``: every file the writer
wrote (data files per split, extra files; a ``.spacy`` file as the JSON of what
it holds, since its bytes depend on spaCy's version) and ``stats.json`` (the
counts for the manifest). The fixture has three annotators' records, splits and
the tricky texts of ``conftest``. After an intended change, regenerate them
with ``ANNOTATOR_UPDATE_GOLDEN=1 pytest tests/core/exports`` and review the
diff.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from annotator.core.exports import ExportDocument, format_names, get_format

UPDATE = os.environ.get("ANNOTATOR_UPDATE_GOLDEN") == "1"
STATS = "stats.json"


def stats_bytes(stats: object) -> bytes:
    text = json.dumps(stats, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def decoded_docbin(data: bytes) -> bytes:
    """A ``.spacy`` file as JSON of what it holds: its bytes depend on spaCy's,
    msgpack's and zlib's versions, its content must not."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    docs = [
        {
            "text": doc.text,
            "words": [token.text for token in doc],
            "spaces": [bool(token.whitespace_) for token in doc],
            "spans": [
                [span.start_char, span.end_char, span.label_]
                for span in doc.spans["sc"]
            ],
            "user_data": {str(key): value for key, value in doc.user_data.items()},
        }
        for doc in DocBin().from_bytes(data).get_docs(Vocab())
    ]
    return stats_bytes(docs)


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files as the golden folder keeps them (``.spacy`` decoded)."""
    return {
        (f"{name}.json" if name.endswith(".spacy") else name): (
            decoded_docbin(data) if name.endswith(".spacy") else data
        )
        for name, data in files.items()
    }


def on_disk(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("name", format_names())
def test_output_matches_golden(
    name: str,
    records: list[ExportDocument],
    run: Callable[..., Any],
    golden_dir: Path,
) -> None:
    output = run(get_format(name), records)
    written = comparable(
        {
            **output.data,
            **output.files,
            STATS: stats_bytes(output.stats.to_dict()),
        }
    )
    folder = golden_dir / name
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        for relative, data in written.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_bytes(data)
    assert folder.is_dir(), f"no golden folder {folder}: see this module's docstring"
    golden = on_disk(folder)
    assert sorted(written) == sorted(golden), "files differ from the golden ones"
    for relative, data in written.items():
        assert data == golden[relative], f"{name}/{relative} differs from golden"


def test_every_registered_format_has_golden_files(golden_dir: Path) -> None:
    for name in format_names():
        assert (golden_dir / name / STATS).is_file(), f"{name!r}: no golden files"


def test_no_golden_files_for_unregistered_formats(golden_dir: Path) -> None:
    folders = sorted(path.name for path in golden_dir.iterdir() if path.is_dir())
    assert folders == format_names()


@pytest.mark.parametrize("name", format_names())
def test_writing_twice_gives_identical_bytes(
    name: str, records: list[ExportDocument], run: Callable[..., Any]
) -> None:
    first = run(get_format(name), records)
    second = run(get_format(name), iter(records))
    assert first == second
