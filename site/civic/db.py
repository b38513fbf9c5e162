"""The database engine, chosen by URL, and a per-request count of the SQL it runs."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from civic import piccolo_fixes
from civic.coalesce import Coalesced

piccolo_fixes.apply()


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


@dataclass
class _Writer:
    connection: aiosqlite.Connection
    lock: asyncio.Lock


class SharedWriterTransaction(SQLiteTransaction):
    """A transaction on the loop's one write connection, held alone from BEGIN to COMMIT;
    Piccolo's own (a new connection and thread each) where the loop has none."""

    __slots__ = ("_held",)

    async def get_connection(self) -> Any:
        writer = cast("CountingSQLiteEngine", self.engine).writer()
        if writer is None:
            self._held = None
            return await super().get_connection()
        await writer.lock.acquire()
        self._held = writer.lock
        return writer.connection

    async def __aenter__(self) -> SQLiteTransaction:
        try:
            return await super().__aenter__()
        except BaseException:
            # BEGIN failed (the file stayed locked past the timeout): the next one may go.
            held: asyncio.Lock | None = getattr(self, "_held", None)
            if self._parent is None and held is not None:
                held.release()
                self._held = None
            raise

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        held = None if self._parent else getattr(self, "_held", None)
        if held is None:
            return bool(await super().__aexit__(exception_type, exception, traceback))
        try:
            if exception is None and not self._committed and not self._rolled_back:
                await self.commit()
            elif exception is not None and not self._rolled_back:
                await self.rollback()
        except BaseException:
            # A COMMIT that failed leaves the transaction open on the shared connection.
            with contextlib.suppress(Exception):
                await self.connection.execute("ROLLBACK")
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
            held.release()
        return exception is None


class CountingSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection (and a thread) for every statement. While the
    site runs, it keeps two open instead:

    - a reader, for SELECTs outside a transaction, used on the event loop's own thread: a read
      costs tens of microseconds rather than hundreds with a thread hop each way. In WAL mode a
      reader never waits for a writer, so the loop is not held up; should the file be busy all
      the same, the read takes Piccolo's way;
    - one writer per event loop, for every other statement and every transaction, taken by one
      task at a time: SQLite lets one connection write at once anyway, and a write no longer
      pays for a connection and a thread of its own (several milliseconds of CPU). It runs on
      its own thread, so waiting for another process's write never blocks the loop."""

    def writer(self) -> _Writer | None:
        return self.__dict__.get("_writers", {}).get(_running_loop())

    async def open_connections(self) -> None:
        if self.__dict__.get("_reader") is None:
            kwargs = {**self.connection_kwargs, "timeout": 0.2, "check_same_thread": False}
            reader = sqlite3.connect(**kwargs)
            reader.row_factory = dict_factory
            self.__dict__["_reader"] = reader
        writers = self.__dict__.setdefault("_writers", {})
        loop = asyncio.get_running_loop()
        if loop not in writers:
            connection = await aiosqlite.connect(**self.connection_kwargs)
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = 1")
            # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a filing's
            # few commits no longer wait on the disk each. The file stays consistent through
            # any crash; a power cut may lose the last commits before a checkpoint.
            await connection.execute("PRAGMA synchronous = NORMAL")
            writers[loop] = _Writer(connection, asyncio.Lock())

    async def close_connections(self) -> None:
        writer = self.__dict__.get("_writers", {}).pop(asyncio.get_running_loop(), None)
        if writer is not None:
            async with writer.lock:
                await writer.connection.close()
        if not self.__dict__.get("_writers"):
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

    async def rows_at_version(self, sql: str, args: list[Any]) -> tuple[str | None, list[dict]]:
        """The rows of one SELECT (`?` placeholders) and the data version they were read at,
        in one statement (kept.py); no version when no reader is open or it cannot read."""
        reader = self.__dict__.get("_reader")
        if reader is not None:
            _tick()
            try:
                return _split_version(reader.execute(_AT_VERSION.format(sql), args).fetchall())
            except sqlite3.OperationalError as e:
                if "locked" not in str(e):
                    raise
        return None, await self._run_in_new_connection(sql, args)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return SharedWriterTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

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
        writer = self.writer()
        if writer is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        async with writer.lock:
            return list(await writer.connection.execute_fetchall(query, args or []))

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # On the loop's writer (foreign keys on and rows as dicts since it opened), a statement
        # of a transaction is one trip to its thread, not Piccolo's four (a PRAGMA, the
        # statement, its rows, closing the cursor): a filing's nine statements cost a third.
        writer = self.writer()
        old = query_type == "insert" and self.get_version_sync() < 3.35  # no RETURNING
        if writer is None or connection is not writer.connection or old:
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        return list(await connection.execute_fetchall(query, args or []))

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


