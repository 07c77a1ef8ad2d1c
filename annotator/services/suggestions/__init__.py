"""Suggestions for annotators: the project's cue lexicon, its settings (off,
on, calibrate), its registered suggesters and the factory that loads them
by kind, serving suggestions, and accepting, rejecting and undoing them."""

from annotator.services.suggestions import lexicons, settings
from annotator.services.suggestions.decisions import (
    accept_suggestion,
    reject_suggestion,
    undo_decision,
)
from annotator.services.suggestions.factory import load_suggester, register_loader
from annotator.services.suggestions.registry import register_suggester
from annotator.services.suggestions.serving import suggestions_for

__all__ = [
    "accept_suggestion",
    "lexicons",
    "load_suggester",
    "register_loader",
    "register_suggester",
    "reject_suggestion",
    "settings",
    "suggestions_for",
    "undo_decision",
]
