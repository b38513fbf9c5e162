"""The database engine, chosen by URL, and a per-request count of the SQL it runs."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine


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


def _tick() -> None:
    counter = _counter.get()
    if counter is not None:
        counter.count += 1


class CountingSQLiteEngine(SQLiteEngine):
    async def run_querystring(self, querystring: Any, in_pool: bool = False) -> Any:
        _tick()
        return await super().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        _tick()
        return await super().run_ddl(ddl, in_pool=in_pool)


class CountingPostgresEngine(PostgresEngine):
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
