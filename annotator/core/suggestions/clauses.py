"""Where sentences, clauses and reports begin and end, by punctuation, a
few conjunctions and word lists, not by a parser: what the cue rules
(:mod:`annotator.core.suggestions.rules`) propose around a cue.

Offsets are code points into the text, end exclusive.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import regex

from annotator.core.suggestions.lexicon import QUOTES, Scope

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
#: short adverbial: "said in a statement that"), or a "that" that no noun
#: owns (:func:`_owned_by_noun`; the speaker and the verb stay outside the
#: span, as the guideline asks).
CLAUSE_START = regex.compile(
    r"(?:[,;:]|(?<!\w)(?:but|although|though|whereas|while|because"
    rf"|(?:{CLAUSE_VERBS})"
    rf"(?:(?:\s+(?:{ADVERBIAL})(?:\s+[\w'\u2019-]+){{0,3}}?)?\s+that(?!\w))?"
    r"|(?P<that>that)))"
    rf"[{QUOTES}]?\s+",
    regex.IGNORECASE,
)
#: A word or a punctuation mark, to read the words before a "that".
TOKEN = regex.compile(r"[\w'\u2019-]+|[^\w\s]")


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Words after which the next word is a noun: "the video that shows…".
DETERMINERS = _words(
    "the a an this these those its his her their our my your any every no each such"
)
#: Nouns whose complement or relative clause a "that" opens ("the fact that",
#: "evidence that"), whatever goes before them.
THAT_NOUNS = _words(
    "fact idea suggestion suggestions allegation allegations assertion"
    " assertions rumour rumours rumor rumors belief beliefs notion evidence news"
    " view theory theories assessment warning warnings sign signs proof"
    " statement video footage"
)
#: Nouns that are also verbs of saying or feeling: a noun ("the fears that",
#: "amid growing fears that", "said reports that") or a verb after its
#: subject ("Moscow fears that", "officials fear that", "some claim that").
NOUN_OR_VERB = _words("claim claims report reports fear fears hope hopes")
#: Words before which one of :data:`NOUN_OR_VERB` is a noun: quantifiers
#: and "to" before the plural only ("many fears that", "responded to claims
#: that", but "many fear that", "refused to claim that"), and prepositions,
#: adjectives of the news and verbs that take the noun as object (besides
#: any word ending in "ed", and a lowercase one in "ing").
PLURAL_MAKERS = _words("some many few several most both all other to")
NOUN_MAKERS = _words(
    "of amid despite over about on with without after among against for in by"
    " from into behind beyond following regarding concerning like new fresh"
    " false recent earlier early initial widespread persistent baseless wild"
    " public official unofficial local western russian ukrainian media press"
    " news intelligence similar further previous real deep serious genuine"
    " first latest last said says say told tell tells deny denies reject rejects"
    " dismiss dismisses raise raises fuel fuels spark sparks ease eases allay"
    " allays dispel dispels growing mounting rising increasing conflicting lingering"
)
#: After a reporting verb, a "that" that opens the report: right after it,
#: or after at most four words that the rule's ``unless_next`` groups call an
#: adjunct ("said on Monday that", "said in a statement that"). After any
#: other words ("said the claim that…", "says the cyberattack that hit…",
#: "said reports that…") the "that" is a noun's (a relative clause or the
#: noun's complement) and the report starts right after the verb.
THAT_AFTER = regex.compile(r"(?:\s+[\w'\u2019-]+){0,4}?\s+that(?!\w)", regex.IGNORECASE)
#: After a reporting verb, an aside between commas before its "that" ("said,
#: however, that…", "said, without providing evidence, that…").
ASIDE_THAT = regex.compile(
    r"\s*,(?:\s+[\w'\u2019-]+){1,8}\s*,\s+that(?!\w)", regex.IGNORECASE
)
WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october"
    r"|november|december"
)
PARTS_OF_DAY = r"morning|afternoon|evening|night"
#: A time right after a reporting verb ("said Tuesday that", "said on
#: Monday night the dam…", "said last week that", "said March 3 that"): not
#: what was said, skipped whatever the rule's groups. A month needs its day
#: ("May" alone is a modal, "March" a verb).
TIME = regex.compile(
    r"\s+(?:(?:on|late|early|earlier|later)\s+)?"
    rf"(?:(?:{WEEKDAYS})(?:\s+(?:{PARTS_OF_DAY}))?"
    rf"|(?:(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS}))(?:,?\s+\d{{4}},?)?"
    r"|(?:last|this|next|earlier\s+this|later\s+this)\s+(?:week|weekend|month"
    rf"|year|spring|summer|autumn|fall|winter|{PARTS_OF_DAY}|{WEEKDAYS})"
    rf"|(?:yesterday|today|tonight)(?:\s+(?:{PARTS_OF_DAY}))?)"
    r"(?![\w'\u2019-])",
    regex.IGNORECASE,
)
#: After a reporting verb, a comma that no quotation follows: the verb ends
#: its clause ('"That's what Russia said, and then…"'), nothing is reported.
NO_REPORT = regex.compile(rf"\s*,(?!\s*[{QUOTES}])")
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


def scope_span(
    scope: Scope, text: str, cue: tuple[int, int], sentence: tuple[int, int]
) -> tuple[int, int]:
    """The span a rule of ``scope`` proposes for a cue (see
    :mod:`annotator.core.suggestions.rules`); for ``span=after`` the cue's
    end is where the report opens."""
    if scope is Scope.CUE:
        return cue
    ending = CLAUSE_END.search(text, cue[1], sentence[1])
    end = ending.start() if ending else sentence[1]
    start = cue[1] if scope is Scope.AFTER else cue[0]
    if scope is Scope.CLAUSE:
        starts = [
            m.end()
            for m in CLAUSE_START.finditer(text, sentence[0], cue[0])
            if not (m["that"] and _owned_by_noun(text, sentence[0], m.start("that")))
        ]
        start = starts[-1] if starts else sentence[0]
    return _trimmed(text, start, end)


def _owned_by_noun(text: str, sentence_start: int, that: int) -> bool:
    """Whether the "that" at ``that`` belongs to the noun before it (a
    relative clause or the noun's complement: "the video that shows",
    "reports that", "the fears that") rather than opening a clause
    ("Moscow fears that…", "said Tuesday that…")."""
    tokens = TOKEN.findall(text, max(sentence_start, that - 120), that)
    if not tokens or not WORD.fullmatch(tokens[-1]):
        return False
    word = tokens[-1].lower()
    before = tokens[-2] if len(tokens) > 1 else ""
    if before.lower() in DETERMINERS or word in THAT_NOUNS:
        return True
    return word in NOUN_OR_VERB and _noun_before(word, before)


def _noun_before(word: str, before: str) -> bool:
    """Whether ``word`` (one of :data:`NOUN_OR_VERB`) is a noun after the
    token ``before`` ("" at the start of a sentence): after no word (the
    start of a clause), a possessive, one of :data:`PLURAL_MAKERS` (the
    plural only), one of :data:`NOUN_MAKERS`, a word in "ed" or a lowercase
    word in "ing"; else a verb after its subject."""
    lowered = before.lower()
    if not WORD.fullmatch(before) or lowered.endswith(("'s", "\u2019s", "s'")):
        return True
    if lowered in PLURAL_MAKERS:
        return word.endswith("s")
    return (
        lowered in NOUN_MAKERS
        or lowered.endswith("ed")
        or (before.islower() and before.endswith("ing"))
    )
