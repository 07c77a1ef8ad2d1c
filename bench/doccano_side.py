"""doccano 1.8.4 for the side-by-side save bench: set up in its own venv
(``--doccano-venv``, default /work/doccano-venv), served by its own gunicorn
bound to 127.0.0.1 (``doccano webserver`` binds 0.0.0.0), token
authentication so that no CSRF dance is needed, one example per client.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.save_span_bench import free_port, wait_for

#: Run by the doccano venv's python: a sequence-labelling project with
#: overlapping spans allowed, one label, ``count`` examples of ``text``, an
#: annotator member with a token. Prints the ids as JSON.
SETUP = """
import json, os, sys
sys.path.append(os.environ["DOCCANO_BACKEND"])
import django
django.setup()
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from projects.models import SequenceLabelingProject, Member
from roles.models import Role
from examples.models import Example
from label_types.models import SpanType
count, text = int(sys.argv[1]), sys.stdin.read()
owner = get_user_model().objects.get(username="admin")
user = get_user_model().objects.create_user(username="bench", password="bench-pass-1")
project = SequenceLabelingProject.objects.create(
    name="Bench", project_type="SequenceLabeling", created_by=owner,
    allow_overlapping=True)
Member.objects.create(user=owner, project=project,
                      role=Role.objects.get(name="project_admin"))
Member.objects.create(user=user, project=project,
                      role=Role.objects.get(name="annotator"))
label = SpanType.objects.create(project=project, text="claim")
examples = Example.objects.bulk_create(
    [Example(project=project, text=text) for _ in range(count)])
ids = list(Example.objects.filter(project=project).order_by("id")
           .values_list("id", flat=True))
print(json.dumps({"project": project.id, "label": label.id, "examples": ids,
                  "token": Token.objects.create(user=user).key}))
"""

COUNT = """
import os, sys
sys.path.append(os.environ["DOCCANO_BACKEND"])
import django
django.setup()
from labels.models import Span
print(Span.objects.count())
"""


def backend(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages/backend"))
    if not found:
        raise FileNotFoundError(f"doccano is not installed in {venv}")
    return found[0]


def environment(venv: Path, home: Path, database_url: str | None) -> dict[str, str]:
    return {
        **os.environ,
        "DOCCANO_HOME": str(home),
        "DOCCANO_BACKEND": str(backend(venv)),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url or f"sqlite:///{home}/db.sqlite3",
        "MEDIA_ROOT": str(home / "media"),
        "STANDALONE": "True",
        "DEBUG": "False",
        "SECRET_KEY": "bench-secret-key-for-doccano-only",
    }


def prepare(
    venv: Path, home: Path, text: str, count: int, database_url: str | None
) -> tuple[dict[str, str], dict[str, object]]:
    env = environment(venv, home, database_url)
    doccano = str(venv / "bin" / "doccano")
    for args in (["init"], ["createuser", "--username", "admin", "--password", "x"]):
        subprocess.run([doccano, *args], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SETUP, str(count)],
        env=env,
        input=text,
        text=True,
        check=True,
        capture_output=True,
    )
    return env, json.loads(made.stdout.strip().splitlines()[-1])


def stored_spans(venv: Path, env: dict[str, str]) -> int:
    counted = subprocess.run(
        [str(venv / "bin" / "python"), "-c", COUNT],
        env=env,
        text=True,
        check=True,
        capture_output=True,
    )
    return int(counted.stdout.strip().splitlines()[-1])


@contextmanager
def serving(venv: Path, env: dict[str, str], workers: int) -> Iterator[int]:
    """doccano's own gunicorn (sync workers, as ``doccano webserver`` runs it)
    on loopback."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            # Loading Django takes over gunicorn's 30 s worker timeout on
            # this shared machine under load (workers were killed in a
            # loop); the timeout never bears on a save of a few seconds.
            "--timeout",
            "300",
            "--chdir",
            env["DOCCANO_BACKEND"],
            "config.wsgi",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        yield port
    finally:
        server.terminate()
        server.wait()
