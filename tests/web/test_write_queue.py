"""On SQLite a span save waits its turn for the writer queue (a file lock
beside the database) instead of polling SQLite's lock, and is stored once the
writer before it is done."""

import fcntl
import os
import threading

import pytest

from annotator.extensions import db
from annotator.services.write_queue import lock_file
from tests.web.conftest import Api, span_count


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_save_waits_while_another_writer_holds_the_queue(client, project, document):
    api = Api(client, project, document)
    body = {"version": api.version(), "start": 9, "end": 12, "label": "claim"}
    path = lock_file(db.session)
    assert path == db.engine.url.database + "-writers"
    holder = os.open(path, os.O_RDWR | os.O_CREAT)  # as another process would
    fcntl.flock(holder, fcntl.LOCK_EX)
    answers = []
    saving = threading.Thread(
        target=lambda: answers.append(api.send("POST", "/spans", body))
    )
    try:
        saving.start()
        saving.join(1.0)
        assert saving.is_alive()
        assert not answers
        assert span_count() == 0
    finally:
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
    saving.join(30)
    assert answers[0].status_code == 201
    db.session.rollback()
    assert span_count() == 1
    assert api.version() == body["version"] + 1
