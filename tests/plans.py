"""The statements a call runs, and the plans the database makes for them as if the growing
tables held years of rows: what the query-plan and index tests read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import asyncpg
from piccolo.engine import engine_finder

from civic import db as civic_db
from tests.conftest import ON_POSTGRES, URL

# The tables that grow with the years; the small ones (places, people, roles) may be read
# any way.
GROWING = frozenset(
    {
        "case",
        "case_event",
        "case_photo",
        "wish",
        "wish_event",
        "topic",
        "topic_event",
        "post",
        "post_report",
        "vote",
        "signature",
        "message",
    }
)

# PostgreSQL prices a plan by the row counts and column statistics in its catalogue, and on a
# test's few rows those depend on which tests ran before and whether anything vacuumed or
# analysed since: the same statement walked one index or another from run to run. So each plan
# is made inside a transaction that is rolled back, in which every growing table holds a
# million rows a page (the planner multiplies that by the table's real pages), all of them
# visible to every transaction (as autovacuum keeps a live table), and has no column statistics
# (default selectivities, as for a column of many values). Partial indexes keep their own
# counts: they hold the few rows their WHERE keeps.
_AT_SCALE = """
UPDATE pg_class SET reltuples = 1e6, relpages = 1, relallvisible = 1000000
 WHERE relkind = 'r' AND relname = ANY($1::text[]) AND relnamespace = 'public'::regnamespace;
"""
_NO_STATISTICS = """
DELETE FROM pg_statistic
 WHERE starelid IN (SELECT oid FROM pg_class
                     WHERE relname = ANY($1::text[]) AND relnamespace = 'public'::regnamespace)
"""


@contextmanager
def statements() -> Iterator[list[tuple[str, list[Any]]]]:
    """The SQL the engine runs inside the block, as the database receives it. The statements
    still run: this only writes each one down on its way."""
    engine = engine_finder()
    assert engine is not None
    seen: list[tuple[str, list[Any]]] = []
    original = engine.run_querystring

    async def recording(querystring: Any, in_pool: bool = False) -> Any:
        sql, args = querystring.compile_string(engine_type=engine.engine_type)
        seen.append((sql, list(args)))
        return await original(querystring, in_pool=in_pool)

    engine.run_querystring = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del engine.run_querystring


async def pg_explain(sql: str, args: list[Any], *, few: bool = False, json: bool = False) -> Any:
    """PostgreSQL's plan for the statement at scale, with sequential scans priced out: whether
    an index can give the rows, and in the statement's order. The rows of `EXPLAIN`, or its
    JSON when `json`.

    A statement whose rows are `few` (one person's, today's work) may sort them, but must find
    them by a condition on an index: with no statistics to say how few, a LIMIT would otherwise
    make walking the whole primary key in order look cheaper."""
    connection = await asyncpg.connect(URL)
    try:
        transaction = connection.transaction()
        await transaction.start()
        try:
            tables = sorted(GROWING)
            await connection.execute(_AT_SCALE, tables)
            await connection.execute(_NO_STATISTICS, tables)
            await connection.execute("SET LOCAL enable_seqscan = off")
            if few:
                await connection.execute("SET LOCAL enable_indexscan = off")
            else:
                await connection.execute("SET LOCAL enable_sort = off")
            if json:
                return await connection.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *args)
            return [r[0] for r in await connection.fetch(f"EXPLAIN {sql}", *args)]
        finally:
            await transaction.rollback()
    finally:
        await connection.close()


def sqlite_explain(sql: str, args: list[Any]) -> list[str]:
    """SQLite's plan for the statement, a detail a step."""
    with closing(sqlite3.connect(civic_db.sqlite_path(URL))) as connection:
        return [r[-1] for r in connection.execute(f"EXPLAIN QUERY PLAN {sql}", args).fetchall()]


async def partial_indexes() -> set[str]:
    """The indexes that hold only the rows their WHERE keeps: reading all of one is fine."""
    if ON_POSTGRES:
        connection = await asyncpg.connect(URL)
        try:
            rows = await connection.fetch(
                "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '% WHERE %'"
            )
        finally:
            await connection.close()
        return {r[0] for r in rows}
    with closing(sqlite3.connect(civic_db.sqlite_path(URL))) as connection:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
        ).fetchall()
    return {r[0] for r in rows}
