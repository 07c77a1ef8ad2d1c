"""Queue order benchmark: what choosing the next document costs per order.

    .venv/bin/python -m bench.queue_order_bench [--documents 5000 20000]
        [--database-url postgresql+psycopg://user@host/db]     (repo root)

A fresh database (SQLite in a temporary folder by default; the PostgreSQL
database given is emptied first) with three projects, one per order, each
of N documents, every one scored for the uncertainty order, and one
annotator. Times the query that picks the next document
(``assignments._lock_candidate``, rolled back after each run) in each
order, twice: on a fresh queue, and with the first half of each queue (in
its order) taken by another annotator, so the pick walks past N/2
documents; all the queries are timed round by round, interleaved, so that
the load of a shared machine falls on all alike. (``before`` counted the
annotators of every document in the database, so its half-taken figures
include the other two projects' assignments, as they would in a database
with several projects.) ``before`` is the query as it was before the stored ranks, the
margin index and the per-candidate count of annotators (every document
ranked and sorted per pick, joined to the annotator counts of every
document), rebuilt here from that version; ``after`` is
``assignments._lock_candidate`` now. Each is given as a ratio to
``in-order`` measured the same way in the same run (before to before,
after to after), and both must pick the same document. On PostgreSQL the
tables are ANALYZEd once filled, as autovacuum would. The best of several
runs, to be robust on a shared machine. Also prints what choosing a new
seed costs (every document of the project ranked again, in one UPDATE).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Select,
    cast,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from annotator import create_app, migrations
from annotator.core.queue import random_rank
from annotator.extensions import db
from annotator.models import (
    Adjudication,
    Assignment,
    AssignmentStatus,
    Document,
    DocumentUncertainty,
    Project,
    User,
)
from annotator.services import accounts, assignments, projects, queue_order
from annotator.services.documents import import_files

RUNS = 20
ORDERS = ("in-order", "random", "uncertainty")
SEED = 17


def best_ms(calls: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """The best time of each call in ms, the calls interleaved round by round
    so that the machine's load falls on all of them alike."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(runs):
        for name, call in calls.items():
            began = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - began)
    return {name: seconds * 1000 for name, seconds in best.items()}


def before_ordered(query: Select[tuple[int]], project: Project) -> Select[tuple[int]]:
    """``queue_order.ordered`` before the stored ranks (one sorted query)."""
    if project.queue_order == "random" and project.queue_seed is not None:
        rank = random_rank(cast(Document.id, BigInteger), project.queue_seed)
        return query.order_by(rank, Document.id)
    if project.queue_order == "uncertainty":
        return query.outerjoin(
            DocumentUncertainty, DocumentUncertainty.document_id == Document.id
        ).order_by(DocumentUncertainty.margin.asc().nulls_last(), Document.id)
    return query.order_by(Document.id)


def before_needing_annotators(project: Project, user: User) -> Select[tuple[int]]:
    """``assignments._documents_needing_annotators`` before: joined to the
    counts of every document's annotators."""
    taken = (
        select(Assignment.document_id, func.count().label("annotators"))
        .where(Assignment.status != AssignmentStatus.SKIPPED)
        .group_by(Assignment.document_id)
        .subquery()
    )
    mine = select(Assignment.document_id).where(Assignment.user_id == user.id)
    reviewed = select(Adjudication.id).where(
        Adjudication.document_id == Document.id, Adjudication.version > 0
    )
    return (
        select(Document.id)
        .outerjoin(taken, taken.c.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            func.coalesce(taken.c.annotators, 0) < project.annotators_per_document,
            Document.id.not_in(mine),
            ~reviewed.exists(),
        )
    )


def pick_before(session: Session, project: Project, user: User) -> int | None:
    query = before_ordered(before_needing_annotators(project, user), project)
    return session.scalar(query.limit(1).with_for_update(of=Document))


def fresh_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def queue(session: Session, project: Project) -> list[int]:
    """The project's document ids in its queue order, computed in Python."""
    ids = list(
        session.scalars(
            select(Document.id)
            .where(Document.project_id == project.id)
            .order_by(Document.id)
        )
    )
    if project.queue_order == "random":
        seed = project.queue_seed
        assert seed is not None
        return sorted(ids, key=lambda i: (random_rank(i, seed), i))
    if project.queue_order == "uncertainty":
        rows = session.execute(
            select(DocumentUncertainty.document_id, DocumentUncertainty.margin).where(
                DocumentUncertainty.project_id == project.id
            )
        )
        margins: dict[int, float | None] = dict(rows.all())

        def key(i: int) -> tuple[bool, float, int]:
            margin = margins.get(i)
            return (margin is None, margin or 0.0, i)

        return sorted(ids, key=key)
    return ids


