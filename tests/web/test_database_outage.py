"""The database going away (a PostgreSQL restart, a cut connection) while the
app runs: requests in the gap answer 503 with Retry-After, never a 500, and
the app serves again once the database is back, without a restart."""

from contextlib import contextmanager

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from annotator.extensions import db
from annotator.models import Span
from tests.web.conftest import Api


def cut_connections(engine):
    """What a database restart does to the app's pooled connections: on
    PostgreSQL the server ends their backends; SQLite has no server, so its
    connections are closed under the pool."""
    if engine.dialect.name == "postgresql":
        killer = create_engine(engine.url)
        with killer.connect() as connection:
            ended = connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        killer.dispose()
    else:
        pooled = list(engine.pool._pool.queue)
        for record in pooled:
            record.dbapi_connection.close()
        ended = len(pooled)
    assert ended, "no pooled connection to cut"


def test_the_app_serves_again_after_its_connections_are_cut(client, project, document):
    api = Api(client, project, document)
    version = api.version()
    db.session.commit()
    db.session.close()
    cut_connections(db.engine)
    body = {"version": version, "start": 9, "end": 12, "label": "claim"}
    response = api.send("POST", "/spans", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert api.get().get_json()["version"] == version + 1


@contextmanager
def database_away(engine):
    """Every statement fails as it does while the database restarts (the
    user's own row included, read before the view runs)."""

    def fail(conn, cursor, statement, parameters, context, executemany):
        raise OperationalError(
            statement, parameters, Exception("the database system is shutting down")
        )

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def test_a_database_that_does_not_answer_is_a_503_to_retry(client, project, document):
    api = Api(client, project, document)
    version = api.version()
    body = {"version": version, "start": 9, "end": 12, "label": "claim"}
    with database_away(db.engine):
        response = api.send("POST", "/spans", body)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.headers["Cache-Control"] == "no-store"
    assert "try again" in response.get_json()["error"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Span)) == 0
    assert api.send("POST", "/spans", body).status_code == 201


def test_an_html_page_says_the_same_when_the_database_is_away(
    client, project, document
):
    Api(client, project, document)
    page = f"/projects/{project.id}/documents/{document.id}/annotate"
    with database_away(db.engine):
        response = client.get(page)
    assert response.status_code == 503
    assert "try again in a moment" in response.get_data(as_text=True)
    assert client.get(page).status_code == 200
