"""One read shared by everyone who asks for it at the same moment, and never older than the
ask: the data version that every page of a morning rush starts with (db.py).

A read already on its way when someone asks began before they asked, so it may miss a commit
they have seen (their own write, a moment ago through another worker). They wait instead for
the next read, which begins as soon as the one in flight ends, and share it with everyone
else who asked meanwhile. So every answer comes from a read begun after the ask, and under a
burst of requests a worker sends one statement for many of them rather than one each, at the
cost of waiting for at most one read more."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalesced(Generic[T]):
    """`read()` for whoever asks, one read at a time, each answer begun after its ask. Belongs
    to the event loop it is first used in."""

    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._running: asyncio.Future[T] | None = None
        self._next: asyncio.Future[T] | None = None

    async def get(self) -> T:
        if self._running is None:
            self._running = self._start(None)
            return await asyncio.shield(self._running)
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        return await asyncio.shield(self._next)

    def _start(self, waiting: asyncio.Future[T] | None) -> asyncio.Future[T]:
        task = asyncio.ensure_future(self._read())
        task.add_done_callback(lambda done: self._done(done, waiting))
        return task

    def _done(self, task: asyncio.Future[T], waiting: asyncio.Future[T] | None) -> None:
        self._running = None
        failed = None if task.cancelled() else task.exception()  # retrieved here, for anyone
        if waiting is not None and not waiting.done():
            if task.cancelled():
                waiting.cancel()
            elif failed is not None:
                waiting.set_exception(failed)
                waiting.exception()  # told to whoever still waits; no warning if none does
            else:
                waiting.set_result(task.result())
        following, self._next = self._next, None
        if following is not None:
            self._running = self._start(following)
