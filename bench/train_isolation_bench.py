"""Does a training started from the web slow annotators down? One annotator
saves spans through the JSON API (keep-alive, the real server: ``annotator
serve`` with one gunicorn worker, so every request lands on the worker that
started the training) while an admin's training runs in the background.

For each way of running trainings — ``process`` (a child process, the
default) and ``thread`` (a thread of the web worker, as before; chosen by
``TRAINING_JOBS_IN_THREAD = True`` in the instance's ``config.py``) — a fresh
server on a fresh SQLite database times:

1. ``reference``: N saves with no training running (same server, same run),
2. ``training``: N saves while a training of 60 gold documents runs (it is
   started with 200 epochs, checked to be still running after the saves,
   then cancelled),
3. ``after``: N saves once it is cancelled (how much the growing span count
   and the machine's drift move the reference).

Prints medians and p95 and each phase's ratio to its run's reference, and the
load average: the machine is shared, so the ratios matter, not the
milliseconds.

    .venv/bin/python -m bench.train_isolation_bench [--saves N] [--modes process,thread]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.save_span_bench import (
    TEXT,
    Client,
    free_port,
    login,
    page_token,
    prepare,
    timed,
    wait_for,
)

LEAD_PASSWORD = "models-trained-beside-saves"
LABELS = ("claim", "hedge", "denial", "false_flag_warning")
GOLD_DOCUMENTS = 60
EPOCHS = 200
#: Makes the gold layer: generated documents, adjudicated (tests/gold_data).
GOLD_SCRIPT = """
from annotator import create_app
from annotator.extensions import db
from annotator.models import Project, User
from tests.gold_data import make_gold_project
app = create_app()
with app.app_context():
    project = db.session.query(Project).filter_by(name="Gold").one()
    lead = db.session.query(User).filter_by(username="lead").one()
    make_gold_project(project, lead, documents={documents})
"""


def prepare_training(folder: Path, thread: bool) -> dict[str, str]:
    """The save benchmark's project, a site admin ``lead`` and a project
    "Gold" with a gold layer (a project's queue is its own: the saves go to
    the first one);
    the instance's config.py chooses where trainings run."""
    (folder / "config.py").write_text(f"TRAINING_JOBS_IN_THREAD = {thread}\n")
    env = prepare(folder)
    annotator = str(Path(sys.executable).parent / "annotator")
    subprocess.run(
        [annotator, "create-user", "lead", "--admin", "--password-stdin"],
        env=env,
        input=f"{LEAD_PASSWORD}\n",
        text=True,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [annotator, "create-project", "Gold"], env=env, check=True, capture_output=True
    )
    made = subprocess.run(
        [sys.executable, "-c", GOLD_SCRIPT.format(documents=GOLD_DOCUMENTS)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if made.returncode:
        raise SystemExit(f"the gold layer was not made: {made.stderr[-2000:]}")
    return env


def login_lead(client: Client) -> str:
    token = page_token(client, "/login")
    form = {"username": "lead", "password": LEAD_PASSWORD, "csrf_token": token}
    client.request(
        "POST",
        "/login",
        urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    return page_token(client, "/")


def call(client: Client, token: str, method: str, path: str, body: object) -> dict:
    sent = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "X-CSRFToken": token}
    try:
        status, data, _ = client.request(method, path, sent, headers)
    except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
        # gunicorn closes a keep-alive connection idle for 2 s: open another.
        client.connection.close()
        status, data, _ = client.request(method, path, sent, headers)
    if status >= 400:
        raise SystemExit(f"{method} {path}: {status} {data!r}")
    return dict(json.loads(data))


def wait_until(client: Client, token: str, url: str, statuses: set[str]) -> dict:
    for _ in range(1200):
        job = call(client, token, "GET", url, None)
        if job["status"] in statuses:
            return job
        time.sleep(0.25)
    raise SystemExit(f"the training did not reach {statuses}")


def run_mode(mode: str, count: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as name:
        env = prepare_training(Path(name), thread=mode == "thread")
        port = free_port()
        annotator = str(Path(sys.executable).parent / "annotator")
        server = subprocess.Popen(
            [annotator, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            return phases(port, count)
        finally:
            server.terminate()
            server.wait()


def phases(port: int, count: int) -> dict[str, list[float]]:
    client, lead = Client(port), Client(port)
    token, lead_token = login(client), login_lead(lead)
    api = "/api/projects/1/documents/1"
    state = {"version": call(client, token, "GET", f"{api}/annotation", None)}
    state["version"] = state["version"]["version"]

    saved = [0]

    def save(_: int) -> None:
        # A new span each time (the same one twice is refused).
        room = len(TEXT) - 20
        start, label = saved[0] % room, LABELS[saved[0] // room % len(LABELS)]
        saved[0] += 1
        body = {
            "version": state["version"],
            "start": start,
            "end": start + 6,
            "label": label,
        }
        answer = call(client, token, "POST", f"{api}/spans", body)
        state["version"] = answer["version"]

    timed(save, 20)  # warm up
    found = {"reference": timed(save, count)}
    job = call(
        lead, lead_token, "POST", "/api/v1/projects/2/trainings", {"epochs": EPOCHS}
    )
    url = f"/api/v1/projects/2/trainings/{job['id']}"
    wait_until(lead, lead_token, url, {"running"})
    time.sleep(2)  # past loading spaCy, into the epochs
    timed(save, 1)  # a fresh connection if the idle one was closed
    found["training"] = timed(save, count)
    job = call(lead, lead_token, "GET", url, None)
    if job["status"] != "running":
        print(f"  warning: the training was {job['status']} before the saves ended")
    progress = job["progress"]
    print(
        f"  training during the saves: {progress['done']} epochs done, "
        f"{progress['epoch_documents_done']} documents into the next"
    )
    call(lead, lead_token, "POST", f"{url}/cancel", {})
    wait_until(lead, lead_token, url, {"cancelled", "done", "failed"})
    timed(save, 1)
    found["after"] = timed(save, count)
    return found


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--modes", default="process,thread")
    options = parser.parse_args()
    count, modes = options.saves, options.modes.split(",")
    print(
        f"saves per phase: {count}; one annotator, keep-alive, gunicorn with one "
        f"worker (4 threads), SQLite WAL; training: {GOLD_DOCUMENTS} gold "
        f"documents, spancat; {os.cpu_count()} processors"
    )
    print(f"load average at start: {os.getloadavg()}")
    for mode in modes:
        print(f"{mode}:")
        found = run_mode(mode, count)
        base = statistics.median(found["reference"])
        for phase, times in found.items():
            median = statistics.median(times)
            print(
                f"  {phase:9} median {median:7.2f} ms  p95 {p95(times):7.2f} ms  "
                f"median / reference {median / base:5.1f}  "
                f"p95 / reference p95 {p95(times) / p95(found['reference']):5.1f}"
            )
        print(f"  load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main()
