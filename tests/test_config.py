from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from annotator import create_app
from annotator.config import ConfigurationError
from annotator.extensions import db


def test_environment_configures_database_and_export_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ANNOTATOR_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("ANNOTATOR_EXPORT_DIR", str(tmp_path / "out"))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.sqlite"
    assert app.config["EXPORT_DIR"] == str(tmp_path / "out")


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{tmp_path / 'instance' / 'annotator.sqlite'}"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_SECRET_KEY", raising=False)
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 64
    key_file = Path(tmp_path / "instance" / "secret_key")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    other = tmp_path / "other"
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(other))
    assert create_app().config["SECRET_KEY"] != first


KEY = "from-the-environment-" + "0123456789" * 2


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ANNOTATOR_SECRET_KEY", KEY)
    assert create_app().config["SECRET_KEY"] == KEY
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("MAX_UPLOAD_MB = 3\n")
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("ANNOTATOR_MAX_UPLOAD_MB", raising=False)
    app = create_app()
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/w.sqlite"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("key", ["x", "short-but-not-32-characters"])
def test_a_short_secret_key_from_the_environment_refuses_to_start(
    tmp_path, monkeypatch, key
):
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("ANNOTATOR_SECRET_KEY", key)
    with pytest.raises(ConfigurationError, match="ANNOTATOR_SECRET_KEY has"):
        create_app()


def test_an_empty_secret_key_file_refuses_to_start_naming_the_file(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("ANNOTATOR_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("\n")
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(instance))
    with pytest.raises(ConfigurationError, match="secret_key is empty"):
        create_app()


def test_the_command_line_says_what_is_wrong_with_the_key(tmp_path):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "ANNOTATOR_INSTANCE_PATH": str(tmp_path / "instance"),
        "ANNOTATOR_SECRET_KEY": "weak",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from annotator.cli import main; main()",
            "db",
            "upgrade",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode != 0
    said = "Error: The secret key from ANNOTATOR_SECRET_KEY has 4 characters"
    assert done.stderr.startswith(said)
    assert "Traceback" not in done.stderr


def test_a_command_on_a_database_never_created_says_to_upgrade(tmp_path):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "ANNOTATOR_INSTANCE_PATH": str(tmp_path / "instance"),
        "ANNOTATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}",
        "ANNOTATOR_SECRET_KEY": "k" * 40,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from annotator.cli import main; main()",
            "set-suggestions",
            "Alpha",
            "--mode",
            "on",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 1
    assert "run `annotator db upgrade` first" in done.stderr
    assert "Traceback" not in done.stderr


def test_postgresql_reuses_the_connection_used_last(app):
    """After a burst opened many connections, a lone annotator's saves keep
    to one warm server process (a LIFO pool on PostgreSQL) instead of cycling
    through them all; SQLite keeps SQLAlchemy's default order (no server
    processes there)."""
    with app.app_context():
        first, second = db.engine.connect(), db.engine.connect()
        drivers = [c.connection.dbapi_connection for c in (first, second)]
        first.close()
        second.close()
        with db.engine.connect() as again:
            taken = again.connection.dbapi_connection
        last_used = db.engine.dialect.name == "postgresql"
    assert taken is drivers[1 if last_used else 0]


def test_a_pool_chosen_in_the_configuration_is_kept(
    database_url, tmp_path, monkeypatch
):
    """instance/config.py may choose the pool (NullPool behind a pgbouncer in
    front of PostgreSQL): LIFO is a default for SQLAlchemy's queue pool only,
    never an argument that a pool without an order refuses at start."""
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
        }
    )
    with app.app_context():
        assert isinstance(db.engine.pool, NullPool)
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1
        db.engine.dispose()
