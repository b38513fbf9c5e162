"""A counter per key in a shared store: so many tries in a window, then a Chinese 429."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.stores.base import Store

from civic.errors import Throttled
from civic.web import counters


async def count(store: Store, key: str) -> int:
    """How many times `key` has been spent in its current window."""
    return await counters.count(store, key)


@dataclass(frozen=True)
class Quota:
    store: Store
    limit: int
    window_seconds: int
    message: str
    """Shown when the quota is spent; {minutes} is replaced by the wait."""

    async def used(self, key: str) -> int:
        return await count(self.store, key)

    async def take(self, key: str) -> None:
        """Uses one try, and raises Throttled when it is beyond the limit. Counting and deciding
        are one step, so of a burst of concurrent tries exactly `limit` get through. A refused
        try still counts (the window stays where it began), so hammering gains nothing."""
        if await counters.increment(self.store, key, self.window_seconds) > self.limit:
            raise await self._refusal(key)

    async def give_back(self, key: str) -> None:
        """Returns a try taken before knowing whether it should count (a right password, a
        code that exists), so only the failures use up the quota."""
        await counters.decrement(self.store, key)

    async def check(self, key: str) -> None:
        """Raises Throttled while the key has used its quota, without using a try. Only `take`
        protects against a burst: between this and `spend` others may pass as well."""
        if await self.used(key) >= self.limit:
            raise await self._refusal(key)

    async def spend(self, key: str) -> None:
        """Counts one use, without refusing: for a use that is known only after the fact."""
        await counters.increment(self.store, key, self.window_seconds)

    async def _refusal(self, key: str) -> Throttled:
        wait = await self.store.expires_in(key) or self.window_seconds
        return Throttled(self.message.format(minutes=max(1, -(-wait // 60))), retry_after=wait)
