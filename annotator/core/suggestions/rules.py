"""The cue-rule suggester: a project's cue lexicon matched against a text.

What a rule proposes follows the project guideline: a hedge is **the hedging
words only** (``span=cue``); a denial covers the denial word and what is
denied, not the speaker (``span=rest``: from the cue to the end of its
clause); a false-flag warning covers the warning statement (``span=clause``:
the clause around the cue, after any reporting verb or a "that" that follows
no noun); a claim is what a reporting verb reports (``span=after``: from
after the verb, and its own "that", to the end of the clause; a "that" after
a noun, "said the claim that…", is the noun's and stays in the claim). Sentences and
clauses are found by punctuation and a few conjunctions, not by a parser, so
every proposal is a suggestion an annotator accepts, corrects or rejects.

Offsets are code points into the text, end exclusive.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import regex

from annotator.core.suggestions.base import Suggestion
from annotator.core.suggestions.lexicon import (
    QUOTES,
    CompiledLexicon,
    Lexicon,
    Rule,
    Scope,
    compile_lexicon,
)

#: A sentence ends after . ! ? (and closing quotes or brackets) before a
#: space, or at a line break. Not after an initial ("U.S.") or a title.
SENTENCE_END = regex.compile(
    r"(?<!(?<!\w)(?:\p{Lu}|Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Lt|Col|Gov|Prof))"
    rf"[.!?]+[{QUOTES})\]]*(?=\s|$)|\r\n|\r|\n"
)
#: Where a clause ends, looking right from a cue: at a semicolon, before a
#: contrasting conjunction, a non-restrictive "which", a second statement or
#: speech act of the speaker (", and that", "and said", "and blamed", "and
#: accused"), a speech act in a participle after a comma (", saying",
#: ", questioning"), or a trailing attribution (", officials said", ", according
#: to the ministry").
REPORTING = (
    r"said|says|told|added|warned|stated|insisted|called|claimed|argued"
    r"|reiterated|maintained|blamed|accused|urged|vowed|promised|denied"
    r"|rejected|dismissed|questioned|demanded|condemned|announced"
)
#: A speech act of the speaker in a participle after a comma (", saying",
#: ", questioning…"): not a participle of the reported event (", killing
#: two workers" stays in the claim).
SPEECH_PARTICIPLES = (
    r"saying|suggesting|claiming|adding|insisting|arguing|warning|questioning"
    r"|accusing|blaming|calling|urging|denying|rejecting|dismissing|noting"
    r"|stressing|citing|vowing|promising|demanding|acknowledging|admitting"
    r"|asking|announcing|explaining|describing|threatening"
)
CLAUSE_END = regex.compile(
    r"\s*;|\s*,?\s+(?:but|although|though|whereas|while|even though)(?!\w)"
    r"|\s*,\s*which(?!\w)"
    r"|\s*,?\s+and\s+that(?!\w)"
    rf"|\s*,?\s+and\s+(?:{REPORTING})(?!\w)"
    rf"|\s*,\s*(?:{SPEECH_PARTICIPLES}|according\s+to)(?!\w)"
    # a trailing attribution: ", officials said"
    "|\\s*,\\s*(?:[\\w'\u2019-]+\\s+){0,5}?"
    r"(?:said|says|told|added|warned|stated)(?!\w)",
    regex.IGNORECASE,
)
#: Words that open an adverbial after a reporting verb: a preposition or a
#: time word ("said on Monday that", "warned last week that").
ADVERBIAL = (
    r"in|on|at|before|after|during|as|from|with|by|for|to|over|late|earlier"
    r"|later|today|yesterday|tonight|last|next|this|then|also|repeatedly|again"
    r"|previously|publicly|privately|separately|recently|now"
)
#: Verbs whose complement a clause is: the clause starts after them.
CLAUSE_VERBS = (
    r"said|says|say|told|tells|added|adds|stated|states|warned|warns"
    r"|claimed|insisted|insists|believes|believed|feared"
    r"|saying|claiming|insisting|warning|suggesting"
)
#: Where a clause starts, looking left from a cue: after a comma, a semicolon
#: or a colon, a conjunction, a reporting verb (with its "that", also after a
#: short adverbial: "said in a statement that"), or a "that" that follows no
#: noun phrase (the speaker and the verb stay outside the span, as the
#: guideline asks). A "that" after a determiner and a word ("the claim that",
#: "the video that shows") or after a noun of saying ("reports that")
#: belongs to the noun: the clause goes on across it.
CLAUSE_START = regex.compile(
    r"(?:[,;:]|(?<!\w)(?:but|although|though|whereas|while|because"
    rf"|(?:{CLAUSE_VERBS})"
    rf"(?:(?:\s+(?:{ADVERBIAL})(?:\s+[\w'\u2019-]+){{0,3}}?)?\s+that(?!\w))?"
    r"|(?<!(?<!\w)(?:the|a|an|this|these|those|its|his|her|their|our|any|every"
    r"|no)\s+[\w'\u2019-]+\s+)(?<!(?<!\w)(?:claim|claims|fact|idea"
    r"|report|reports|suggestion|suggestions|allegation|allegations|assertion"
    r"|assertions|rumou?rs?|belief|fears?|hopes?|notion|evidence|news|view"
    r"|theory|theories|assessment|warnings?|signs?|proof|statement|video"
    r"|footage)\s+)that))"
    rf"[{QUOTES}]?\s+",
    regex.IGNORECASE,
)
#: After a reporting verb, a "that" that opens the report: right after it,
#: or after at most four words that the rule's ``unless_next`` groups call an
#: adjunct ("said on Monday that", "said in a statement that"). After any
#: other words ("said the claim that…", "says the cyberattack that hit…",
#: "said reports that…") the "that" is a noun's (a relative clause or the
#: noun's complement) and the report starts right after the verb.
THAT_AFTER = regex.compile(r"(?:\s+[\w'\u2019-]+){0,4}?\s+that(?!\w)", regex.IGNORECASE)
#: After a reporting verb, a comma that no quotation follows: the verb ends
#: its clause ('"That's what Russia said, and then…"'), nothing is reported.
NO_REPORT = regex.compile(rf"\s*,(?!\s*[{QUOTES}])")
#: A proposal's head: its first five words (``unless_head``).
HEAD_WORDS = 5
WORD = regex.compile(r"[\w'\u2019-]+")
#: A phrase ending in "that" ("[reported] that", "and that").
THAT_ENDS = regex.compile(r"(?<!\w)that\Z", regex.IGNORECASE)
TRIM = f" \t\r\n.,;:!?{QUOTES}"
#: Each curly quotation mark's partner.
PARTNERS = dict(
    zip(
        "\u201c\u201d\u2018\u2019\u00ab\u00bb",
        "\u201d\u201c\u2019\u2018\u00bb\u00ab",
        strict=True,
    )
)


@dataclass(frozen=True, slots=True)
class Sentences:
    """Sentence bounds of a text, code points, end exclusive."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Sentences:
        starts, ends = [0], []
        for match in SENTENCE_END.finditer(text):
            ends.append(match.end())
            starts.append(match.end())
        ends.append(len(text))
        return cls(tuple(starts), tuple(ends))

    def around(self, position: int) -> tuple[int, int]:
        index = max(bisect_right(self.starts, position) - 1, 0)
        return self.starts[index], self.ends[index]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``-``end`` without surrounding spaces and punctuation; a
    quotation mark stays when the span holds its partner, unless the two
    enclose the whole span."""
    while start < end and text[start] in TRIM:
        if text[start] in QUOTES and _has_partner(text, start, end):
            break
        start += 1
    while end > start and text[end - 1] in TRIM:
        if text[end - 1] in QUOTES and _has_partner(text, start, end, end - 1):
            break
        end -= 1
    if end - start > 2 and _quoted_whole(text[start:end]):
        return _trimmed(text, start + 1, end - 1)  # 'said, "The border is closed."'
    return start, end


def _quoted_whole(span: str) -> bool:
    """Whether ``span`` is one quotation, its marks at both ends and none
    of them inside: what was said, without the marks."""
    opening, closing = span[0], span[-1]
    if opening not in QUOTES or PARTNERS.get(opening, opening) != closing:
        return False
    inside = span[1:-1]
    return opening not in inside and closing not in inside


def _has_partner(text: str, start: int, end: int, at: int | None = None) -> bool:
    at = start if at is None else at
    inside = text[start:end]
    mark = text[at]
    partner = PARTNERS.get(mark, mark)
    count = inside.count(mark) + (inside.count(partner) if partner != mark else 0)
    return count % 2 == 0 and count > 0


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
                opening = self._report_opening(rule, text, match, sentence)
                if opening is None and (
                    self._next_is(rule.unless_next, text, match.end())
                    or NO_REPORT.match(text, match.end())
                ):
                    continue
                cue = (cue[0], opening or cue[1])
            elif self._next_is(rule.unless_next, text, match.end()):
                continue
            start, end = _scope(rule.scope, text, cue, sentence)
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
        sentence: tuple[int, int],
    ) -> int | None:
        """Where a ``span=after`` report opening with a "that" starts: after
        the "that" of the phrase, right after the cue, or after an adjunct of
        at most four words (``unless_next``: "said on Monday that"); None
        when no "that" opens it ("said the claim that…": the noun's)."""
        end: int = match.end()
        if THAT_ENDS.search(match.group()):
            return end
        that = THAT_AFTER.match(text, end, sentence[1])
        if that is None:
            return None
        opening: int = that.end()
        gap = text[end:opening].split()
        if len(gap) == 1 or self._next_is(rule.unless_next, text, end):
            return opening
        return None

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


def _scope(
    scope: Scope, text: str, cue: tuple[int, int], sentence: tuple[int, int]
) -> tuple[int, int]:
    """The span a rule proposes for a cue (see the module's docstring); for
    ``span=after`` the cue's end is where the report opens."""
    if scope is Scope.CUE:
        return cue
    ending = CLAUSE_END.search(text, cue[1], sentence[1])
    end = ending.start() if ending else sentence[1]
    start = cue[1] if scope is Scope.AFTER else cue[0]
    if scope is Scope.CLAUSE:
        starts = [m.end() for m in CLAUSE_START.finditer(text, sentence[0], cue[0])]
        start = starts[-1] if starts else sentence[0]
    return _trimmed(text, start, end)


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
