"""The clocks run in every worker on their own (civic/sweeps.py), not when a page is viewed: a
claim that ran out goes back to the tree within one sweep interval, with nobody looking, and
a view of the tree writes nothing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from litestar.testing import AsyncTestClient

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.app import create_app
from civic.settings import Settings
from civic.web.clock import FixedClock
from civic.wishes import service as wishes
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import S
from tests import builders
from tests.builders import text_of

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def claimed_wish(community_id: int) -> int:
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, community_id))
    owner_id, _ = await builders.person((Role.RESIDENT, community_id))
    member_id, _ = await builders.person((Role.PARTY_MEMBER, community_id), name="黄志远")
    staff, owner, member = [await load_viewer(i) for i in (staff_id, owner_id, member_id)]
    helper_id = await wishes.report(member_id, community_id, Helper.Kind.MEMBER, "黄志远")
    await wishes.decide_report(staff, helper_id, True, NOW)
    wish_id = await wishes.submit_wish(
        owner, community_id, owner_id, "修理水龙头", "", "维修", 80, NOW
    )
    await wishes.move(staff, wish_id, S.PUBLISHED, NOW)
    await wishes.claim(member, wish_id, NOW)
    return wish_id


async def status(wish_id: int) -> str:
    row = await Wish.select(Wish.status).where(Wish.id == wish_id).first()
    assert row is not None
    return str(row["status"])


async def test_a_claim_that_ran_out_is_released_by_the_worker_with_nobody_looking():
    c = await builders.community()
    wish_id = await claimed_wish(c.id)
    clock = FixedClock(NOW + timedelta(days=wishes.CLAIM_DAYS, hours=1))
    app = create_app(replace(Settings.from_env(), sweep_seconds=1), clock=clock)
    async with AsyncTestClient(app=app):
        for _ in range(50):
            if await status(wish_id) == S.PUBLISHED:
                break
            await asyncio.sleep(0.1)
    assert await status(wish_id) == S.PUBLISHED


async def test_viewing_the_tree_and_the_wish_writes_nothing_and_shows_the_claim_ran_out():
    c = await builders.community()
    wish_id = await claimed_wish(c.id)
    clock = FixedClock(NOW)
    app = create_app(replace(Settings.from_env(), sweep_seconds=0), clock=clock)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        # Within its seven days the claim is the helper's.
        claimed = text_of((await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).text)
        assert "状态 已认领" in claimed and "认领人 黄**" in claimed
        # An hour past them, before any sweep: the wish waits for a helper again, everywhere.
        clock.advance(days=wishes.CLAIM_DAYS, hours=1)
        tree = text_of((await client.get(f"/c/{c.slug}/wishes/")).text)
        assert "修理水龙头（待认领）" in tree and "1 个待认领、0 个已认领" in tree
        wish = text_of((await client.get(f"/c/{c.slug}/wishes/{wish_id}/")).text)
        assert "状态 待认领" in wish and "认领人" not in wish and "登录后认领这个心愿" in wish
    assert await status(wish_id) == S.CLAIMED  # written back by the sweep, not by a view
