"""A Litestar store kept in the site's database, so every worker sees the same sessions and
throttling counters without a separate server. Redis can replace it (CIVIC_STORE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.stores.base import NamespacedStore, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from civic.web.tables import StoreEntry


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return datetime.now(UTC) + timedelta(seconds=seconds)


class DatabaseStore(NamespacedStore):
    def __init__(self, namespace: str = "civic") -> None:
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> DatabaseStore:
        return DatabaseStore(f"{self.namespace}:{namespace}")

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        await StoreEntry.insert(
            StoreEntry(key=self._key(key), value=data, expires_at=expires_at)
        ).on_conflict(
            target=StoreEntry.key,
            action="DO UPDATE",
            values=[StoreEntry.value, StoreEntry.expires_at],
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = (
            await StoreEntry.select(StoreEntry.value, StoreEntry.expires_at)
            .where(StoreEntry.key == self._key(key))
            .first()
        )
        if row is None:
            return None
        expires_at = row["expires_at"]
        if expires_at is not None and expires_at <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for is not None and expires_at is not None:
            await StoreEntry.update({StoreEntry.expires_at: _expiry(renew_for)}).where(
                StoreEntry.key == self._key(key)
            )
        return bytes(row["value"])

    async def delete(self, key: str) -> None:
        await StoreEntry.delete().where(StoreEntry.key == self._key(key))

    async def delete_all(self) -> None:
        await StoreEntry.delete().where(StoreEntry.key.like(f"{self.namespace}:%"))

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = (
            await StoreEntry.select(StoreEntry.expires_at)
            .where(StoreEntry.key == self._key(key))
            .first()
        )
        if row is None or row["expires_at"] is None:
            return None
        return max(int((row["expires_at"] - datetime.now(UTC)).total_seconds()), 0)

    async def delete_expired(self) -> None:
        await StoreEntry.delete().where(StoreEntry.expires_at < datetime.now(UTC))


def make_store(store_url: str, namespace: str) -> Store:
    """A store for one use (sessions, throttling) in the place CIVIC_STORE_URL names."""
    if store_url == "memory":
        return MemoryStore()
    if store_url.startswith("redis://"):
        return RedisStore.with_client(url=store_url, namespace=f"civic:{namespace}")
    return DatabaseStore(namespace)
