"""Suggestions: spans a suggester proposes, never counted until accepted."""

from annotator.core.suggestions.base import Suggester, SuggesterError, Suggestion

__all__ = ["Suggester", "SuggesterError", "Suggestion"]
