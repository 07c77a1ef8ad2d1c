"""Fixtures: a fresh, migrated database per test on SQLite, and on PostgreSQL
too when ANNOTATOR_TEST_DATABASE_URL is set."""

from __future__ import annotations

import contextvars
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import URL, Engine, create_engine, make_url, text

from annotator import create_app, migrations
from annotator.extensions import db
from annotator.models import Base, Project, Role, User
from annotator.services import accounts, projects
from annotator.services.agreement import cache as agreement_cache

POSTGRES_URL = os.environ.get("ANNOTATOR_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
PASSWORD = "correct horse battery"
#: The real work factor (accounts.HASH_METHOD), read before the tests lower it:
#: tests/services/test_password_hashing.py checks real accounts get it.
PRODUCTION_HASH_METHOD = accounts.HASH_METHOD


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Test accounts' passwords hashed with scrypt at a tiny work factor: at
    the real one each hash and each login costs 0.1-0.2 s of CPU, and most
    tests make five accounts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "HASH_METHOD", "scrypt:128:8:1")
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()
    return path


def _worker_database(url: str) -> URL:
    """The database of this pytest-xdist worker: ``<name>_gw0``, ``<name>_gw1``
    ... next to the one named (created on first use), so that workers never
    empty each other's tables; the one named when not under xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    named = make_url(url)
    if not worker:
        return named
    name = f"{named.database}_{worker}"
    admin = create_engine(named, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return named.set(database=name)


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[Engine]:
    # pool_pre_ping: a test that cuts the database's connections
    # (tests/web/test_database_outage.py) cuts this pool's too.
    engine = create_engine(_worker_database(POSTGRES_URL), pool_pre_ping=True)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def _empty_postgres(engine: Engine) -> None:
    """Every table emptied and every sequence restarted, as TRUNCATE ...
    RESTART IDENTITY would: but DELETE on the few small tables a test fills
    takes milliseconds where TRUNCATE of every table takes a second or more
    (it makes new files for each table and syncs them)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        used = connection.scalars(
            text(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename)"
                " FROM pg_sequences WHERE last_value IS NOT NULL"
            )
        ).all()
        for sequence in used:
            connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres_migrated")
        _empty_postgres(engine)
        return engine.url.render_as_string(hide_password=False)
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "test.sqlite"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's app context, as a real server
    would: otherwise ``g`` (and the logged-in user in it) would leak from one
    request, and one client, to the next."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    monkeypatch.setenv("ANNOTATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "EXPORT_DIR": str(tmp_path / "exports"),
            # Export jobs run in the request that submits them.
            "EXPORT_JOBS_INLINE": True,
            # Trainings too (a second start while one runs is tested apart).
            "TRAINING_JOBS_INLINE": True,
        }
    )
    application.test_client_class = IsolatedClient
    # Reports cached by a test before must not answer for this one's data
    # (the caches key on the database URL, which the tests share).
    agreement_cache.clear_cache()
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def users(app: Flask) -> dict[str, User]:
    """One user per project role, a site admin and a non-member."""
    made = {}
    for name in ("siteadmin", "padmin", "reviewer", "annotator", "outsider"):
        made[name] = accounts.create_user(
            db.session, name, PASSWORD, is_admin=name == "siteadmin"
        )
    return made


@pytest.fixture
def project(users: dict[str, User]) -> Project:
    created = projects.create_project(db.session, "Alpha", guideline="Tag claims.")
    for name, role in [
        ("padmin", Role.ADMIN),
        ("reviewer", Role.REVIEWER),
        ("annotator", Role.ANNOTATOR),
    ]:
        projects.add_member(db.session, created, users[name], role, None)
    return created


@pytest.fixture
def other_project(users: dict[str, User]) -> Project:
    created = projects.create_project(db.session, "Beta")
    projects.add_member(db.session, created, users["outsider"], Role.ADMIN, None)
    return created


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
    )
