"""A list's cost must not grow with the table: the queries behind the board, its state counts,
the wish tree and the hall's topics and posts read their rows through an index that matches
their WHERE, and a page of a list (a query with LIMIT) comes out of the index in its order,
never by sorting every matching row. Checked on the plan the database itself makes for the
statements the site really runs (EXPLAIN QUERY PLAN on SQLite; EXPLAIN with sequential scans
and sorts priced out on PostgreSQL, where a small table would otherwise always be scanned)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from piccolo.engine import engine_finder

from civic import db as civic_db
from civic.hall import posts
from civic.hall import queries as hall_queries
from civic.hall.service import Standing
from civic.suggestions import queries as case_queries
from civic.wishes import queries as wish_queries
from tests.conftest import ON_POSTGRES, URL

pytestmark = pytest.mark.usefixtures("database")

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# The tables that grow with the years; the small ones (places, people by id) may be read any way.
GROWING = ("case", "wish", "topic", "post")


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


async def plan(sql: str, args: list[Any]) -> str:
    """The database's plan for one statement, one step a line."""
    if ON_POSTGRES:
        connection = await asyncpg.connect(URL)
        try:
            # As autovacuum keeps them on a live server: without it, pages emptied by earlier
            # tests price an index-only read above reading the rows, whatever the index.
            await connection.execute("VACUUM " + ", ".join(f'"{table}"' for table in GROWING))
            # Scans and sorts priced out: on a table of a few rows either is cheapest, so
            # the plan shows whether an index can give the rows, and in the page's order.
            await connection.execute("SET enable_seqscan = off; SET enable_sort = off")
            rows = await connection.fetch(f"EXPLAIN {sql}", *args)
        finally:
            await connection.close()
        return "\n".join(r[0] for r in rows)
    with closing(sqlite3.connect(civic_db.sqlite_path(URL))) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {sql}", args).fetchall()
    return "\n".join(r[-1] for r in rows)


async def index_on(table: str, *columns: str) -> bool:
    """Whether a PostgreSQL index on `table` starts with exactly these columns."""
    connection = await asyncpg.connect(URL)
    try:
        rows = await connection.fetch("SELECT indexdef FROM pg_indexes WHERE tablename = $1", table)
    finally:
        await connection.close()
    wanted = f"({', '.join(columns)}"
    return any(wanted in r["indexdef"] for r in rows)


def scans(text: str) -> list[str]:
    """The steps that read a growing table from end to end."""
    found = []
    for line in text.splitlines():
        step = line.strip().lstrip("->").strip()
        for table in GROWING:
            if ON_POSTGRES:
                whole = step.startswith(f'Seq Scan on "{table}"') or step.startswith(
                    f"Seq Scan on {table} "
                )
            else:
                # "SCAN case" or "SCAN case USING INDEX x" read every row; SEARCH uses a key.
                whole = step in {f"SCAN {table}", f'SCAN "{table}"'} or step.startswith(
                    (f"SCAN {table} ", f'SCAN "{table}" ')
                )
            if whole:
                found.append(step)
    return found


def sorts(text: str) -> bool:
    if ON_POSTGRES:
        return any(
            line.strip().lstrip("->").strip().startswith("Sort") for line in text.splitlines()
        )
    return "USE TEMP B-TREE FOR ORDER BY" in text


async def plans_of(call: Callable[[], Awaitable[Any]]) -> list[tuple[str, str]]:
    with statements() as seen:
        await call()
    assert seen, "the call ran no SQL"
    return [(sql, await plan(sql, args)) for sql, args in seen if sql.lstrip()[:6] != "INSERT"]


def assert_indexed(found: list[tuple[str, str]]) -> None:
    for sql, text in found:
        assert not scans(text), f"{sql}\nscans a whole table:\n{text}"
        # A statement that picks its page in a WITH clause may order that page's few rows
        # afterwards: its page is checked on its own (test_a_topics_posts_page_...).
        if " LIMIT " in sql.upper() and not sql.lstrip().upper().startswith("WITH"):
            assert not sorts(text), f"{sql}\nsorts the rows for one page:\n{text}"


async def test_the_board_pages_and_counts_through_indexes() -> None:
    with statements() as seen:
        await case_queries.board(1, NOW)
    assert len(seen) == 2  # the state counts, then a page of public cases
    assert_indexed([(sql, await plan(sql, args)) for sql, args in seen])
    counts_sql, counts_args = seen[0]
    assert "GROUP BY" in counts_sql.upper()
    # The counts can be read from an index alone, without the rows. SQLite says so in its
    # plan; PostgreSQL picks between an index-only read and an index read by the visibility
    # of a test table's few pages, which depends on the tests run before it: there, an index
    # holding both columns is what is asked for.
    counts_plan = await plan(counts_sql, counts_args)
    if ON_POSTGRES:
        assert "Index Only Scan" in counts_plan or await index_on("case", "community", "status")
    else:
        assert "COVERING INDEX" in counts_plan, counts_plan


async def test_a_board_filtered_by_state_is_still_read_through_an_index() -> None:
    assert_indexed(await plans_of(lambda: case_queries.board(1, NOW, status="feedback", page=3)))


async def test_the_wish_tree_reads_through_an_index() -> None:
    assert_indexed(await plans_of(lambda: wish_queries.tree(1, NOW)))


async def test_the_halls_topics_page_through_an_index() -> None:
    found = await plans_of(lambda: hall_queries.hall(1, "", None, NOW, page=1))
    assert any(" LIMIT " in sql.upper() for sql, _ in found)
    assert_indexed(found)
    assert_indexed(await plans_of(lambda: hall_queries.hall(1, "", None, NOW, page=4)))


async def test_a_topics_posts_page_through_an_index() -> None:
    topic = {"id": 1, "status": "deliberating"}
    standing = Standing(viewer=None, parties=frozenset())
    with statements() as seen:
        await posts.page(topic, standing, 2, NOW)
    assert len(seen) == 2  # a page of posts with their replies, the counts by stance
    assert_indexed([(sql, await plan(sql, args)) for sql, args in seen])
    # The page itself: the top-level posts the WITH clause picks, newest first.
    sql, args = seen[0]
    page = re.search(r"WITH top AS \((.*?)\)\s*SELECT", sql, re.DOTALL)
    assert page is not None, sql
    text = await plan(page.group(1), args[:3])
    assert not scans(text), text
    assert not sorts(text), f"{page.group(1)}\nsorts the posts for one page:\n{text}"
