"""Visitors' pages come from a cache (civic/web/page_cache.py) that is never stale: a change
through any connection or process shows on the very next view, and nothing that is one
person's own is ever kept or served to another."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from litestar.testing import AsyncTestClient

from civic.app import create_app
from civic.db import sqlite_path
from civic.places import service as places
from civic.places.tables import Community
from civic.settings import Settings
from civic.web.clock import FixedClock
from civic.web.page_cache import Entry, PageCache
from tests import builders
from tests.builders import text_of
from tests.conftest import ON_POSTGRES


def queries(response) -> int:  # type: ignore[no-untyped-def]
    return int(response.headers["x-query-count"])


async def hit(client: AsyncTestClient, path: str):  # type: ignore[no-untyped-def]
    """A view served from the cache. On PostgreSQL the version is the cluster's snapshot, which
    the other test workers' commits move too: a few tries find a moment between two of them."""
    for _ in range(1 if not ON_POSTGRES else 30):
        await client.get(path)
        again = await client.get(path)
        if queries(again) == 1:
            return again
    raise AssertionError(f"{path} was never served from the cache")


async def test_a_second_visitor_view_costs_one_look_at_the_data_version(client):
    community = await builders.community(name="杏花社区")
    path = f"/c/{community.slug}/"
    first = await client.get(path)
    second = await hit(client, path)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and "杏花社区" in second.text
    assert queries(first) > 1


async def test_a_change_shows_on_the_very_next_view(client):
    community = await builders.community()
    path = f"/c/{community.slug}/"
    await client.get(path)
    assert "第九网格" not in text_of((await client.get(path)).text)
    await places.create_grid(community.id, "第九网格")
    assert "第九网格" in text_of((await client.get(path)).text)


@pytest.mark.skipif(ON_POSTGRES, reason="the two-process case on PostgreSQL is the topology test")
async def test_a_change_by_another_process_shows_on_the_very_next_view(client):
    community = await builders.community(name="旧名社区")
    path = f"/c/{community.slug}/"
    await client.get(path)
    assert "旧名社区" in (await client.get(path)).text
    database = sqlite_path(Settings.from_env().database.url)
    script = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
        " db.execute('UPDATE ' + sys.argv[2] + ' SET name = ? WHERE id = ?',"
        " ('新名社区', int(sys.argv[3]))); db.commit()"
    )
    table = Community._meta.tablename
    subprocess.run(
        [sys.executable, "-c", script, str(database), table, str(community.id)], check=True
    )
    again = await client.get(path)
    assert "新名社区" in again.text and "旧名社区" not in again.text


async def test_a_signed_in_persons_page_is_neither_kept_nor_served_from_the_cache(client):
    community = await builders.community()
    path = f"/c/{community.slug}/"
    await client.get(path)
    await client.get(path)  # the visitor's copy is kept now
    _, phone = await builders.person(name="李秀英")
    await builders.sign_in(client, phone)
    theirs = await client.get(path)
    assert "/me/messages" in theirs.text and queries(theirs) > 1
    client.cookies.clear()
    visitor = await client.get(path)
    assert "/me/messages" not in visitor.text and "登录" in visitor.text


async def test_a_page_with_a_form_is_every_browsers_own(app):
    tokens = set()
    for _ in range(2):
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as browser:
            page = await browser.get("/login")
            token = browser.cookies["csrftoken"]
            assert f'value="{token}"' in page.text
            tokens.add(token)
    assert len(tokens) == 2


async def test_each_encoding_elder_mode_and_fragment_is_kept_apart(client):
    community = await builders.community(name="杏花社区")
    path = f"/c/{community.slug}/"
    for _ in range(2):
        br = await client.get(path, headers={"Accept-Encoding": "br"})
        gzip = await client.get(path, headers={"Accept-Encoding": "gzip"})
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        assert br.headers["content-encoding"] == "br"
        assert gzip.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain.headers
        assert br.text == gzip.text == plain.text  # httpx decodes each
    assert "杏花社区" in br.text
    normal = await client.get(path)
    client.cookies.set("elder", "1")
    elder = await client.get(path)
    assert 'class="elder"' in elder.text and 'class="elder"' not in normal.text
    client.cookies.delete("elder")
    boosted = await client.get(path, headers={"HX-Request": "true", "HX-Boosted": "true"})
    full = await client.get(path)
    assert "<!doctype html>" not in boosted.text and "<!doctype html>" in full.text


async def test_a_page_is_made_again_when_the_clock_moves_to_another_minute():
    clock = FixedClock(datetime(2026, 12, 2, 8, 0, 5, tzinfo=UTC))
    app = create_app(Settings.from_env(), clock=clock)
    community = await builders.community()
    path = f"/c/{community.slug}/"
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        await hit(client, path)
        clock.advance(seconds=30)  # the same minute: the same page
        await hit(client, path)
        clock.advance(seconds=30)
        assert queries(await client.get(path)) > 1


async def test_a_page_not_found_is_not_kept(client):
    first = await client.get("/c/nowhere/")
    again = await client.get("/c/nowhere/")
    assert first.status_code == again.status_code == 404
    assert queries(again) == queries(first) > 1  # looked up again, not replayed


def test_the_cache_keeps_within_its_bytes_dropping_the_least_recently_used():
    cache = PageCache(max_bytes=250)
    stamp = ("v1", 1)
    start = {"type": "http.response.start", "status": 200, "headers": []}
    for name in ("a", "b"):
        cache.put(name, Entry(stamp, start, b"x" * 100))  # type: ignore[arg-type]
    assert cache.get("a", stamp) is not None  # "a" is now the most recently used
    cache.put("c", Entry(stamp, start, b"x" * 100))  # type: ignore[arg-type]
    assert cache.get("b", stamp) is None
    assert cache.get("a", stamp) is not None and cache.get("c", stamp) is not None
    assert cache.size == 200
    # Another data version or minute: the entry is gone, not served.
    assert cache.get("a", ("v2", 1)) is None and cache.get("a", stamp) is None
    assert cache.size == 100