async def keep_session(_connection: Any) -> None:
    """What the pool does to a connection it takes back, beyond rolling back a transaction
    left open: nothing. asyncpg's default resets the session (advisory locks, cursors,
    LISTEN, settings) with a second round trip after every statement run outside a
    transaction; the site sets none of those, so that trip only cost the server time."""


class CountingPostgresEngine(PostgresEngine):
    """asyncpg's connections belong to the event loop that opened them, so the pool is kept
    per loop: a loop that started none (a command's asyncio.run, a test's own loop beside the
    app's) opens a connection per statement rather than borrowing another loop's and failing."""

    @property
    def pool(self) -> Any:
        return self.__dict__.get("_pools", {}).get(_running_loop())

    @pool.setter
    def pool(self, pool: Any) -> None:
        # The data-version reads a loop's requests share (data_version) go with its pool.
        pools = self.__dict__.setdefault("_pools", {})
        reads = self.__dict__.setdefault("_version_reads", {})
        loop = _running_loop()
        if pool is None:
            pools.pop(loop, None)
            reads.pop(loop, None)
        else:
            pools[loop] = pool
            reads[loop] = Coalesced(self._read_version)

    async def data_version(self) -> str | None:
        """The snapshot a statement would see now: the same text means the same committed
        transactions, so nothing was written in between; None without a pool. The requests
        of a burst share one read begun after each of them asked (coalesce.py)."""
        read = self.__dict__.get("_version_reads", {}).get(_running_loop())
        return None if read is None else await read.get()

    async def _read_version(self) -> str | None:
        pool = self.pool
        if pool is None:
            return None
        _tick()
        async with pool.acquire() as connection:
            return str(await connection.fetchval("SELECT pg_current_snapshot()::text"))

    async def rows_at_version(self, sql: str, args: list[Any]) -> tuple[str | None, list[dict]]:
        """The rows of one SELECT (`$1` placeholders) and the data version they were read at,
        in one statement (kept.py): one snapshot gives both. No version without a pool."""
        pool = self.pool
        if pool is None:
            return None, await self._run_in_new_connection(sql, args)
        _tick()
        async with pool.acquire() as connection:
            rows = await connection.fetch(_PG_AT_VERSION.format(sql), *args)
        return _split_version([dict(r) for r in rows])

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        _tick()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        _tick()
        return await super().run_ddl(ddl, in_pool=in_pool)


# The version column beside the statement's rows, and a row of NULLs when it has none.
_AT_VERSION = (
    "SELECT v.civic_version, q.* FROM"
    " (SELECT CAST(data_version AS TEXT) AS civic_version FROM pragma_data_version) v"
    " LEFT JOIN ({}) q ON 1 = 1"
)
_PG_AT_VERSION = (
    "SELECT v.civic_version, q.* FROM (SELECT pg_current_snapshot()::text AS civic_version) v"
    " LEFT JOIN ({}) q ON true"
)


def _split_version(rows: list[dict]) -> tuple[str | None, list[dict]]:
    version = rows[0]["civic_version"] if rows else None
    found = []
    for row in rows:
        del row["civic_version"]
        if any(value is not None for value in row.values()):
            found.append(row)
    return version, found


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
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def days_between(engine: Engine, start: str, end: str) -> str:
    """SQL for the days from column `start` to column `end`, in each database's own date
    arithmetic: SQLite keeps times as UTC text that julianday() reads, PostgreSQL subtracts
    timestamps."""
    if isinstance(engine, SQLiteEngine):
        return f'julianday("{end}") - julianday("{start}")'
    return f'EXTRACT(EPOCH FROM ("{end}" - "{start}")) / 86400'
