"""How many of a costly thing are under way in this worker right now: photos being decoded,
PDFs being rendered, passwords being hashed. Each of those runs in a small pool of its own;
its gauge is how a test (or someone looking into a running worker) sees the bound hold."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Gauge:
    """`now` under way, the `peak` at once since the last reset, the `total` ever started.
    Counted under a lock: the work runs in worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.total = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)
        try:
            yield
        finally:
            with self._lock:
                self.now -= 1

    def reset_peak(self) -> None:
        with self._lock:
            self.peak = self.now
