"""Suggestion sets kept in memory, so that repeated reads of a document's
suggestions, and every accept and reject (which look the suggestion up),
do not run the suggesters again.

An entry is one suggester's valid suggestions on one document, keyed by
everything its answer depends on: the document (id and text SHA-256), the
labels asked for, and the suggester (row id, kind, name, the version its
suggestions record, a digest of its config). For the cue rules that version
is the project's newest lexicon number, read from the database on every
request; for a model it is the registered version. So a new lexicon or a
new model version changes the key at once in every worker process, and an
entry of an old version is never asked for again (it ages out). Only
successful runs are kept: a failing suggester is asked again next time.

A model server (kind ``http``) is asked once per document and version:
register a new version when the model behind it changes.

One cache per database engine (a weak reference: a new app, as in the
tests, starts empty), least recently used entries evicted past
``MAX_SUGGESTIONS`` suggestions in all.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.models import (
    CueLexiconVersion,
    Document,
    RegisteredSuggester,
    SuggesterKind,
)

MAX_SUGGESTIONS = 100_000

Key = tuple[Any, ...]
T = TypeVar("T")


class SuggestionCache:
    """A thread-safe LRU of suggestion lists, bounded by how many
    suggestions it holds in all (an empty list counts one)."""

    def __init__(self, limit: int = MAX_SUGGESTIONS) -> None:
        self._limit = limit
        self._entries: OrderedDict[Key, Sequence[Any]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Sequence[Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Key, value: Sequence[Any]) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._weight -= _weight(old)
            self._entries[key] = value
            self._weight += _weight(value)
            while self._weight > self._limit and len(self._entries) > 1:
                _, evicted = self._entries.popitem(last=False)
                self._weight -= _weight(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0

    def __len__(self) -> int:
        return len(self._entries)


def _weight(value: Sequence[Any]) -> int:
    return max(1, len(value))


_CACHES: weakref.WeakKeyDictionary[Any, SuggestionCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(session: Session) -> SuggestionCache:
    """The cache of the database ``session`` is bound to."""
    engine = session.get_bind()
    with _CACHES_LOCK:
        found = _CACHES.get(engine)
        if found is None:
            found = _CACHES[engine] = SuggestionCache()
        return found


def _suggester_version(session: Session, registered: RegisteredSuggester) -> str:
    """The version the suggester's suggestions record: the newest lexicon
    number for the cue rules, the registered version otherwise."""
    if registered.kind != SuggesterKind.RULES:
        return registered.version
    newest = session.scalar(
        select(func.max(CueLexiconVersion.number)).where(
            CueLexiconVersion.project_id == registered.project_id
        )
    )
    return str(newest or 0)


def key_version(key: Key) -> str:
    """The suggester version a key of :func:`key_for` was made with."""
    return str(key[6])


def key_for(
    session: Session,
    registered: RegisteredSuggester,
    document: Document,
    labels: Sequence[str],
) -> Key:
    """What one suggester's answer on one document depends on."""
    config = json.dumps(registered.config, sort_keys=True, default=str)
    return (
        document.id,
        document.text_sha256,
        tuple(labels),
        registered.id,
        registered.kind,
        registered.name,
        _suggester_version(session, registered),
        hashlib.sha256(config.encode()).hexdigest(),
    )
