"""The in-process caches of agreement reports: small LRUs shared by the
threads of one process, keyed by their callers on the version of the
submitted work and what the viewer may see (:func:`.project.project_agreement`;
the suggestion effect's agreement, services/suggestions/effect.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from annotator.services.agreement.summary import ProjectAgreement

CACHE_SIZE = 32
Report = TypeVar("Report")
#: Every cache made here, so that :func:`clear_cache` clears them all.
_ALL: list[ReportCache[Any]] = []


class ReportCache(Generic[Report]):
    """A small LRU of reports, shared by the threads of one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Report] = OrderedDict()
        self.lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable) -> Report | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: Report) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


reports: ReportCache[ProjectAgreement] = ReportCache(CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached report (tests; never needed for correctness)."""
    for cache in _ALL:
        cache.clear()
