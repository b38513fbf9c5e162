"""A Litestar store kept in the site's database, so every worker sees the same sessions and
throttling counters without a separate server. Redis can replace it (CIVIC_STORE_URL).
Counters on any of the stores: web/counters.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.stores.base import NamespacedStore, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from civic.kept import kept
from civic.prepared import Prepared
from civic.web.tables import StoreEntry

# One statement, so concurrent increments never read the same number: the row is locked (or,
# on SQLite, the database is) between reading the counter and writing it back. Every SET sees
# the row as it was, so each CASE asks the same question of the old expiry. An expired row
# starts again at 1 with a new window and loses its old value; a live one keeps its window.
_INCREMENT = """
INSERT INTO store_entry (key, value, expires_at, counter) VALUES ({}, {}, {}, 1)
ON CONFLICT (key) DO UPDATE SET
    counter = CASE WHEN store_entry.expires_at <= {} THEN 1
                   ELSE store_entry.counter + 1 END,
    value = CASE WHEN store_entry.expires_at <= {} THEN excluded.value
                 ELSE store_entry.value END,
    expires_at = CASE WHEN store_entry.expires_at IS NULL OR store_entry.expires_at <= {}
                      THEN excluded.expires_at ELSE store_entry.expires_at END
RETURNING counter
"""

# Each statement is atomic on its own: the row goes only while it holds the last use (or has
# expired), so a concurrent increment is never lost; otherwise one is taken off a live count,
# never below zero and never bringing an expired counter back to life.
_DELETE_LAST = """
DELETE FROM store_entry WHERE key = {} AND (counter = 1 OR expires_at <= {}) RETURNING key
"""
_DECREMENT = """
UPDATE store_entry SET counter = counter - 1
WHERE key = {} AND counter > 0 AND expires_at > {}
RETURNING counter
"""


_Row = tuple[bytes, datetime | None]


def _as_row(row: dict | None) -> _Row | None:
    """A store row as kept (kept.py): its value and expiry, immutable."""
    return None if row is None else (bytes(row["value"]), row["expires_at"])


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return datetime.now(UTC) + timedelta(seconds=seconds)


# Every signed-in page reads its session: built once (civic/prepared.py).
_GET = Prepared(
    lambda key: (
        StoreEntry.select(StoreEntry.value, StoreEntry.expires_at)
        .where(StoreEntry.key == key)
        .first()
    ),
    key=str,
)


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
        # A session is read on every signed-in page: kept while the data holds still, and its
        # expiry still checked on every read.
        row = await kept(
            ("store", self._key(key)),
            lambda: self._row(key),
            at_version=lambda: self._row_at_version(key),
        )
        if row is None:
            return None
        value, expires_at = row
        if expires_at is not None and expires_at <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for is not None and expires_at is not None:
            await StoreEntry.update({StoreEntry.expires_at: _expiry(renew_for)}).where(
                StoreEntry.key == self._key(key)
            )
        return value

    async def _row(self, key: str) -> _Row | None:
        return _as_row(await _GET(key=self._key(key)))

    async def _row_at_version(self, key: str) -> tuple[str | None, _Row | None]:
        version, row = await _GET.at_version(key=self._key(key))
        return version, _as_row(row)

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
        await StoreEntry.delete().where(
            (StoreEntry.expires_at <= datetime.now(UTC))
            & StoreEntry.key.like(f"{self.namespace}:%")
        )

    async def increment(self, key: str, window_seconds: int) -> int:
        """Adds one to the counter at `key` and returns the new count (see web/counters.py)."""
        now = datetime.now(UTC)
        rows = await StoreEntry.raw(
            _INCREMENT,
            self._key(key),
            b"",
            now + timedelta(seconds=window_seconds),
            now,
            now,
            now,
        )
        return int(rows[0]["counter"])

    async def decrement(self, key: str) -> int:
        """Takes one from a live counter and returns what is left (see web/counters.py)."""
        now = datetime.now(UTC)
        if await StoreEntry.raw(_DELETE_LAST, self._key(key), now):
            return 0
        rows = await StoreEntry.raw(_DECREMENT, self._key(key), now)
        # No row updated: nothing there, or another decrement got there first.
        return int(rows[0]["counter"]) if rows else 0

    async def count(self, key: str) -> int:
        """The counter at `key` in its current window; 0 once the window has passed."""
        row = (
            await StoreEntry.select(StoreEntry.counter)
            .where(
                (StoreEntry.key == self._key(key))
                & (StoreEntry.expires_at.is_null() | (StoreEntry.expires_at > datetime.now(UTC)))
            )
            .first()
        )
        return int(row["counter"]) if row else 0


async def delete_expired_entries() -> int:
    """Removes the rows of every namespace whose time has passed (ended sessions, finished
    throttling windows) and returns how many: reading skips them, but only this removes them.
    For `civic sweep`; Redis expires its keys by itself and the memory store lives one process."""
    gone = (
        await StoreEntry.delete()
        .where(StoreEntry.expires_at <= datetime.now(UTC))
        .returning(StoreEntry.id)
    )
    return len(gone)


def make_store(store_url: str, namespace: str) -> Store:
    """A store for one use (sessions, throttling) in the place CIVIC_STORE_URL names."""
    if store_url == "memory":
        return MemoryStore()
    if store_url.startswith("redis://"):
        return RedisStore.with_client(url=store_url, namespace=f"civic:{namespace}")
    return DatabaseStore(namespace)
