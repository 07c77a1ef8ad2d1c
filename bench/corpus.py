"""What the benchmarks' synthetic news text is made of: words with an emoji and
a combining mark among them, and the four default labels."""

from annotator.core.labels import DEFAULT_LABELS

WORDS = [
    "Moscow",
    "denied",
    "any",
    "involvement",
    "in",
    "the",
    "attack",
    "while",
    "NATO",
    "said",
    "troops",
    "were",
    "still",
    "moving",
    "towards",
    "the",
    "border",
    "and",
    "officials",
    "could",
    "not",
    "say",
    "who",
    "was",
    "responsible",
    "for",
    "the",
    "cyberattack",
    "👍🏽",
    "reported",
    "cafe\u0301",
]
LABELS = tuple(spec.name for spec in DEFAULT_LABELS)
