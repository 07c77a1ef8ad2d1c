"""The in-process cache of project agreement reports: a small LRU shared by
the threads of one process, keyed by :func:`.project.project_agreement` on
the version of the submitted work and what the viewer may see."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from annotator.services.agreement.summary import ProjectAgreement

CACHE_SIZE = 32


class ReportCache:
    """A small LRU of reports, shared by the threads of one process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, ProjectAgreement] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> ProjectAgreement | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: ProjectAgreement) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


reports = ReportCache(CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached report (tests; never needed for correctness)."""
    reports.clear()
