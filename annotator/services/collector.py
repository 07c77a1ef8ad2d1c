"""One pause of Python's cyclic garbage collector, shared by bulk work."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _CollectorPause:
    """Pauses Python's cyclic garbage collector while exports stream or
    imports are parsed and stored.

    Both make millions of objects without cycles (rows, spans, decoded JSON),
    which reference counting frees at once; the collector's periodic scans of
    every object alive in the process (an import keeps the parsed file alive
    until it is stored) cost a fifth of an export's time and a third of an
    import's (bench/export_bench.py, bench/import_bench.py), and free
    nothing. ``_export_documents`` collects the young generations every few
    batches, which frees the few cycles made meanwhile.

    The collector is the process's: in a threaded server the other requests'
    cycles wait too, for as long as the work runs, except those the young
    collections take. Overlapping pauses share one, which ends with the last
    of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


paused = _CollectorPause()
