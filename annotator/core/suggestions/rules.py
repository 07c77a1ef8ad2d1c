"""The cue-rule suggester: a project's cue lexicon matched against a text.

What a rule proposes follows the project guideline: a hedge is **the hedging
words only** (``span=cue``); a denial covers the denial word and what is
denied, not the speaker (``span=rest``: from the cue to the end of its
clause); a false-flag warning covers the warning statement (``span=clause``:
the clause around the cue, after any reporting verb or a "that" no noun
owns: "Moscow fears that [...]", but "[the fears that ...]"); a claim is
what a reporting verb reports (``span=after``: from after the verb, a time
("said Tuesday") and its own "that", to the end of the clause; a "that"
after a noun, "said the claim that…", is the noun's and stays in the
claim). Sentences and clauses are found by punctuation, a few conjunctions
and word lists (:mod:`annotator.core.suggestions.clauses`), not by a
parser, so every proposal is a suggestion an annotator accepts, corrects or
rejects.

Offsets are code points into the text, end exclusive.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import regex

from annotator.core.suggestions.base import Suggestion
from annotator.core.suggestions.clauses import (
    ASIDE_THAT,
    NO_REPORT,
    THAT_AFTER,
    THAT_ENDS,
    TIME,
    WORD,
    Sentences,
    scope_span,
)
from annotator.core.suggestions.lexicon import (
    CompiledLexicon,
    Lexicon,
    Rule,
    Scope,
    compile_lexicon,
)

#: A proposal's head: its first five words (``unless_head``).
HEAD_WORDS = 5


class RuleSuggester:
    """Suggests spans from a cue lexicon; ``version`` names the lexicon
    version, so every suggestion can say which list made it."""

    def __init__(self, lexicon: Lexicon, version: str, name: str = "rules") -> None:
        self._compiled: CompiledLexicon = compile_lexicon(lexicon)
        self._name, self._version = name, version

    @property
    def name(self) -> str:
        return self._name

    @property
    def version(self) -> str:
        return self._version

    def suggest(self, text: str, labels: Sequence[str]) -> list[Suggestion]:
        """Every rule of a wanted label matched in ``text``; of overlapping
        proposals of one label the longest (then the best scored) stays; a
        proposal that only rules which ``yields`` to a label made goes where
        a proposal of that label overlaps it."""
        wanted = set(labels)
        sentences = Sentences.of(text)
        found: list[Suggestion] = []
        yielding: dict[Suggestion, set[str]] = {}
        steady: set[Suggestion] = set()  # made by a rule that yields to none
        for rule in self._compiled.rules:
            if rule.label in wanted:
                made = self._matches(rule, text, sentences)
                found += made
                for suggestion in made:
                    if rule.yields:
                        yielding.setdefault(suggestion, set()).update(rule.yields)
                    else:
                        steady.add(suggestion)
        for suggestion in steady:
            yielding.pop(suggestion, None)
        return _yielded(_without_overlaps(found), yielding)

    def _matches(self, rule: Rule, text: str, sentences: Sentences) -> list[Suggestion]:
        found = []
        for match in rule.pattern.finditer(text):
            cue = match.span("cue")
            sentence = sentences.around(cue[0])
            if not self._context_holds(rule, text, sentence, match.span()):
                continue
            if rule.scope is Scope.AFTER:
                opening = self._report_opening(rule, text, match, cue[1], sentence)
                if opening is None:
                    continue
                cue = (cue[0], opening)
            elif self._next_is(rule.unless_next, text, match.end()):
                continue
            start, end = scope_span(rule.scope, text, cue, sentence)
            if start < end and not self._head_holds(rule.unless_head, text, start, end):
                found.append(Suggestion(start, end, rule.label, rule.score))
        return found

    def _head_holds(
        self, groups: Sequence[str], text: str, start: int, end: int
    ) -> bool:
        """Whether an entry of one of ``groups`` starts in the first
        :data:`HEAD_WORDS` words of ``text[start:end]``."""
        if not groups:
            return False
        words = list(WORD.finditer(text, start, end))
        head = words[HEAD_WORDS - 1].end() if len(words) >= HEAD_WORDS else end
        return any(
            m.start() < head
            for g in groups
            for m in self._compiled.contexts[g].finditer(text, start, end)
        )

    def _report_opening(
        self,
        rule: Rule,
        text: str,
        match: regex.Match[str],
        cue_end: int,
        sentence: tuple[int, int],
    ) -> int | None:
        """Where a ``span=after`` report starts, or None when nothing is
        reported. After the "that" of the phrase; else past a time right
        after the cue ("said Tuesday", :data:`TIME`), after a "that" there:
        right after, after an aside between commas ("said, however, that")
        or after an adjunct of at most four words (``unless_next``: "said
        on Monday that"); else right there, unless an ``unless_next`` entry
        or a comma no quotation follows (:data:`NO_REPORT`). A "that" after
        other words is a noun's ("said the claim that…")."""
        end: int = match.end()
        if THAT_ENDS.search(match.group()):
            return end
        time = TIME.match(text, end, sentence[1])
        at: int = time.end() if time else end
        aside = ASIDE_THAT.match(text, at, sentence[1])
        if aside is not None:
            return int(aside.end())
        that = THAT_AFTER.match(text, at, sentence[1])
        if that is not None and (
            len(text[at : that.end()].split()) == 1
            or self._next_is(rule.unless_next, text, at)
        ):
            return int(that.end())
        if self._next_is(rule.unless_next, text, at) or NO_REPORT.match(text, at):
            return None
        return at if time else cue_end

    def _next_is(self, groups: Sequence[str], text: str, at: int) -> bool:
        """Whether the words right after ``at`` are an entry of one of
        ``groups``."""
        if not groups:
            return False
        while at < len(text) and text[at].isspace():
            at += 1
        return any(self._compiled.contexts[g].match(text, at) for g in groups)

    def _context_holds(
        self,
        rule: Rule,
        text: str,
        sentence: tuple[int, int],
        cue: tuple[int, int],
    ) -> bool:
        def present(group: str) -> bool:
            pattern = self._compiled.contexts[group]
            return any(
                m.end() <= cue[0] or m.start() >= cue[1]
                for m in pattern.finditer(
                    text, sentence[0], sentence[1], overlapped=True
                )
            )

        return all(present(g) for g in rule.needs) and not any(
            present(g) for g in rule.unless
        )


def _yielded(
    kept: list[Suggestion], yielding: dict[Suggestion, set[str]]
) -> list[Suggestion]:
    """``kept`` without the proposals overlapped by one of a label they
    yield to (kept proposals of one label never overlap each other, so their
    starts and ends are both sorted)."""
    if not yielding:
        return kept
    by_label: dict[str, tuple[list[int], list[int]]] = {}
    for suggestion in kept:  # in text order
        starts, ends = by_label.setdefault(suggestion.label, ([], []))
        starts.append(suggestion.start)
        ends.append(suggestion.end)

    def overlapped(suggestion: Suggestion, label: str) -> bool:
        starts, ends = by_label.get(label, ([], []))
        at = bisect_left(starts, suggestion.end)  # those starting before its end
        return at > 0 and ends[at - 1] > suggestion.start

    return [
        s
        for s in kept
        if not any(overlapped(s, label) for label in yielding.get(s, ()))
    ]


def _without_overlaps(found: list[Suggestion]) -> list[Suggestion]:
    """Per label, keep the longest of overlapping proposals (then the best
    scored, then the first); answer them in text order."""
    ranked = sorted(found, key=lambda s: (-(s.end - s.start), -s.score, s.start))
    # Per label, the kept spans (never overlapping) as sorted starts and ends.
    kept: dict[str, tuple[list[int], list[int]]] = {}
    result = []
    for suggestion in ranked:
        starts, ends = kept.setdefault(suggestion.label, ([], []))
        at = bisect_right(starts, suggestion.start)
        if at and ends[at - 1] > suggestion.start:
            continue  # overlaps the kept span starting at or before it
        if at < len(starts) and starts[at] < suggestion.end:
            continue  # overlaps the kept span starting after it
        starts.insert(at, suggestion.start)
        ends.insert(at, suggestion.end)
        result.append(suggestion)
    return sorted(result, key=lambda s: (s.start, s.end, s.label))
