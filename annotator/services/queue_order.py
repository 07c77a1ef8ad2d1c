"""A project's queue order: which document ``next_document`` hands out next.

- ``in-order``: by document id (the order of import), the default.
- ``random``: by ``core.queue.random_rank`` of the id and the project's seed,
  ties by id: the same seed gives the same order, documents imported later
  take their random place at once. The rank is stored on the document
  (``documents.queue_rank``): by the import that creates it
  (``import_rows.insert_documents``, :func:`seed_for_ranks`) and, for all
  the project's documents, whenever the seed changes (:func:`set_queue_order`),
  so that picking the next document walks an index instead of ranking and
  sorting every document.
- ``uncertainty``: the documents whose proposals from the project's trained
  model are least sure first (``document_uncertainty.margin``, lowest first,
  ties by id, stored when the model was registered); documents the model
  proposed nothing on, or that were imported after it scored them, come
  after, by id. Asked as two queries, each walking an index in its order.

Choosing ``uncertainty`` before a model has scored the project's documents is
refused, saying to train one first.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SQLColumnExpression,
    cast,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from annotator.core.queue import MAX_SEED, QueueOrder, random_rank
from annotator.core.spans import FieldError
from annotator.models import Document, DocumentUncertainty, Project, User
from annotator.services import audit
from annotator.services.errors import FieldRefused, rolls_back

ORDERS = tuple(order.value for order in QueueOrder)


class QueueOrderRefused(FieldRefused):
    """An order or seed refused; ``field`` names which."""


@dataclass(frozen=True, slots=True)
class QueueState:
    """The project's order and seed, and what the model's scores cover."""

    order: str
    seed: int | None
    #: The suggester and version whose scores the uncertainty order reads.
    model: tuple[str, str] | None
    scored: int
    with_proposals: int
    scored_at: datetime | None

    def manifest(self) -> dict[str, Any]:
        """What an export records: the order, the seed of a random order and
        the model of an uncertainty order (null otherwise)."""
        model = None
        if self.order == QueueOrder.UNCERTAINTY and self.model is not None:
            model = {"suggester": self.model[0], "version": self.model[1]}
        return {
            "order": self.order,
            "seed": self.seed if self.order == QueueOrder.RANDOM else None,
            "model": model,
        }


def queue_state(session: Session, project: Project) -> QueueState:
    """The project's queue order, seed and model scores as stored now."""
    scored, with_proposals, name, version, when = session.execute(
        select(
            func.count(),
            func.count(DocumentUncertainty.margin),
            func.max(DocumentUncertainty.suggester),
            func.max(DocumentUncertainty.suggester_version),
            func.max(DocumentUncertainty.scored_at),
        ).where(DocumentUncertainty.project_id == project.id)
    ).one()
    return QueueState(
        order=project.queue_order,
        seed=project.queue_seed,
        model=(name, version) if scored else None,
        scored=int(scored),
        with_proposals=int(with_proposals),
        scored_at=when,
    )


