"""Every registered format against its golden files, byte for byte.

Golden files live in ``tests/data/exports/``: ``<name>.<extension>`` (main
output), ``<name>.stats.json`` (the counts for the manifest) and, for
multi-file formats, ``<name>.files/<relative path>``. After an intended change,
regenerate them with ``ANNOTATOR_UPDATE_GOLDEN=1 pytest tests/core/exports`` and
review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.core.exports import ExportDocument, format_names, get_format

UPDATE = os.environ.get("ANNOTATOR_UPDATE_GOLDEN") == "1"


def stats_bytes(stats: object) -> bytes:
    text = json.dumps(stats, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def golden_paths(golden_dir: Path, name: str) -> tuple[Path, Path, Path]:
    fmt = get_format(name)
    return (
        golden_dir / f"{name}.{fmt.extension}",
        golden_dir / f"{name}.stats.json",
        golden_dir / f"{name}.files",
    )


def check_golden(path: Path, actual: bytes) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
    assert path.is_file(), f"no golden file {path}: see this module's docstring"
    assert actual == path.read_bytes(), f"{path.name} differs from the golden file"


@pytest.mark.parametrize("name", format_names())
def test_output_matches_golden(
    name: str,
    documents: list[ExportDocument],
    run: Callable[..., Any],
    golden_dir: Path,
) -> None:
    output = run(get_format(name), documents)
    main, stats, files_dir = golden_paths(golden_dir, name)
    check_golden(main, output.main)
    check_golden(stats, stats_bytes(output.stats.to_dict()))
    extra: dict[str, bytes] = output.files
    for relative, data in extra.items():
        check_golden(files_dir / relative, data)
    on_disk = (
        {
            p.relative_to(files_dir).as_posix()
            for p in files_dir.rglob("*")
            if p.is_file()
        }
        if files_dir.exists()
        else set()
    )
    assert on_disk == set(extra), "extra golden files differ from those written"


def _golden_names(golden_dir: Path) -> Iterator[str]:
    for path in golden_dir.iterdir():
        if path.name.endswith(".stats.json"):
            yield path.name.removesuffix(".stats.json")


def test_every_registered_format_has_golden_files(golden_dir: Path) -> None:
    for name in format_names():
        main, stats, files_dir = golden_paths(golden_dir, name)
        assert main.is_file(), f"format {name!r} has no golden file {main.name}"
        assert stats.is_file(), f"format {name!r} has no golden file {stats.name}"
        if get_format(name).writes_files:
            assert files_dir.is_dir(), f"format {name!r} has no {files_dir.name}/"


def test_no_golden_files_for_unregistered_formats(golden_dir: Path) -> None:
    assert sorted(_golden_names(golden_dir)) == format_names()


@pytest.mark.parametrize("name", format_names())
def test_writing_twice_gives_identical_bytes(
    name: str, documents: list[ExportDocument], run: Callable[..., Any]
) -> None:
    first = run(get_format(name), documents)
    second = run(get_format(name), iter(documents))
    assert first == second
