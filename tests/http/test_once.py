"""A form that creates something creates it once: ten identical submissions at once (a double
tap, retries on a flaky network) make one wish, one case, one reply, and all are shown it."""

from __future__ import annotations

import asyncio
import re

from civic.accounts.roles import Role
from civic.suggestions.tables import Case, CaseEvent
from civic.wishes.tables import Wish
from tests import builders


def _once_key(html: str) -> str:
    found = re.search(r'name="_once" value="([^"]+)"', html)
    assert found, "the form carries a one-time key"
    return found.group(1)


async def _ten_at_once(client, url: str, data: dict) -> list:
    token = await builders.csrf_token(client)
    return await asyncio.gather(
        *(client.post(url, data={**data, "_csrf_token": token}) for _ in range(10))
    )


async def test_ten_identical_filings_make_one_case(client):
    community = await builders.community()
    url = f"/c/{community.slug}/suggestions/new"
    key = _once_key((await client.get(url)).text)
    answers = await _ten_at_once(
        client,
        url,
        {"category": "环境卫生", "text": "3 号楼楼道灯坏了", "public": "1", "_once": key},
    )
    assert await Case.count() == 1
    code = (await Case.select(Case.code).first())["code"]
    assert {a.status_code for a in answers} == {303}
    assert {a.headers["location"] for a in answers} == {f"/s/{code}?filed=1"}


async def test_ten_identical_wishes_make_one(client):
    community = await builders.community()
    _, phone = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    await builders.sign_in(client, phone)
    url = f"/c/{community.slug}/wishes/new"
    key = _once_key((await client.get(url)).text)
    answers = await _ten_at_once(
        client,
        url,
        {"title": "修理厨房水龙头", "category": "维修", "value_yuan": "80", "_once": key},
    )
    assert await Wish.count() == 1
    wish_id = (await Wish.select(Wish.id).first())["id"]
    assert {a.headers["location"] for a in answers} == {f"/c/{community.slug}/wishes/{wish_id}/"}


async def test_a_refused_form_sent_again_corrected_goes_through(client):
    community = await builders.community()
    _, phone = await builders.person((Role.RESIDENT, community.id), name="李桂芳")
    await builders.sign_in(client, phone)
    url = f"/c/{community.slug}/wishes/new"
    key = _once_key((await client.get(url)).text)
    refused = await builders.post_form(
        client, url, {"title": "", "category": "维修", "value_yuan": "80", "_once": key}
    )
    assert refused.status_code == 422
    done = await builders.post_form(
        client, url, {"title": "修理水龙头", "category": "维修", "value_yuan": "80", "_once": key}
    )
    assert done.status_code == 303 and await Wish.count() == 1


async def test_ten_identical_replies_are_recorded_once(client):
    community = await builders.community()
    _, phone = await builders.person((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    await builders.post_form(
        client,
        f"/c/{community.slug}/suggestions/new",
        {"category": "环境卫生", "text": "楼道灯坏了", "public": "1"},
    )
    code = (await Case.select(Case.code).first())["code"]
    client.cookies.clear()
    await builders.sign_in(client, phone)
    key = _once_key((await client.get(f"/s/{code}")).text)
    answers = await _ten_at_once(
        client, f"/s/{code}/act", {"verb": "reply", "note": "明天上午派人来修", "_once": key}
    )
    assert {a.status_code for a in answers} == {303}
    replies = await CaseEvent.count().where(CaseEvent.verb == "reply")
    assert replies == 1
