"""``annotator import --from ...``: other tools' files, dry runs and refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Document, Span, SpanLink, User

DATA = Path(__file__).parents[1] / "data" / "imports"
UPPER = "CLAIM=claim,DENIAL=denial,HEDGE=hedge"


def run(runner, *args):
    return runner.invoke(cli, [str(arg) for arg in args])


def count(model) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def alpha(runner):
    assert run(runner, "create-project", "Alpha").exit_code == 0


def test_dry_run_prints_what_would_be_stored_and_stores_nothing(runner, alpha):
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "doccano" / "alice.jsonl",
        DATA / "doccano" / "bob.jsonl",
        "--from",
        "doccano",
        "--label-map",
        UPPER,
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Dry run: nothing was stored."
    assert "Documents: 2 read, 2 new, 0 already stored." in lines
    assert "Spans: 8; links: 0." in lines
    assert (
        "  alice (new import identity (cannot log in)): claim 3, denial 2, hedge 1"
        in lines
    )
    assert any("offsets read as UTF-16 code units" in line for line in lines)
    assert "  1 empty doccano annotation" in lines
    assert count(Document) == 0
    assert count(User) == 0


def test_label_studio_import_stores_documents_spans_and_links(runner, alpha):
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "labelstudio" / "tasks.json",
        "--from",
        "labelstudio",
        "--label-map",
        "Claim=claim,Denial=denial,Hedge=hedge,refutes=denies",
        "--annotator-map",
        "labelstudio-user-1=alice",
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 documents into Alpha (0 skipped as duplicates, 8 spans)." in (
        result.output
    )
    assert count(Span) == 8
    assert count(SpanLink) == 1
    assert db.session.scalar(select(User).where(User.username == "alice")) is not None


def test_brat_folder_names_its_annotators_by_sub_folder(runner, alpha, tmp_path):
    folder = tmp_path / "brat"
    shutil.copytree(DATA / "brat" / "alice", folder / "alice")
    result = run(
        runner,
        "import",
        "Alpha",
        folder,
        "--from",
        "brat",
        "--label-map",
        "Claim=claim,Denial=denial,Hedge=hedge,Refutes=denies",
    )
    assert result.exit_code == 0, result.output
    assert "1 brat event" in result.output
    user = db.session.scalar(select(User).where(User.username == "alice"))
    assert user is not None
    assert user.password_hash is None


def test_a_conll_file_named_txt_is_refused_as_plain_text(runner, alpha, tmp_path):
    renamed = tmp_path / "notes.txt"
    renamed.write_bytes((DATA / "conll" / "bob.txt").read_bytes())
    result = run(runner, "import", "Alpha", renamed)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: notes.txt: looks like a CoNLL/BIO token file (columns of tokens "
        "and B-/I-/O tags): use --from conll"
    )
    assert count(Document) == 0


def test_every_problem_is_listed_and_nothing_stored(runner, alpha):
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "doccano" / "alice.jsonl",
        "--from",
        "doccano",
    )
    assert result.exit_code == 1
    assert result.output.count("unknown label 'CLAIM'") == 3
    assert result.output.count("unknown label 'DENIAL'") == 2
    assert count(Document) == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--from", "inception", "Invalid value for '--from'"),
        ("--offsets", "bytes", "Invalid value for '--offsets'"),
        ("--label-map", "CLAIM", "--label-map 'CLAIM': expected SOURCE=TARGET"),
    ],
)
def test_bad_options_are_one_line_errors(runner, alpha, option, value, message):
    result = run(
        runner, "import", "Alpha", DATA / "doccano" / "alice.jsonl", option, value
    )
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_large_imports_draw_a_progress_bar_on_stderr(runner, alpha, monkeypatch):
    from annotator import cli_import
    from annotator.services import documents

    monkeypatch.setattr(cli_import, "PROGRESS_MIN_DOCUMENTS", 2)
    monkeypatch.setattr(documents, "STORE_BATCH", 1)
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "labelstudio" / "min.json",
        "--from",
        "labelstudio",
        "--label-map",
        "Claim=claim,Denial=denial,Hedge=hedge",
    )
    assert result.exit_code == 0, result.output
    assert "Importing documents" in result.stderr
    assert "Importing documents" not in result.stdout


def test_small_imports_draw_no_progress_bar(runner, alpha):
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "conll" / "alice.conll",
        "--from",
        "conll",
        "--label-map",
        UPPER,
    )
    assert result.exit_code == 0, result.output
    assert "Importing documents" not in result.stderr


def test_a_dry_run_with_problems_lists_them_and_fails(runner, alpha):
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "brat" / "broken.ann",
        DATA / "brat" / "broken.txt",
        "--from",
        "brat",
        "--dry-run",
    )
    assert result.exit_code == 1
    assert "discontinuous span '0 6;15 20'" in result.output
    assert "Dry run" not in result.output


def test_the_dry_run_lists_a_few_offset_decisions_and_counts_the_rest(
    runner, alpha, monkeypatch
):
    from annotator import cli_import

    monkeypatch.setattr(cli_import, "SHOWN_CONVERSIONS", 1)
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "doccano" / "alice.jsonl",
        "--from",
        "doccano",
        "--label-map",
        UPPER,
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert "Offsets (--offsets auto): documents read as UTF-16 code units: 2." in (
        result.output
    )
    assert "  ... and 1 more documents" in result.output.splitlines()


def test_from_detect_says_what_it_found(runner, alpha):
    result = run(
        runner,
        "import",
        "Alpha",
        DATA / "doccano" / "alice.jsonl",
        "--from",
        "detect",
        "--label-map",
        UPPER,
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert (
        "Detected alice.jsonl: looks like a doccano JSONL export "
        '(a JSON line with doccano\'s "label" key)'
    ) in result.output.splitlines()
    assert count(Document) == 0
