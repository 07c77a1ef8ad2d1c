"""``train_model``: a project's gold layer in, a trained spancat model folder
out (model, per-label figures on the held-out documents, counts).

Registering the model as the project's suggester is the suggestions
storage's business (``kind="spancat"``, ``config={"path": ...}``); this
module writes the folder and answers its report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from annotator.core.suggestions import SuggesterError
from annotator.models import Project, RegisteredSuggester, SuggesterKind, User
from annotator.services.errors import ServiceError
from annotator.services.exports.disk import project_folder_name
from annotator.services.suggesters import spancat
from annotator.services.suggesters.files import check_target
from annotator.services.suggesters.gold import TrainingData, training_examples
from annotator.services.suggestions.registry import register_suggester

#: Fewer gold spans than this teach a span categorizer nothing worth showing.
MIN_SPANS = 20
#: One document to learn from and one held out to score on, at least.
MIN_DOCUMENTS = 2
DEFAULT_EPOCHS = 20
DEFAULT_HELD_OUT = 0.2


class NotEnoughGoldError(ServiceError):
    """The layer is too small to train on."""


def train_model(
    session: Session,
    project: Project,
    out_dir: Path,
    *,
    layer: str = "gold",
    epochs: int = DEFAULT_EPOCHS,
    seed: int = 0,
    held_out: float = DEFAULT_HELD_OUT,
    progress: spancat.Progress | None = None,
    step: spancat.Step | None = None,
    data: TrainingData | None = None,
) -> spancat.TrainReport:
    """Train a spancat model on ``layer`` of ``project`` into ``out_dir``
    (new or empty). ServiceError, before any training, when spaCy is missing,
    the folder is taken or the layer has too few spans. ``data``: the
    layer's examples as ``ready_to_train`` just read them (not read again)."""
    if data is None:
        data = ready_to_train(session, project, out_dir, layer)
    else:
        _can_write(out_dir)
    try:
        return spancat.train_spancat(
            data.examples,
            data.labels,
            out_dir,
            seed=seed,
            epochs=epochs,
            held_out=held_out,
            progress=progress,
            step=step,
        )
    except (ValueError, OSError) as error:
        raise ServiceError(f"training failed: {error}") from None


def ready_to_train(
    session: Session, project: Project, out_dir: Path, layer: str = "gold"
) -> TrainingData:
    """The layer's examples when a training into ``out_dir`` can start;
    ServiceError when spaCy is missing, the folder is taken (anything but
    absent or empty) or the layer has too few spans."""
    _can_write(out_dir)
    return enough_examples(session, project, layer)


def _can_write(out_dir: Path) -> None:
    """ServiceError when spaCy is missing or ``out_dir`` is taken."""
    try:
        spancat.require_spacy()
        check_target(out_dir)
    except (SuggesterError, FileExistsError) as error:
        raise ServiceError(str(error)) from None


def register_model(
    session: Session,
    project: Project,
    report: spancat.TrainReport,
    *,
    actor: User | None = None,
    beat: Callable[[], None] | None = None,
) -> RegisteredSuggester:
    """Make the model ``report`` describes the project's active spancat
    suggester (and score the queue order with it, see
    :func:`register_suggester`): what ``annotator train`` and a training
    started on the Suggestions page both do once the model is written."""
    return register_suggester(
        session,
        project,
        kind=SuggesterKind.SPANCAT,
        name=spancat.NAME,
        version=report.version,
        config={"path": str(report.path.resolve())},
        actor=actor,
        beat=beat,
    )


def enough_examples(
    session: Session, project: Project, layer: str = "gold"
) -> TrainingData:
    """The layer's examples, or NotEnoughGoldError (ServiceError when there
    is no such layer yet) saying how many training needs."""
    data = training_examples(session, project, layer)
    spans, documents = data.span_count, len(data.examples)
    if spans < MIN_SPANS or documents < MIN_DOCUMENTS:
        raise NotEnoughGoldError(
            f"the {layer} layer of {project.name} has {spans} spans in "
            f"{documents} documents: training needs at least {MIN_SPANS} spans "
            f"in at least {MIN_DOCUMENTS} documents"
        )
    return data


def default_model_folder(models_dir: Path, project: Project, now: datetime) -> Path:
    """``<models_dir>/<project slug>-<id>/<UTC time>-spancat``, or with
    ``-2``, ``-3``… after the time when a training started the same second
    already took that name (two trainings a second apart must not collide)."""
    stamp = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    parent = models_dir / project_folder_name(project)
    folder = parent / f"{stamp}-{spancat.NAME}"
    number = 1
    while folder.exists():
        number += 1
        folder = parent / f"{stamp}-{number}-{spancat.NAME}"
    return folder
