"""Helpers of the cue-rule tests: the default lexicon's suggester and what
it proposes, as (label, words) pairs."""

import json
from functools import cache
from pathlib import Path

from annotator.core.suggestions.lexicon import Lexicon
from annotator.core.suggestions.rules import RuleSuggester

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LABELS = ["claim", "denial", "hedge", "false_flag_warning"]


@cache
def default_suggester():
    """The rules of the default lexicon, ``seeds/cues.json``."""
    data = json.loads((SEEDS / "cues.json").read_text(encoding="utf-8"))
    return RuleSuggester(Lexicon.from_data(data), "1")


def proposed(suggester, text, labels=LABELS):
    """What ``suggester`` proposes in ``text``: (label, words), in text order."""
    return [(s.label, text[s.start : s.end]) for s in suggester.suggest(text, labels)]


def rules(labels, contexts=None):
    """A suggester of the given entry lines per label and context group."""
    return RuleSuggester(Lexicon(labels=labels, contexts=contexts or {}), "7")
