"""Counters in a shared store, each changed in one atomic step: throttling, and whatever else
must count exactly under concurrency (idempotency keys, tries at a one-time code).

A counter lives at its own key and owns it: do not also `set()` a value there. Its window runs
from its first increment; later increments do not extend it, and once it has passed the next
increment starts again at 1. Works on each store `make_store` gives: the database, Redis, and
memory (one process only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.stores.base import StorageObject, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from civic.web.stores import DatabaseStore

# A script runs without any other command in between: INCR and the EXPIRE that starts the
# window cannot be separated by a crash or a second client. TTL -1 is a key without expiry,
# which a counter never is once this script has touched it.
_REDIS_INCREMENT = b"""
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('TTL', KEYS[1]) == -1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return n
"""

# DECR keeps the key's TTL, so giving back never extends the window.
_REDIS_DECREMENT = b"""
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= 1 then
    redis.call('DEL', KEYS[1])
    return 0
end
return redis.call('DECR', KEYS[1])
"""


def _unsupported(store: Store) -> TypeError:
    return TypeError(f"no atomic counter for {type(store).__name__}")


async def increment(store: Store, key: str, window_seconds: int) -> int:
    """Adds one to the counter at `key` and returns the new count, in one atomic step: of N
    concurrent increments each sees a different number, 1 … N."""
    if window_seconds < 1:
        raise ValueError("a counter's window is at least one second")
    if isinstance(store, DatabaseStore):
        return await store.increment(key, window_seconds)
    if isinstance(store, RedisStore):
        script = store._redis.register_script(_REDIS_INCREMENT)
        return int(await script(keys=[store._make_key(key)], args=[window_seconds]))
    if isinstance(store, MemoryStore):
        # The store's own lock, so its get/set/delete see the counter before or after, never
        # half-way.
        async with store._lock:
            entry = store._store.get(key)
            if entry is None or entry.expired:
                n = 1
                expires_at = datetime.now(UTC) + timedelta(seconds=window_seconds)
            else:
                n = int(entry.data) + 1
                expires_at = entry.expires_at or datetime.now(UTC) + timedelta(
                    seconds=window_seconds
                )
            store._store[key] = StorageObject(expires_at=expires_at, data=str(n).encode())
            return n
    raise _unsupported(store)


async def decrement(store: Store, key: str) -> int:
    """Takes one back from the counter at `key` (a use that turned out not to count) and
    returns what is left. Never goes below zero and never revives a counter whose window has
    passed. A counter given back to zero is removed, so a use that did not count leaves
    nothing behind; its next use starts a new window."""
    if isinstance(store, DatabaseStore):
        return await store.decrement(key)
    if isinstance(store, RedisStore):
        script = store._redis.register_script(_REDIS_DECREMENT)
        return int(await script(keys=[store._make_key(key)]))
    if isinstance(store, MemoryStore):
        async with store._lock:
            entry = store._store.get(key)
            if entry is None or entry.expired or int(entry.data) <= 1:
                store._store.pop(key, None)
                return 0
            n = int(entry.data) - 1
            store._store[key] = StorageObject(expires_at=entry.expires_at, data=str(n).encode())
            return n
    raise _unsupported(store)


async def count(store: Store, key: str) -> int:
    """The counter at `key` in its current window: 0 when never used or when it has passed."""
    if isinstance(store, DatabaseStore):
        return await store.count(key)
    if isinstance(store, RedisStore | MemoryStore):
        raw = await store.get(key)
        return int(raw) if raw else 0
    raise _unsupported(store)
