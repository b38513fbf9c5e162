"""A counter per key in a shared store: so many tries in a window, then a Chinese 429."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.stores.base import Store

from civic.errors import Throttled


async def count(store: Store, key: str) -> int:
    """How many times `key` has been spent in its current window."""
    raw = await store.get(key)
    return int(raw) if raw else 0


@dataclass(frozen=True)
class Quota:
    store: Store
    limit: int
    window_seconds: int
    message: str
    """Shown when the quota is spent; {minutes} is replaced by the wait."""

    async def used(self, key: str) -> int:
        return await count(self.store, key)

    async def check(self, key: str) -> None:
        """Raises Throttled while the key has used its quota."""
        if await self.used(key) >= self.limit:
            wait = await self.store.expires_in(key) or self.window_seconds
            raise Throttled(self.message.format(minutes=max(1, -(-wait // 60))), retry_after=wait)

    async def spend(self, key: str) -> None:
        count = await self.used(key)
        # The window runs from the first use: later ones do not extend it.
        remaining = await self.store.expires_in(key) if count else None
        await self.store.set(key, str(count + 1), expires_in=remaining or self.window_seconds)
