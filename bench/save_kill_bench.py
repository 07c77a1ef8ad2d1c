"""``kill -9`` of a gunicorn worker in the middle of a burst of span saves:
every save the server acknowledged (201) must be stored, and nothing half
written (a span without its audit row, or the other way round).

20 clients save to their own documents through ``annotator serve`` on a
fresh SQLite database; after a second, one worker (a child of the gunicorn
master this bench started) gets SIGKILL, then another one a second later.
Gunicorn starts replacements; clients whose connection died reconnect and
reload their version (a save whose answer was lost may have been stored, so
the next one would be stale). Printed: acknowledged, stored, spans without an
audit row, errors.

    .venv/bin/python -m bench.save_kill_bench [--clients 20] [--saves 60]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import tempfile
import threading
import time
from http.client import HTTPException
from pathlib import Path

from sqlalchemy import create_engine, func, select

from annotator.models import AuditEvent
from annotator.models import Span as SpanRow
from bench.save_span_bench import Client
from bench.save_vs_doccano_bench import Ours, Saver, offsets, run_phase


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


class Resilient(Ours):
    """Ours, with clients that reload their version after a lost answer."""

    acknowledged_ids: list[int]

    def saver_for(self, index: int) -> Saver:
        document = self.documents[index]
        base = f"/api/projects/{self.project}/documents/{document}"
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
        state = {"client": self.connect(), "version": 0}

        def save(index: int, number: int) -> int:
            start, end = offsets(number + 1)
            body = {"version": state["version"], "start": start, "end": end}
            sent = json.dumps({**body, "label": "claim"}).encode()
            try:
                status, data, _ = state["client"].request(
                    "POST", f"{base}/spans", sent, headers
                )
            except (OSError, HTTPException):
                status, data = 0, b""
            if status == 201:
                answer = json.loads(data)
                state["version"] = answer["version"]
                self.acknowledged_ids.append(answer["span"]["id"])
            else:
                state["client"], state["version"] = self.reload(f"{base}/annotation")
            return status

        return save

    def reload(self, path: str) -> tuple[Client, int]:
        """A new connection and the version stored now (retried while the
        killed worker's connections fail)."""
        for _ in range(50):
            client = self.connect()
            try:
                return client, json.loads(client.request("GET", path)[1])["version"]
            except (OSError, HTTPException, ValueError):
                time.sleep(0.1)
        raise SystemExit("the server did not come back")

    def connect(self) -> Client:
        client = Client(self.port)
        client.cookies = dict(self.cookies)
        return client


def check(ours: Resilient) -> tuple[list[int], int, int]:
    """Acknowledged span ids not stored; spans without an audit row; spans."""
    engine = create_engine(ours.url)
    with engine.connect() as connection:
        stored = set(connection.scalars(select(SpanRow.id)))
        audited = select(AuditEvent.entity_id).where(AuditEvent.entity == "span")
        orphans = connection.scalar(
            select(func.count()).select_from(SpanRow).where(SpanRow.id.not_in(audited))
        )
    engine.dispose()
    missing = [i for i in ours.acknowledged_ids if i not in stored]
    return missing, int(orphans or 0), len(stored)


def killer(master: int, kills: int, killed: list[int]) -> None:
    for _ in range(kills):
        time.sleep(1.0)
        victims = workers_of(master)
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            killed.append(victims[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--saves", type=int, default=60)
    parser.add_argument("--kills", type=int, default=2)
    options = parser.parse_args()
    code = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as name:
        ours = Resilient(Path(name), options.clients, None, code)
        ours.acknowledged_ids = []
        killed: list[int] = []
        with ours.serving():
            thread = threading.Thread(
                target=killer, args=(ours.server.pid, options.kills, killed)
            )
            thread.start()
            phase = run_phase(options.clients, options.saves, ours.saver_for)
            thread.join()
            missing, orphans, stored = check(ours)
    print(f"workers killed (SIGKILL): {len(killed)} {killed}")
    print(
        f"acknowledged {phase.acknowledged}, stored {stored}, errors "
        f"{phase.errors} (lost answers and 409s after them), spans without "
        f"an audit row {orphans}"
    )
    print(
        "every acknowledged save stored"
        if not missing
        else f"LOST {len(missing)} acknowledged saves: span ids {missing[:20]}"
    )


if __name__ == "__main__":
    main()
