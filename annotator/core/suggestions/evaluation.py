"""Training examples for a suggester and how well it does on the part held
out: a deterministic split by document and per-label precision, recall and F1
on exact spans (code points, end exclusive)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotator.core.exports.split import split_point

GoldSpan = tuple[int, int, str]
"""(start, end, label): code points, end exclusive."""


@dataclass(frozen=True, slots=True)
class GoldExample:
    """One document of the training layer: its id, text and spans."""

    id: str
    text: str
    spans: tuple[GoldSpan, ...]


@dataclass(frozen=True, slots=True)
class LabelScore:
    """Exact-match counts of one label and the figures from them (0.0 when
    undefined, e.g. precision with nothing predicted)."""

    gold: int
    predicted: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "gold": self.gold,
            "predicted": self.predicted,
            "correct": self.correct,
        }


def held_out_split(
    examples: Sequence[GoldExample], share: float, seed: int
) -> tuple[list[GoldExample], list[GoldExample]]:
    """(train, held out): documents ordered by SHA-256 of the seed and their
    id, the first ``round(share * n)`` held out (at least one when ``share``
    is above 0 and there are two documents). Independent of input order."""
    if not 0 <= share < 1:
        raise ValueError(f"held-out share must be in [0, 1), not {share}")
    ordered = sorted(examples, key=lambda e: (split_point(e.id, str(seed)), e.id))
    count = round(share * len(ordered))
    if share > 0 and len(ordered) >= 2:
        count = min(max(count, 1), len(ordered) - 1)
    return ordered[count:], ordered[:count]


def score_spans(
    gold: Iterable[Iterable[GoldSpan]],
    predicted: Iterable[Iterable[GoldSpan]],
    labels: Sequence[str],
) -> dict[str, LabelScore]:
    """Per label of ``labels``: gold, predicted and exactly matching spans
    over documents given in the same order in both."""
    counts = {name: Counter[str]() for name in labels}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        wanted, found = set(gold_spans), set(predicted_spans)
        for kind, spans in (("gold", wanted), ("predicted", found)):
            for _, _, label in spans:
                if label in counts:
                    counts[label][kind] += 1
        for _, _, label in wanted & found:
            if label in counts:
                counts[label]["correct"] += 1
    return {
        name: LabelScore(count["gold"], count["predicted"], count["correct"])
        for name, count in counts.items()
    }


def micro_f1(scores: dict[str, LabelScore]) -> float:
    """F1 over every label's spans together."""
    return LabelScore(
        sum(s.gold for s in scores.values()),
        sum(s.predicted for s in scores.values()),
        sum(s.correct for s in scores.values()),
    ).f1
