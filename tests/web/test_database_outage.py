"""The database going away (a PostgreSQL restart, a cut connection) while the
app runs: requests in the gap answer 503 with Retry-After, never a 500, and
the app serves again once the database is back, without a restart."""

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from annotator.extensions import db
from annotator.models import Span
from annotator.services import annotations
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


def test_a_database_that_does_not_answer_is_a_503_to_retry(
    client, project, document, monkeypatch
):
    api = Api(client, project, document)
    version = api.version()

    def away(*args, **kwargs):
        raise OperationalError(
            "INSERT INTO spans", {}, Exception("server closed the connection")
        )

    monkeypatch.setattr(annotations, "create_span", away)
    body = {"version": version, "start": 9, "end": 12, "label": "claim"}
    response = api.send("POST", "/spans", body)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert "try again" in response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(Span)) == 0
    page = client.get(f"/projects/{project.id}/documents/{document.id}/annotate")
    assert page.status_code == 200


def test_an_html_page_says_the_same_when_the_database_is_away(
    client, project, document, monkeypatch
):
    Api(client, project, document)

    def away(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("could not connect"))

    monkeypatch.setattr(annotations, "load_annotation", away)
    response = client.get(f"/projects/{project.id}/documents/{document.id}/annotate")
    assert response.status_code == 503
    assert "try again in a moment" in response.get_data(as_text=True)
