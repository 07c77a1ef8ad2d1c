"""A git ref of the project as a running demo server, for the review-flow bench.

The ref's tree is exported with ``git archive`` (nothing is checked out), its
own ``annotator db upgrade`` and ``annotator seed`` fill a pristine SQLite
database once, and each run serves a fresh copy of it with the tree's
``annotator serve`` (gunicorn, 2 workers), so every run starts from the same
unreviewed demo.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = "from annotator.cli import main; main()"


@dataclass(frozen=True, slots=True)
class Tree:
    ref: str
    commit: str
    root: Path

    def environment(self, database: Path) -> dict[str, str]:
        """The tree's code first on the path, its own instance folder."""
        return {
            **os.environ,
            "PYTHONPATH": str(self.root),
            "ANNOTATOR_INSTANCE_PATH": str(self.root / "instance"),
            "ANNOTATOR_DATABASE_URL": f"sqlite:///{database}",
            "ANNOTATOR_SECRET_KEY": "review-flow-bench",
        }

    def annotator(
        self, database: Path, log: Path, *arguments: str
    ) -> subprocess.Popen[bytes]:
        """The tree's ``annotator`` command, its output in ``log``."""
        with log.open("ab") as output:
            return subprocess.Popen(
                [sys.executable, "-c", CLI, *arguments],
                cwd=self.root,
                env=self.environment(database),
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def run(self, database: Path, *arguments: str) -> None:
        log = self.root / "instance" / "commands.log"
        if self.annotator(database, log, *arguments).wait():
            raise SystemExit(
                f"{self.ref}: annotator {' '.join(arguments)} failed:\n"
                + log.read_text(errors="replace")
            )


def git(*arguments: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(REPO), *arguments], check=True, capture_output=True
    ).stdout


def export(ref: str, folder: Path) -> Tree:
    """``ref``'s tree under ``folder``: ``git archive REF | tar -x`` (no checkout)."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}").decode().strip()
    folder.mkdir(parents=True)
    archive = subprocess.Popen(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=True)
    if archive.stdout:
        archive.stdout.close()
    if archive.wait():
        raise SystemExit(f"git archive {ref} failed")
    (folder / "instance").mkdir(exist_ok=True)
    return Tree(ref, commit, folder)


def seeded(tree: Tree) -> Path:
    """A database with the demo, made by the tree's own upgrade and seed."""
    database = tree.root / "instance" / "pristine.sqlite"
    tree.run(database, "db", "upgrade")
    tree.run(database, "seed")
    return database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the server answers; the machine may be busy, so up to a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start:\n" + log.read_text(errors="replace"))


@contextmanager
def serving(tree: Tree, pristine: Path, run: int) -> Iterator[str]:
    """The tree's ``annotator serve`` on a fresh copy of the seeded database."""
    database = pristine.with_name(f"run-{run}.sqlite")
    shutil.copyfile(pristine, database)
    port = free_port()
    log = database.with_suffix(".log")
    server = tree.annotator(
        database, log, "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "2",
    )  # fmt: skip
    try:
        wait_for(server, port, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()
