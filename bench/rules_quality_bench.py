"""Precision, recall and F1 of the default cue rules against the gold spans.

    PYTHONPATH=. .venv/bin/python -m bench.rules_quality_bench \
        [--reference OLD.json] [--lexicon seeds/cues.json] [--show LABEL]

Every seed document with gold spans (``seeds/*.sample-annotations.jsonl``,
annotator ``sample-a``, who follows the guideline) is run through the rule
suggester; suggestions are scored against the gold spans on exact
boundaries (code points, end exclusive), per label, with
``core.suggestions.evaluation.score_spans``. With ``--reference`` (e.g. the
lexicon of an earlier commit: ``git show main:seeds/cues.json > old.json``)
both are scored in the same run, the reference first. ``--show LABEL`` lists
that label's wrong suggestions and missed gold spans of the lexicon. Figures,
not times: the same on any machine. These five documents are also what the
lexicon was checked against, so they flatter it; read the figures as a
regression check, not as a held-out estimate.

The held-out figure is the same scoring on ``tests/data/rules_held_out.json``
(``--held-out``): short news paragraphs written for this project, their spans
decided by the guideline and committed before the rules were first run on
them. The lexicon is not to be tuned on them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from annotator.core.suggestions.evaluation import (
    GoldSpan,
    LabelScore,
    micro_f1,
    score_spans,
)
from annotator.core.suggestions.lexicon import Lexicon
from annotator.core.suggestions.rules import RuleSuggester

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
HELD_OUT = ROOT / "tests" / "data" / "rules_held_out.json"
GOLD_ANNOTATOR = "sample-a"
LABELS = ["claim", "denial", "hedge", "false_flag_warning"]

Document = tuple[str, str, list[GoldSpan]]


def gold_documents() -> list[Document]:
    """(id, text, gold spans) of every seed document annotated by sample-a."""
    found = []
    for path in sorted(SEEDS.glob("*.sample-annotations.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for annotation in record["annotations"]:
                if annotation["annotator"] == GOLD_ANNOTATOR:
                    spans = [
                        (s["start"], s["end"], s["label"]) for s in annotation["spans"]
                    ]
                    found.append((record["id"], record["text"], spans))
    return found


def held_out_documents(path: Path) -> list[Document]:
    """(id, text, gold spans) of the held-out fixture."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        (
            document["id"],
            document["text"],
            [(s["start"], s["end"], s["label"]) for s in document["spans"]],
        )
        for document in data["documents"]
    ]


def predictions(path: Path, documents: list[Document]) -> list[list[GoldSpan]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    suggester = RuleSuggester(Lexicon.from_data(data), path.name)
    return [
        [(s.start, s.end, s.label) for s in suggester.suggest(text, LABELS)]
        for _, text, _ in documents
    ]


def report(name: str, scores: dict[str, LabelScore]) -> None:
    print(f"{name}:")
    print(f"  {'label':<20} {'P':>5} {'R':>5} {'F1':>5}  gold  pred  correct")
    for label, score in scores.items():
        print(
            f"  {label:<20} {score.precision:5.2f} {score.recall:5.2f} "
            f"{score.f1:5.2f}  {score.gold:4}  {score.predicted:4}  {score.correct:7}"
        )
    total = LabelScore(
        sum(s.gold for s in scores.values()),
        sum(s.predicted for s in scores.values()),
        sum(s.correct for s in scores.values()),
    )
    print(
        f"  {'all (micro)':<20} {total.precision:5.2f} {total.recall:5.2f} "
        f"{micro_f1(scores):5.2f}  {total.gold:4}  {total.predicted:4}  "
        f"{total.correct:7}"
    )


def show(label: str, documents: list[Document], found: list[list[GoldSpan]]) -> None:
    for (name, text, gold), predicted in zip(documents, found, strict=True):
        wanted = {s for s in gold if s[2] == label}
        made = {s for s in predicted if s[2] == label}
        for kind, spans in (("wrong", made - wanted), ("missed", wanted - made)):
            for start, end, _ in sorted(spans):
                print(f"  {name} {kind}: {text[start:end]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicon", type=Path, default=SEEDS / "cues.json")
    parser.add_argument("--reference", type=Path, help="a lexicon to compare with")
    parser.add_argument("--held-out", type=Path, default=HELD_OUT)
    parser.add_argument("--show", choices=LABELS, help="list a label's errors")
    args = parser.parse_args()
    sets = [
        (
            f"seed documents with gold spans ({GOLD_ANNOTATOR}), not held out",
            gold_documents(),
        ),
        (f"held out ({args.held_out.name})", held_out_documents(args.held_out)),
    ]
    for title, documents in sets:
        print(f"{len(documents)} {title}")
        golds = [gold for _, _, gold in documents]
        for name, path in (("reference", args.reference), ("lexicon", args.lexicon)):
            if path is None:
                continue
            found = predictions(path, documents)
            report(f"{name} {path}", score_spans(golds, found, LABELS))
            if args.show and name == "lexicon":
                show(args.show, documents, found)


if __name__ == "__main__":
    main()
