"""A span save stays a handful of SQL statements: the access checks, one read
of what the save is checked against (the document's text in it), then the
writes back to back (version bump, span, audit row; one statement on
PostgreSQL). Each extra statement is a slower save, and a read between the
writes holds SQLite's write lock longer for everyone."""

from sqlalchemy import event, func, select

from annotator.extensions import db
from annotator.models import Assignment, AuditEvent, Span
from tests.web.conftest import Api

#: user, project with membership, the save's checks (the document in them);
#: then UPDATE assignments, INSERT spans, INSERT audit_events, which
#: PostgreSQL takes as one statement (WITH ... UPDATE ... INSERT ... INSERT).
#: It was 12.
WRITES = {"sqlite": ["UPDATE", "INSERT", "INSERT"], "postgresql": ["WITH"]}


def statements_per_save():
    return 3 + len(WRITES[db.engine.dialect.name])


def statements_during(call):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return result, seen


def save(api, version, start):
    body = {"version": version, "start": start, "end": start + 2, "label": "claim"}
    return api.send("POST", "/spans", body)


def test_a_save_takes_few_statements_and_writes_last(client, project, document):
    api = Api(client, project, document)
    version = api.version()
    response, seen = statements_during(lambda: save(api, version, 9))
    assert response.status_code == 201
    assert len(seen) <= statements_per_save(), "\n".join(seen)
    writes = [s.split()[0] for s in seen if not s.startswith("SELECT")]
    assert writes == WRITES[db.engine.dialect.name]
    assert seen[-len(writes) :] == [s for s in seen if not s.startswith("SELECT")]
    span = db.session.scalar(select(Span))
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "span"))
    assert audit.entity_id == span.id
    assert audit.data["after"] == response.get_json()["span"]
    assert response.get_json()["version"] == version + 1


def test_a_stale_save_writes_nothing(client, project, document):
    api = Api(client, project, document)
    version = api.version()
    assert save(api, version, 9).status_code == 201
    response, seen = statements_during(lambda: save(api, version, 16))
    assert response.status_code == 409
    assert db.session.scalar(select(Span.start).where(Span.start == 16)) is None
    assert not any(s.startswith("INSERT") for s in seen)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity == "span")
        )
        == 1
    )


def test_the_first_save_opens_a_document_still_to_do(client, project, document):
    api = Api(client, project, document)
    assignment = db.session.scalar(select(Assignment))
    assignment.status = "todo"
    db.session.commit()
    version = api.version()
    response, seen = statements_during(lambda: save(api, version, 9))
    assert response.status_code == 201
    db.session.expire_all()
    assert db.session.scalar(select(Assignment.status)) == "in_progress"
    assert len(seen) <= statements_per_save()
