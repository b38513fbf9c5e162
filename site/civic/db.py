"""The database engine, chosen by URL, and a per-request count of the SQL it runs."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, dict_factory


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0


_counter: contextvars.ContextVar[QueryCounter | None] = contextvars.ContextVar(
    "civic_query_counter", default=None
)


@contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    """Count the SQL statements run inside the block (and the tasks it starts)."""
    counter = QueryCounter()
    token = _counter.set(counter)
    try:
        yield counter
    finally:
        _counter.reset(token)


# Every statement this process has run, counted or not: the test suite empties its tables
# after a test only when this moved.
statements_run = 0


def _tick() -> None:
    global statements_run
    statements_run += 1
    counter = _counter.get()
    if counter is not None:
        counter.count += 1


class CountingSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection (and a thread) for every statement. While the
    site runs, reads outside a transaction go through one connection kept open instead, used on
    the event loop's own thread: a SELECT costs tens of microseconds rather than hundreds with a
    thread hop each way. In WAL mode a reader never waits for a writer, so the loop is not held
    up; should the file be busy all the same, the read takes Piccolo's way. Writes and
    transactions are unchanged."""

    def open_reader(self) -> None:
        if self.__dict__.get("_reader") is None:
            kwargs = {**self.connection_kwargs, "timeout": 0.2, "check_same_thread": False}
            reader = sqlite3.connect(**kwargs)
            reader.row_factory = dict_factory
            self.__dict__["_reader"] = reader

    def close_reader(self) -> None:
        reader = self.__dict__.pop("_reader", None)
        if reader is not None:
            reader.close()

    async def data_version(self) -> str | None:
        """A value that changes whenever another connection (any worker's writes included)
        commits to the database; None when no reader is open."""
        reader = self.__dict__.get("_reader")
        if reader is None:
            return None
        _tick()
        return str(reader.execute("PRAGMA data_version").fetchone()["data_version"])

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        reader = self.__dict__.get("_reader")
        # Piccolo marks only inserts with a query type: a read is known by its SQL.
        if reader is not None and query.lstrip()[:6].upper() == "SELECT":
            try:
                # In autocommit mode each SELECT sees everything committed before it started.
                return reader.execute(query, args or []).fetchall()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e):
                    raise
        return await super()._run_in_new_connection(query, args, query_type, table)

    async def run_querystring(self, querystring: Any, in_pool: bool = False) -> Any:
        _tick()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        _tick()
        return await super().run_ddl(ddl, in_pool=in_pool)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class CountingPostgresEngine(PostgresEngine):
    """asyncpg's connections belong to the event loop that opened them, so the pool is kept
    per loop: a loop that started none (a command's asyncio.run, a test's own loop beside the
    app's) opens a connection per statement rather than borrowing another loop's and failing."""

    @property
    def pool(self) -> Any:
        return self.__dict__.get("_pools", {}).get(_running_loop())

    @pool.setter
    def pool(self, pool: Any) -> None:
        pools = self.__dict__.setdefault("_pools", {})
        if pool is None:
            pools.pop(_running_loop(), None)
        else:
            pools[_running_loop()] = pool

    async def data_version(self) -> str | None:
        """The snapshot a statement would see now: the same text means the same committed
        transactions, so nothing was written in between; None without a pool."""
        pool = self.pool
        if pool is None:
            return None
        _tick()
        async with pool.acquire() as connection:
            return str(await connection.fetchval("SELECT pg_current_snapshot()::text"))

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        _tick()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        _tick()
        return await super().run_ddl(ddl, in_pool=in_pool)


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///")).expanduser()


def engine_from_url(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A busy connection waits for the writer instead of failing at once.
        return CountingSQLiteEngine(path=str(path), timeout=30)
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        return CountingPostgresEngine(config={"dsn": url})
    raise ValueError(f"unsupported database URL: {url!r}")


def write_transaction(engine: Engine):  # type: ignore[no-untyped-def]
    """A transaction that takes the write lock at once on SQLite (others wait their turn instead
    of failing), and an ordinary one on PostgreSQL, where rows are locked explicitly."""
    if isinstance(engine, SQLiteEngine):
        from piccolo.engine.sqlite import TransactionType

        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
