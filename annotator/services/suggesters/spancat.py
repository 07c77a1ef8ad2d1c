"""A spaCy span categorizer (``spancat``, overlaps allowed) trained on a
project's gold spans, and the suggester that serves it.

spaCy is optional (``pip install 'framing-annotator[ml]'``) and imported only
here, when training or loading. spaCy's character offsets index the Python
string, so they are code points like ours: a gold span becomes a spaCy span
through ``Doc.char_span`` (widened to whole tokens, ``alignment_mode=
"expand"``, and counted when widened), and a predicted span's ``start_char``
and ``end_char`` are its offsets as they are.

A trained model is a folder: ``model/`` (spaCy's ``nlp.to_disk``) and
``metrics.json`` (per-label precision, recall and F1 on the held-out
documents, the counts, the seed and the model's version: a SHA-256 of the
files under ``model/``).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from annotator.core.suggestions import SuggesterError, Suggestion
from annotator.core.suggestions.evaluation import (
    GoldExample,
    GoldSpan,
    LabelScore,
    held_out_split,
    micro_f1,
    score_spans,
)
from annotator.services.suggesters.files import (
    check_target,
    folder_digest,
    new_staging,
    replace_folder,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.training import Example

NAME = "spancat"
INSTALL = "install framing-annotator[ml] (pip install 'framing-annotator[ml]')"
SPANS_KEY = "sc"
MODEL_DIR = "model"
METRICS_FILE = "metrics.json"
#: The longest span, in tokens, the model proposes: longer gold spans are
#: counted (``too_long``) and cannot be learnt. Every size up to it costs one
#: candidate per token at suggestion time.
MAX_NGRAM = 12
Progress = Callable[[int, int, float], None]
"""Called after each epoch with (epochs done, epochs, that epoch's loss)."""
Step = Callable[[int, int], None]
"""Called after each minibatch with (examples done in this epoch, examples in
an epoch): an epoch of many long documents takes minutes, and a job's
heartbeat must not wait for its end."""
DEFAULT_THRESHOLD = 0.5
BATCH_SIZE = 8
DROPOUT = 0.1


class SpacyMissingError(SuggesterError):
    """spaCy cannot be imported."""


def require_spacy() -> ModuleType:
    """The ``spacy`` module, or SpacyMissingError saying which extra to
    install."""
    try:
        return importlib.import_module("spacy")
    except ImportError as error:
        raise SpacyMissingError(
            f"the spancat suggester needs spaCy, which cannot be imported "
            f"({error}): {INSTALL}"
        ) from None


def spacy_available() -> bool:
    """Whether spaCy can be found, without importing it (seconds)."""
    try:
        return importlib.util.find_spec("spacy") is not None
    except (ImportError, ValueError):
        return False


# ------------------------------------------------------------------ training


@dataclass(slots=True)
class Counts:
    """What training saw: documents and spans on each side of the split, and
    the gold spans that could not be used as drawn."""

    documents_train: int = 0
    documents_held_out: int = 0
    spans_train: int = 0
    spans_held_out: int = 0
    #: Widened to whole tokens (alignment_mode="expand").
    spans_expanded: int = 0
    #: Nothing but whitespace under them: left out.
    spans_skipped: int = 0
    #: Longer than MAX_NGRAM tokens: kept in the data, never proposed.
    spans_too_long: int = 0
    #: Of a label not trained: left out.
    spans_other_label: int = 0


@dataclass(frozen=True, slots=True)
class TrainReport:
    """A trained model: where it is, its version and how it did."""

    path: Path
    version: str
    labels: tuple[str, ...]
    scores: dict[str, LabelScore]
    counts: Counts
    ngram_sizes: tuple[int, ...]
    seed: int
    epochs: int
    threshold: float
    seconds: float
    created: str
    spacy_version: str = ""
    losses: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``metrics.json`` document."""
        return {
            "suggester": NAME,
            "version": self.version,
            "created": self.created,
            "seed": self.seed,
            "epochs": self.epochs,
            "threshold": self.threshold,
            "labels": list(self.labels),
            "ngram_sizes": list(self.ngram_sizes),
            "per_label": {k: v.to_dict() for k, v in self.scores.items()},
            "micro_f1": round(micro_f1(self.scores), 4),
            "counts": {name: getattr(self.counts, name) for name in Counts.__slots__},
            "losses": [round(loss, 4) for loss in self.losses],
            "seconds": round(self.seconds, 2),
            "spacy_version": self.spacy_version,
        }


def train_spancat(
    examples: Sequence[GoldExample],
    labels: Sequence[str],
    out_dir: Path,
    *,
    seed: int,
    epochs: int,
    held_out: float = 0.2,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
    step: Step | None = None,
) -> TrainReport:
    """Train a blank English ``spancat`` on CPU from ``examples`` (spans in
    code points, end exclusive) minus a held-out share of the documents,
    score it on those, and write the model and ``metrics.json`` into
    ``out_dir`` (new or empty; left untouched on error)."""
    spacy = require_spacy()
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, not {epochs}")
    check_target(out_dir)
    started = time.perf_counter()
    spacy.util.fix_random_seed(seed)
    train, test = held_out_split(examples, held_out, seed)
    counts = Counts(documents_train=len(train), documents_held_out=len(test))
    nlp = spacy.blank("en")
    references = [_reference(nlp, e, labels, counts) for e in train]
    sizes = _ngram_sizes(references, counts)
    _add_spancat(nlp, labels, sizes, threshold)
    losses = _fit(nlp, references, epochs, seed, progress, step)
    counts.spans_train = sum(len(doc.spans[SPANS_KEY]) for doc in references)
    counts.spans_held_out = sum(len(e.spans) for e in test)
    scores = _evaluate(nlp, test, labels)
    report = TrainReport(
        path=out_dir,
        version="",
        labels=tuple(labels),
        scores=scores,
        counts=counts,
        ngram_sizes=sizes,
        seed=seed,
        epochs=epochs,
        threshold=threshold,
        seconds=time.perf_counter() - started,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        spacy_version=spacy.__version__,
        losses=losses,
    )
    return _write(nlp, report, out_dir)


def _reference(
    nlp: Language, example: GoldExample, labels: Sequence[str], counts: Counts
) -> Doc:
    """The example's text as a Doc with its gold spans fitted to tokens."""
    doc = nlp.make_doc(example.text)
    spans = []
    for start, end, label in example.spans:
        if label not in labels:
            counts.spans_other_label += 1
            continue
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None or not span.text.strip():
            counts.spans_skipped += 1
            continue
        if (span.start_char, span.end_char) != (start, end):
            counts.spans_expanded += 1
        spans.append(span)
    doc.spans[SPANS_KEY] = spans
    return doc


def _ngram_sizes(references: Sequence[Doc], counts: Counts) -> tuple[int, ...]:
    """The token lengths of the training spans, up to MAX_NGRAM (1 if none)."""
    lengths = {len(span) for doc in references for span in doc.spans[SPANS_KEY]}
    counts.spans_too_long = sum(
        len(span) > MAX_NGRAM for doc in references for span in doc.spans[SPANS_KEY]
    )
    return tuple(sorted(n for n in lengths if n <= MAX_NGRAM)) or (1,)


def _add_spancat(
    nlp: Language, labels: Sequence[str], sizes: Sequence[int], threshold: float
) -> None:
    config = {
        "spans_key": SPANS_KEY,
        "threshold": threshold,
        "suggester": {"@misc": "spacy.ngram_suggester.v1", "sizes": list(sizes)},
    }
    spancat: Any = nlp.add_pipe("spancat", config=config)
    for label in labels:
        spancat.add_label(label)


def _fit(
    nlp: Language,
    references: Sequence[Doc],
    epochs: int,
    seed: int,
    progress: Progress | None,
    step: Step | None = None,
) -> list[float]:
    """Train for ``epochs`` over shuffled minibatches; the loss of each epoch."""
    from spacy.training import Example

    examples: list[Example] = [
        Example(nlp.make_doc(doc.text), doc) for doc in references
    ]
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)  # noqa: S311 (shuffling, not secrets)
    losses = []
    for done in range(1, epochs + 1):
        order.shuffle(examples)
        epoch: dict[str, float] = {}
        for first in range(0, len(examples), BATCH_SIZE):
            batch = examples[first : first + BATCH_SIZE]
            nlp.update(batch, sgd=optimizer, drop=DROPOUT, losses=epoch)
            if step is not None:
                step(first + len(batch), len(examples))
        losses.append(float(epoch.get(NAME, 0.0)))
        if progress is not None:
            progress(done, epochs, losses[-1])
    return losses


