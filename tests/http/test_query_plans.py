"""A page's cost must not grow with the years: every SELECT that the public lists, the staff
queues, /me and the monthly report run, as the pages really run them, is read by the database
through an index. Checked on the plan the database makes for each statement (EXPLAIN QUERY
PLAN on SQLite; EXPLAIN on PostgreSQL priced as at scale, with sequential scans and sorts priced
out: tests/plans.py): no growing table read from end to end (a scan, with or without an index)
and no sort of a growing table's rows for an ORDER BY."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.app import create_app
from civic.hall import posts
from civic.hall import service as hall
from civic.settings import Settings
from civic.suggestions import service as cases
from civic.suggestions.workflow import Verb
from civic.web.clock import FixedClock
from civic.wishes import service as wishes
from civic.wishes.workflow import S as WishState
from tests import builders
from tests.builders import sign_in
from tests.conftest import ON_POSTGRES
from tests.plans import GROWING, partial_indexes, pg_explain, sqlite_explain, statements

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

# States a record leaves within days: the rows a workflow holds in them are today's work,
# however many years of done rows lie beside them, so a statement kept to them may sort.
OPEN_STATES = frozenset(
    {
        "submitted",
        "accepted",
        "in_progress",
        "escalated",
        "feedback",
        "returned",
        "published",  # a wish waiting for a helper (a topic's outcome is done: see below)
        "claimed",
        "fulfilled",
        "pending",
        "proposed",
        "collecting",
        "deliberating",
        "voting",
    }
)


# A person's own rows: however long the site runs, one person files, wishes and votes a
# handful of times a year. A statement kept to one person may read them through an index on
# each of its columns and sort them.
PERSONAL = re.compile(
    r'^\(*"(case|wish|vote|topic)"\."(filer|filed_by|beneficiary|posted_by|person|proposed_by)"'
    r" = [?$]"
)


def bounded(sql: str, args: list[Any]) -> bool:
    """Whether the rows the statement sorts are few whatever the years: those in open states
    (today's work: every status argument open), the reported posts no moderator has handled
    yet, or one person's own."""
    where = sql.partition(" WHERE ")[2]
    if PERSONAL.match(where):
        return True
    if '"post"."reports" >' in where:
        return True
    if '"status" IN' not in where and '"status" =' not in where:
        return False
    states = {a for a in args if isinstance(a, str) and a in OPEN_STATES | DONE_STATES}
    if 'FROM "topic"' in sql and "published" in states:
        return False  # a published topic is done
    return bool(states) and states <= OPEN_STATES


DONE_STATES = frozenset(
    {"closed", "rejected", "merged", "confirmed", "withdrawn", "declined", "verified", "revoked"}
)


@pytest.fixture
def app():
    return create_app(Settings.from_env(), clock=FixedClock(NOW))


@dataclass
class Place:
    slug: str
    street: str
    staff: str
    official: str
    resident: str
    topic_id: int


async def _viewer(person_id: int) -> Viewer:
    found = await load_viewer(person_id)
    assert found is not None
    return found


@pytest.fixture
async def place() -> Place:
    """A community with a little of everything: cases in several states (one escalated to the
    street), published wishes, a topic with a post and a reported reply."""
    district = await builders.district()
    street = await builders.street(district, slug="liuyin", name="柳荫街道")
    c = await builders.community(street, name="杏花社区")
    staff_id, staff = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    _official_id, official = await builders.person((Role.STREET_OFFICIAL, street), name="周建国")
    resident_id, resident = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    staff_v, resident_v = await _viewer(staff_id), await _viewer(resident_id)

    h = timedelta(hours=1)
    codes = []
    for i in range(6):
        codes.append(
            await cases.file_case(
                resident_v,
                c.id,
                category="环境卫生" if i % 2 else "停车管理",
                text=f"楼道堆放杂物第{i}次",
                now=NOW - timedelta(days=40 - i),
            )
        )
    await cases.act(staff_v, codes[0], Verb.ACCEPT, NOW - timedelta(days=39))
    await cases.act(staff_v, codes[0], Verb.ANSWER, NOW - timedelta(days=38), note="已清理")
    await cases.act(staff_v, codes[1], Verb.ACCEPT, NOW - timedelta(days=38))
    await cases.act(staff_v, codes[1], Verb.ESCALATE, NOW - timedelta(days=38) + h, note="请街道")
    await cases.act(staff_v, codes[2], Verb.REPLY, NOW - timedelta(days=37), note="已收到")

    for title in ("一台电风扇", "冬天的棉被"):
        wish_id = await wishes.submit_wish(
            resident_v, c.id, resident_id, title, "", "生活用品", 100, NOW - timedelta(days=3)
        )
        await wishes.move(staff_v, wish_id, WishState.PUBLISHED, NOW - timedelta(days=2))

    topic = await hall.open_topic(
        staff_v,
        c.id,
        hall.TopicInput("北门夜间停车", "想听听大家的办法。"),
        NOW - timedelta(days=5),
    )
    loaded = await hall.load(topic["id"], c.id)
    first = await posts.write(resident_v, loaded, "idea", "按楼轮换。", NOW - h, store=None)
    reply = await posts.write(
        staff_v, loaded, "other", "记下了。", NOW, parent_id=first, store=None
    )
    await posts.report(resident_v, reply, NOW)  # waits for a moderator in the hall queue
    return Place(c.slug, "liuyin", staff, official, resident, topic["id"])


# --- the statements and their plans ---------------------------------------------------------


def _pg_steps(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _pg_steps(child)


async def problems(sql: str, args: list[Any], partial: set[str]) -> list[str]:
    """What in the statement's plan grows with a table: each whole read of a growing table, and
    each sort of its rows for an ORDER BY."""
    if ON_POSTGRES:
        found = await pg_explain(sql, args, few=bounded(sql, args), json=True)
        steps = list(_pg_steps(json.loads(found)[0]["Plan"]))
        bad = []
        for step in steps:
            table = step.get("Relation Name")
            kind = step["Node Type"]
            index = step.get("Index Name")
            if table in GROWING and kind == "Seq Scan":
                bad.append(f"Seq Scan on {table}")
            elif (
                table in GROWING
                and "Index" in kind
                and "Index Cond" not in step
                and index not in partial
            ):
                bad.append(f"{kind} on {table} using {index}, no condition")
        # With sorts priced out, a Sort left in the plan is one no index can spare.
        sorted_ = any(s["Node Type"] == "Sort" for s in steps)
        if "ORDER BY" in sql.upper() and sorted_ and not bounded(sql, args):
            tables = {s.get("Relation Name") for s in steps} & GROWING
            if tables:
                bad.append(f"Sort for ORDER BY over {', '.join(sorted(tables))}")
        return bad
    bad = []
    for detail in sqlite_explain(sql, args):
        words = detail.split()
        # "SCAN case" and "SCAN case USING [COVERING] INDEX x" read every row; SEARCH uses a key.
        # A scan of a partial index reads only the rows its WHERE keeps (posts waiting for a
        # moderator): few, whatever the years.
        if words[0] == "SCAN" and words[1].strip('"') in GROWING:
            index = words[-1] if "INDEX" in words else ""
            if index not in partial:
                bad.append(detail)
        sorts = detail.startswith("USE TEMP B-TREE FOR") and "ORDER BY" in detail
        if sorts and not bounded(sql, args):
            tables = {w.strip('"') for w in sql.replace(",", " ").split()} & GROWING
            if tables:
                bad.append(f"{detail} ({', '.join(sorted(tables))})")
    return bad


def _reads(sql: str) -> bool:
    """A statement that only reads: a SELECT, or one that starts with its WITH."""
    words = sql.split(None, 1)
    return bool(words) and words[0].upper() in {"SELECT", "WITH"}


async def assert_read_through_indexes(
    client: AsyncTestClient, *paths: str, expect: str = ""
) -> None:
    for path in paths:
        with statements() as seen:
            response = await client.get(path)
        assert response.status_code == 200, path
        if expect:
            assert expect in response.text, path
        selects = [(sql, args) for sql, args in seen if _reads(sql)]
        assert selects, f"{path} ran no SELECT"
        found = []
        partial = await partial_indexes()
        for sql, args in selects:
            if bad := await problems(sql, args, partial):
                found.append(f"{path}\n  {sql}\n  -> {'; '.join(bad)}")
        assert not found, "\n".join(found)


# --- the pages ------------------------------------------------------------------------------


async def test_the_case_board_with_its_filters_and_pages(client: AsyncTestClient, place: Place):
    board = f"/c/{place.slug}/suggestions/"
    await assert_read_through_indexes(
        client,
        board,
        f"{board}?page=2",
        f"{board}?status=feedback",
        f"{board}?category=环境卫生&page=2",
        f"{board}?status=submitted&category=停车管理",
        expect="",
    )


async def test_the_boards_state_counts_come_from_an_index_alone(
    client: AsyncTestClient, place: Place
):
    with statements() as seen:
        assert (await client.get(f"/c/{place.slug}/suggestions/")).status_code == 200
    counts = [(sql, args) for sql, args in seen if "GROUP BY" in sql and 'FROM "case"' in sql]
    assert len(counts) == 1, seen
    if ON_POSTGRES:
        assert "Index Only Scan" in "\n".join(await pg_explain(*counts[0]))
    else:
        assert any("COVERING INDEX" in step for step in sqlite_explain(*counts[0]))


async def test_the_wish_tree(client: AsyncTestClient, place: Place):
    tree = f"/c/{place.slug}/wishes/"
    await assert_read_through_indexes(client, tree, f"{tree}?category=生活用品", expect="电风扇")


async def test_the_hall_and_a_topics_posts(client: AsyncTestClient, place: Place):
    base = f"/c/{place.slug}/hall/"
    await assert_read_through_indexes(client, base, f"{base}?page=2", expect="")
    topic = f"{base}{place.topic_id}/"
    await assert_read_through_indexes(client, topic, f"{topic}?page=2", f"{topic}posts", expect="")


async def test_the_monthly_report_public_and_for_staff(client: AsyncTestClient, place: Place):
    await assert_read_through_indexes(
        client,
        f"/c/{place.slug}/suggestions/report",
        f"/c/{place.slug}/suggestions/report?month=2026-10",
        expect="意见箱",
    )
    await sign_in(client, place.staff)
    await assert_read_through_indexes(
        client, f"/staff/c/{place.slug}/suggestions/report?month=2026-10"
    )


async def test_the_street_report(client: AsyncTestClient, place: Place):
    await sign_in(client, place.official)
    await assert_read_through_indexes(
        client, f"/staff/street/{place.street}/suggestions/report?month=2026-10"
    )


async def test_the_community_staff_queues(client: AsyncTestClient, place: Place):
    await sign_in(client, place.staff)
    await assert_read_through_indexes(
        client,
        f"/staff/c/{place.slug}/suggestions/",
        f"/staff/c/{place.slug}/wishes/",
        f"/staff/c/{place.slug}/",
    )
    # The reported reply waits there, read through the index of waiting posts alone.
    await assert_read_through_indexes(
        client, f"/staff/c/{place.slug}/hall/", expect="有人举报了一条发言（1 次），请查看"
    )


async def test_the_street_queue(client: AsyncTestClient, place: Place):
    await sign_in(client, place.official)
    await assert_read_through_indexes(
        client,
        f"/staff/street/{place.street}/suggestions/",
        f"/staff/street/{place.street}/wishes/",
        expect="",
    )


async def test_my_page(client: AsyncTestClient, place: Place):
    await sign_in(client, place.resident)
    await assert_read_through_indexes(client, "/me", "/me/messages", expect="")
