"""``annotator set-guideline PROJECT FILE``."""

from annotator.cli import cli
from annotator.extensions import db
from annotator.services import guideline


def run(runner, *args):
    return runner.invoke(cli, list(args))


def test_set_guideline_saves_a_new_version(runner, project, tmp_path):
    path = tmp_path / "rules.md"
    path.write_bytes("\ufeff# Rules\r\n\r\nTag *claims* — and “quotes”.\r\n".encode())
    result = run(runner, "set-guideline", "Alpha", str(path))
    assert result.exit_code == 0, result.output
    assert "saved as version 2" in result.output
    db.session.expire_all()
    newest = guideline.newest(db.session, project)
    assert newest.text == "# Rules\n\nTag *claims* — and “quotes”.\n"
    assert newest.author is None
    again = run(runner, "set-guideline", "Alpha", str(path))
    assert again.exit_code == 0
    assert "nothing saved" in again.output


def test_a_missing_file_is_named(runner, project, tmp_path):
    missing = tmp_path / "nope.md"
    result = run(runner, "set-guideline", "Alpha", str(missing))
    assert result.exit_code == 1
    assert f"Error: {missing}: no such file" in result.output


def test_a_file_not_in_utf8_is_named(runner, project, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("Définition".encode("latin-1"))
    result = run(runner, "set-guideline", "Alpha", str(path))
    assert result.exit_code == 1
    assert f"{path}: not UTF-8 (byte 0xe9 at offset 1)" in result.output
    assert len(guideline.history(db.session, project)) == 1


def test_a_file_too_large_is_named(runner, project, tmp_path):
    path = tmp_path / "huge.md"
    path.write_bytes(b"x" * (guideline.MAX_GUIDELINE_BYTES + 1))
    result = run(runner, "set-guideline", "Alpha", str(path))
    assert result.exit_code == 1
    assert f"{path}: too large" in result.output


def test_too_many_characters_is_named(runner, project, tmp_path):
    path = tmp_path / "long.md"
    path.write_text("x" * (guideline.MAX_GUIDELINE_CHARS + 1), encoding="utf-8")
    result = run(runner, "set-guideline", "Alpha", str(path))
    assert result.exit_code == 1
    assert f"{path}: guideline:" in result.output
    assert "at most 200000" in result.output


def test_an_unknown_project_is_named(runner, app, tmp_path):
    path = tmp_path / "rules.md"
    path.write_text("Rules", encoding="utf-8")
    result = run(runner, "set-guideline", "Nowhere", str(path))
    assert result.exit_code == 1
    assert "no project named 'Nowhere'" in result.output


def test_help_lists_set_guideline(runner):
    assert "set-guideline" in run(runner, "--help").output
