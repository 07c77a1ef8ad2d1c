"""What a writer counts while it streams, for the manifest.

Everything is counted as the writer decides it, after every drop, so the
figures equal what is in the files: spans and links written, per label and per
split, and spans and links left out, each by reason (``base.REASONS``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Every reason a writer may give for dropping, splitting or moving something.
REASONS: dict[str, str] = {
    "label_not_exported": "the span's label is not in the export's label list",
    "duplicate_span": "the record already has a span with the same start, end "
    "and label (after fitting to tokens, for the token-based formats)",
    "whitespace_only": "the span covers only whitespace, so no token",
    "off_token_boundary": "an edge falls inside a token and the policy is 'drop' "
    "(or 'contract' left no whole token)",
    "whitespace_trimmed": "leading or trailing whitespace removed from the span",
    "expanded_to_tokens": "edges moved outwards to the enclosing token boundaries",
    "contracted_to_tokens": "edges moved inwards to the tokens wholly inside",
    "bio_overlap": "overlaps a span placed first by the BIO priority rule "
    "(hf-bio, conll)",
    "link_not_supported": "the format has no way to write links",
    "doccano_label_shape": "the doccano export was asked for the label shape "
    "(sequence labelling), which has no place for links",
    "link_endpoint_not_exported": "one end of the link was not written",
}

#: The ``splits`` key of an export without train/dev/test split.
NO_SPLIT = "none"
_ORDER = {"train": 0, "dev": 1, "test": 2}


def split_order(key: str) -> tuple[int, str]:
    """Sort key of split names: train, dev, test, then any other."""
    return _ORDER.get(key, 3), key


@dataclass(slots=True)
class SplitCounts:
    """Records, documents, spans per label and links written to one split."""

    records: int = 0
    documents: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    links: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "documents": self.documents,
            "spans": dict(sorted(self.spans.items())),
            "links": self.links,
        }


@dataclass(frozen=True, slots=True)
class FormatStats:
    """What one write produced. ``records``: lines (or Docs, or blocks), one
    per (document, annotator) at the annotators layer; ``dropped`` counts
    spans and ``links_dropped`` links left out, by reason; ``cut`` spans cut
    in pieces; ``adjusted`` spans whose edges moved."""

    documents: int
    records: int
    spans: Mapping[str, int]
    links: int
    dropped: Mapping[str, int]
    links_dropped: Mapping[str, int]
    cut: Mapping[str, int]
    adjusted: Mapping[str, int]
    splits: Mapping[str, SplitCounts] = field(default_factory=dict)
    #: Split key -> the data files of that split, sorted.
    data_files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    extra: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Sorted plain values for the manifest, with each used reason explained."""
        used = {*self.dropped, *self.links_dropped, *self.cut, *self.adjusted}
        return {
            "documents": self.documents,
            "records": self.records,
            "spans": dict(sorted(self.spans.items())),
            "links": self.links,
            "dropped": dict(sorted(self.dropped.items())),
            "links_dropped": dict(sorted(self.links_dropped.items())),
            "cut_in_pieces": dict(sorted(self.cut.items())),
            "adjusted": dict(sorted(self.adjusted.items())),
            "reasons": {code: REASONS[code] for code in sorted(used)},
            "splits": {
                key: self.splits[key].to_dict()
                for key in sorted(self.splits, key=split_order)
            },
            "data_files": {
                key: list(self.data_files[key])
                for key in sorted(self.data_files, key=split_order)
            },
            **dict(sorted(self.extra.items())),
        }


class StatsCollector:
    """Mutable counters a writer fills while it streams.

    ``begin(split, document_id)`` starts each record; ``keep(label)`` and
    ``keep_links(n)`` count what is written, in the totals and in the
    record's split at once."""

    def __init__(self, splits: tuple[str, ...] = ()) -> None:
        self.documents = 0
        self.records = 0
        self.spans: Counter[str] = Counter()
        self.links = 0
        self.dropped: Counter[str] = Counter()
        self.links_dropped: Counter[str] = Counter()
        self.cut: Counter[str] = Counter()
        self.adjusted: Counter[str] = Counter()
        self.extra: dict[str, object] = {}
        self.splits = {name: SplitCounts() for name in splits or (NO_SPLIT,)}
        self._current = next(iter(self.splits.values()))
        self._last_document: str | None = None
        self._data_files: dict[str, set[str]] = {}

    def data_file(self, split: str | None, name: str) -> None:
        """Note ``name`` as a data file of ``split``."""
        self._data_files.setdefault(split or NO_SPLIT, set()).add(name)

    def begin(self, split: str | None, document_id: str) -> None:
        """Count a new record (and a new document, unless the previous record
        was of the same one)."""
        current = self.splits.setdefault(split or NO_SPLIT, SplitCounts())
        self._current = current
        self.records += 1
        current.records += 1
        if document_id != self._last_document:
            self._last_document = document_id
            self.documents += 1
            current.documents += 1

    def keep(self, label: str, count: int = 1) -> None:
        """``count`` spans of ``label`` written in the current record."""
        self.spans[label] += count
        self._current.spans[label] += count

    def keep_labels(self, labels: list[str]) -> None:
        """One span written in the current record per item of ``labels``."""
        self.spans.update(labels)
        self._current.spans.update(labels)

    def keep_links(self, count: int) -> None:
        """``count`` links written in the current record."""
        self.links += count
        self._current.links += count

    def freeze(self) -> FormatStats:
        return FormatStats(
            documents=self.documents,
            records=self.records,
            spans=dict(sorted(self.spans.items())),
            links=self.links,
            dropped=dict(sorted(self.dropped.items())),
            links_dropped=dict(sorted(self.links_dropped.items())),
            cut=dict(sorted(self.cut.items())),
            adjusted=dict(sorted(self.adjusted.items())),
            splits=dict(sorted(self.splits.items())),
            data_files={
                key: tuple(sorted(names))
                for key, names in sorted(self._data_files.items())
            },
            extra=dict(self.extra),
        )