def checked_seed(value: object) -> int:
    """A seed: a whole number from 0 to MAX_SEED."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (0 <= value <= MAX_SEED)
    ):
        raise QueueOrderRefused(
            FieldError("seed", f"must be a whole number from 0 to {MAX_SEED}")
        )
    return value


def _refuse_uncertainty_unscored(session: Session, project: Project) -> None:
    if queue_state(session, project).scored == 0:
        raise QueueOrderRefused(
            FieldError(
                "order",
                f"no trained model has scored the documents of {project.name} "
                f"yet: train one first (annotator train {project.name!r}), "
                "then choose uncertainty",
            )
        )


@rolls_back
def set_queue_order(
    session: Session,
    project: Project,
    order: str,
    seed: object | None = None,
    actor: User | None = None,
) -> QueueState:
    """Set the order; a given seed is stored (it is the random order's);
    ``random`` without one keeps the stored seed or draws one. Commit."""
    if order not in ORDERS:
        raise QueueOrderRefused(
            FieldError("order", f"must be one of {', '.join(ORDERS)}")
        )
    before = project.queue_seed
    if seed is not None:
        project.queue_seed = checked_seed(seed)
    if order == QueueOrder.UNCERTAINTY:
        _refuse_uncertainty_unscored(session, project)
    if order == QueueOrder.RANDOM and project.queue_seed is None:
        project.queue_seed = secrets.randbelow(MAX_SEED + 1)
    project.queue_order = order
    if project.queue_seed is not None and project.queue_seed != before:
        # Every document has the rank of the stored seed (imports store it
        # for theirs), so only a new seed rewrites them.
        _store_ranks(session, project, project.queue_seed)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="project",
        entity_id=project.id,
        action="queue_order",
        data={"order": order, "seed": project.queue_seed},
    )
    session.commit()
    return queue_state(session, project)


def _store_ranks(session: Session, project: Project, seed: int) -> None:
    """Rank every document of the project under ``seed``, in the database.
    The project row is written first (flush), so on PostgreSQL an import
    reading the seed (:func:`seed_for_ranks`) waits for this transaction and
    then reads the new seed; documents it inserted before are not seen here
    but were ranked by it under the seed it will read. On SQLite writers
    take turns anyway."""
    session.flush()
    # 64-bit before multiplying: documents.id is a 32-bit integer on
    # PostgreSQL, where 32-bit products overflow.
    rank = random_rank(cast(Document.id, BigInteger), seed)
    session.execute(
        update(Document)
        .where(Document.project_id == project.id)
        .values(queue_rank=rank)
        .execution_options(synchronize_session=False)
    )


def seed_for_ranks(session: Session, project: Project) -> int | None:
    """The project's seed as committed now, for ranking documents being
    inserted (``random_rank(id, seed)``, None without a seed). On PostgreSQL
    the project row is share-locked until commit, so a seed change waits for
    the import, then re-ranks its documents too; one under way already is
    waited for, and its new seed is read."""
    seed = session.scalar(
        select(Project.queue_seed)
        .where(Project.id == project.id)
        .with_for_update(read=True)
    )
    return None if seed is None else int(seed)


#: The conditions a document id must meet to be handed out (assignments).
Needing = Callable[[SQLColumnExpression[int]], Sequence[ColumnElement[bool]]]


def ordered(project: Project, needing: Needing) -> tuple[Select[int], ...]:
    """The ids of the project's documents meeting ``needing`` in the queue
    order, ties by id, as parts: the queue is the first part's rows, then
    the next part's. Each part is ordered along an index, so the first
    document needing annotators is found without sorting the project's."""
    documents = select(Document.id).where(Document.project_id == project.id)
    if project.queue_order == QueueOrder.RANDOM and project.queue_seed is not None:
        # The stored rank, random_rank(id, seed): ranked when the seed was
        # set and by the import of every document since.
        return (
            documents.where(*needing(Document.id)).order_by(
                Document.queue_rank, Document.id
            ),
        )
    if project.queue_order == QueueOrder.UNCERTAINTY:
        # Margin ascending with NULLS LAST as two parts: the scored
        # documents with a margin, then the rest (no proposals, or not
        # scored: imported since) by id. The scored part tests the scores'
        # document_id, so a document row is read only for the one found.
        margin = DocumentUncertainty.margin
        scored = (
            documents.join(
                DocumentUncertainty, DocumentUncertainty.document_id == Document.id
            )
            .where(
                DocumentUncertainty.project_id == project.id,
                margin.is_not(None),
                *needing(DocumentUncertainty.document_id),
            )
            .order_by(margin, DocumentUncertainty.document_id)
        )
        rest = (
            documents.outerjoin(
                DocumentUncertainty, DocumentUncertainty.document_id == Document.id
            )
            .where(margin.is_(None), *needing(Document.id))
            .order_by(Document.id)
        )
        return (scored, rest)
    return (documents.where(*needing(Document.id)).order_by(Document.id),)