def _predicted(doc: Doc, labels: Sequence[str]) -> list[Suggestion]:
    group = doc.spans[SPANS_KEY]
    scores = group.attrs.get("scores", [])
    found = [
        Suggestion(span.start_char, span.end_char, span.label_, float(score))
        for span, score in zip(group, scores, strict=True)
        if span.label_ in labels
    ]
    return sorted(found, key=lambda s: (s.start, s.end, s.label))


def _evaluate(
    nlp: Language, test: Sequence[GoldExample], labels: Sequence[str]
) -> dict[str, LabelScore]:
    predicted: list[list[GoldSpan]] = [
        [(s.start, s.end, s.label) for s in _predicted(doc, labels)]
        for doc in nlp.pipe(e.text for e in test)
    ]
    return score_spans((e.spans for e in test), predicted, labels)


def _write(nlp: Language, report: TrainReport, out_dir: Path) -> TrainReport:
    """Write the model and its metrics into a temporary sibling of
    ``out_dir``, then move it into place."""
    staging = new_staging(out_dir)
    try:
        nlp.to_disk(staging / MODEL_DIR)
        version = folder_digest(staging / MODEL_DIR)
        report = replace(report, version=version)
        metrics = json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n"
        (staging / METRICS_FILE).write_text(metrics, "utf-8")
        replace_folder(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


# ------------------------------------------------------------------ serving


class SpancatSuggester:
    """Serves a trained model: spans whose score reaches the threshold."""

    name = NAME

    def __init__(self, nlp: Language, version: str, threshold: float) -> None:
        self.nlp = nlp
        self.version = version
        self.threshold = threshold
        component: Any = nlp.get_pipe(NAME)
        component.cfg["threshold"] = threshold

    def suggest(self, text: str, labels: Sequence[str]) -> list[Suggestion]:
        """Spans in code points, end exclusive, of the given labels only."""
        try:
            doc = self.nlp(text)
        except ValueError as error:  # e.g. a text past nlp.max_length
            raise SuggesterError(f"spancat cannot read the text: {error}") from None
        return _predicted(doc, labels)


def load_spancat(path: Path, *, threshold: float | None = None) -> SpancatSuggester:
    """The model trained into ``path`` (a folder :func:`train_spancat`
    wrote); SuggesterError if it is missing, damaged or changed since."""
    spacy = require_spacy()
    metrics = read_metrics(path)
    model = path / MODEL_DIR
    if not model.is_dir():
        raise SuggesterError(f"{model}: no spancat model folder")
    version = folder_digest(model)
    if metrics.get("version") != version:
        raise SuggesterError(
            f"{model}: the model files changed since training "
            f"(version {version}, {METRICS_FILE} says {metrics.get('version')})"
        )
    try:
        nlp = spacy.load(model)
    except (OSError, ValueError) as error:
        raise SuggesterError(f"{model}: cannot load the model: {error}") from None
    if NAME not in nlp.pipe_names:
        raise SuggesterError(f"{model}: the pipeline has no {NAME} component")
    chosen = threshold if threshold is not None else metrics.get("threshold")
    return SpancatSuggester(nlp, version, float(chosen or DEFAULT_THRESHOLD))


def read_metrics(path: Path) -> dict[str, Any]:
    """The ``metrics.json`` of a trained model folder."""
    file = path / METRICS_FILE
    try:
        data = json.loads(file.read_text("utf-8"))
    except FileNotFoundError:
        raise SuggesterError(f"{file}: missing; not a trained model folder") from None
    except (OSError, ValueError) as error:
        raise SuggesterError(f"{file}: unreadable: {error}") from None
    if not isinstance(data, dict):
        raise SuggesterError(f"{file}: not a JSON object")
    return data


@functools.lru_cache(maxsize=4)
def _cached(path: Path, threshold: float | None) -> SpancatSuggester:
    return load_spancat(path, threshold=threshold)


def from_config(config: object) -> SpancatSuggester:
    """The suggester a registered ``spancat`` row's config names:
    ``{"path": "<model folder>", "threshold": 0.5}`` (threshold optional).
    A model folder never changes once written (a new training writes a new
    one), so loaded models are kept for the next call."""
    if not isinstance(config, dict):
        raise SuggesterError("spancat config: must be an object with a path")
    path, threshold = config.get("path"), config.get("threshold")
    if not isinstance(path, str) or not path:
        raise SuggesterError("spancat config.path: the model folder, a string")
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 <= threshold <= 1
    ):
        raise SuggesterError("spancat config.threshold: a number in [0, 1]")
    chosen = float(threshold) if threshold is not None else None
    return _cached(Path(path).resolve(), chosen)