def measure(url: str, count: int, runs: int) -> dict[str, dict[str, float]]:
    """{scenario: {"ORDER before|after": ms}} for ``count`` documents per
    order, one project per order in the same database, all timed together."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    results: dict[str, dict[str, float]] = {}
    with app.app_context():
        migrations.upgrade(db.engine)
        session = db.session
        user = accounts.create_user(session, "worker", "correct horse battery")
        other = accounts.create_user(session, "other", "correct horse battery")
        lines = [
            json.dumps({"id": f"d{n}", "text": f"Document {n} reportedly."})
            for n in range(count)
        ]
        data = "\n".join(lines).encode()
        by_order: dict[str, Project] = {}
        for order in ORDERS:
            project = projects.create_project(session, f"Bench {order}")
            for member in (user, other):
                projects.add_member(session, project, member, "annotator", None)
            project.annotators_per_document = 1
            import_files(session, project, [("docs.jsonl", data)])
            ids = session.scalars(
                select(Document.id).where(Document.project_id == project.id)
            ).all()
            session.execute(
                insert(DocumentUncertainty),
                [
                    {
                        "document_id": i,
                        "project_id": project.id,
                        "suggester": "spancat",
                        "suggester_version": "bench",
                        "proposals": 1,
                        "margin": (i * 7919 % 1000) / 2000,
                    }
                    for i in ids
                ],
            )
            session.commit()
            queue_order.set_queue_order(session, project, order, SEED)
            by_order[order] = project

        for scenario in ("fresh", "half taken"):
            if scenario == "half taken":
                for project in by_order.values():
                    taken = queue(session, project)[: count // 2]
                    session.execute(
                        insert(Assignment),
                        [
                            {
                                "document_id": i,
                                "user_id": other.id,
                                "status": AssignmentStatus.SUBMITTED,
                            }
                            for i in taken
                        ],
                    )
                session.commit()
            if url.startswith("postgresql"):
                session.execute(text("ANALYZE"))
                session.commit()
            calls: dict[str, Callable[[], object]] = {}
            for order, project in by_order.items():
                after = assignments._lock_candidate(session, project, user)
                before = pick_before(session, project, user)
                session.rollback()
                assert after == before, (order, scenario, after, before)
                calls[f"{order} after"] = partial(_rolled_back, session, project, user)
                calls[f"{order} before"] = partial(
                    _rolled_back, session, project, user, pick_before
                )
            results[scenario] = best_ms(calls, runs)
        # A new seed re-ranks every document of the project (once, by hand).
        random_project = by_order["random"]
        seeds = iter(range(SEED + 1, SEED + 1 + runs))
        results["fresh"]["new seed"] = best_ms(
            {
                "new seed": lambda: queue_order.set_queue_order(
                    session, random_project, "random", next(seeds)
                )
            },
            min(runs, 5),
        )["new seed"]
    return results


def _rolled_back(
    session: Session,
    project: Project,
    user: User,
    pick: Callable[[Session, Project, User], int | None] = (
        assignments._lock_candidate
    ),
) -> None:
    pick(session, project, user)
    session.rollback()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    kind = "PostgreSQL" if args.database_url else "SQLite"
    for count in args.documents:
        if args.database_url:
            fresh_postgres(args.database_url)
            url = args.database_url
        else:
            folder = Path(tempfile.mkdtemp(prefix="queue-bench-"))
            url = f"sqlite:///{folder / 'bench.sqlite'}"
        results = measure(url, count, args.runs)
        print(
            f"{kind}, {count} documents: choosing a new seed (ranking them all) "
            f"takes {results['fresh'].pop('new seed'):.1f} ms"
        )
        for scenario, timings in results.items():
            old, new = timings["in-order before"], timings["in-order after"]
            print(
                f"{kind}, {count} documents, {scenario} queue, best of {args.runs} "
                f"runs; in-order before {old:.2f} ms, after {new:.2f} ms"
            )
            for order in ("random", "uncertainty"):
                before, after = timings[f"{order} before"], timings[f"{order} after"]
                print(
                    f"  {order:<12} before {before:8.2f} ms = {before / old:5.2f}x"
                    f" in-order, after {after:8.2f} ms = {after / new:5.2f}x in-order"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
