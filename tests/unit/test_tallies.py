"""The counts the workflow engine keeps as records move: the wish figures right after every
kind of move, under a race of many moves in one community, and for wishes that were there
before the counting began (the migration counts them once); and a timed state that records
also leave."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.web.tables import Tally
from civic.wishes import queries, service
from civic.wishes.tables import Helper, HelperEvent, Wish, WishEvent
from civic.wishes.workflow import WISHES, S
from civic.workflow import COUNTED, Group, State, Workflow, move
from tests import builders
from tests.tallies import differences

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


async def _viewer(*roles: tuple[Role, int], name: str) -> Viewer:
    person_id, _ = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def _helper(community: int, name: str) -> Viewer:
    person = await _viewer((Role.RESIDENT, community), (Role.PARTY_MEMBER, community), name=name)
    report = await service.report(
        person.id, community, Helper.Kind.MEMBER, name, work_unit="区医院"
    )
    staff = await _viewer((Role.COMMUNITY_STAFF, community), name="审核人")
    await service.decide_report(staff, report, verified=True, now=NOW)
    found = await load_viewer(person.id)
    assert found is not None
    return found


async def _published(community: int, owner: Viewer, staff: Viewer, title: str, at: datetime) -> int:
    wish = await service.submit_wish(owner, community, owner.id, title, "", "维修", 50, at)
    await service.move(staff, wish, S.PUBLISHED, at)
    return wish


async def test_every_kind_of_move_shows_in_the_figures_and_the_migration_counts_the_same():
    street = await builders.street(await builders.district())
    here = (await builders.community(street)).id
    staff = await _viewer((Role.COMMUNITY_STAFF, here), name="王秀兰")
    owner = await _viewer((Role.RESIDENT, here), name="李桂芳")
    helper = await _helper(here, "黄志远")

    day = timedelta(days=1)
    first = await _published(here, owner, staff, "修水龙头", NOW)
    second = await _published(here, owner, staff, "换灯泡", NOW + day)
    third = await _published(here, owner, staff, "送药", NOW + day)
    withdrawn = await _published(here, owner, staff, "陪同看病", NOW)
    await service.submit_wish(owner, here, owner.id, "还在审核", "", "维修", 10, NOW)

    await service.claim(helper, first, NOW + day)
    await service.move(helper, first, S.FULFILLED, NOW + 2 * day, note="修好了")
    await service.move(owner, first, S.CONFIRMED, NOW + 3 * day)  # three days after publication
    await service.claim(helper, second, NOW + day)
    await service.move(helper, second, S.FULFILLED, NOW + 2 * day, note="换好了")
    await service.move(staff, second, S.CONFIRMED, NOW + 6 * day)  # five days after
    await service.claim(helper, third, NOW + 2 * day)
    await service.move(helper, third, S.PUBLISHED, NOW + 2 * day)  # given back
    await service.claim(helper, third, NOW + 3 * day)
    await service.move(owner, withdrawn, S.WITHDRAWN, NOW + day)

    figures = await queries.figures(here)
    shown = (figures.published, figures.claimed, figures.fulfilled, figures.confirmed)
    assert shown == (4, 1, 0, 2)
    assert figures.average_days == 4.0
    assert figures.verified_members == 1

    counted = await WISHES.counted()
    assert differences(await WISHES.tallies(), counted) == []

    # Wishes from before the counting: the migration counts them from the rows and events.
    await Tally.delete(force=True)
    assert (await queries.figures(here)).published == 0
    migration = importlib.import_module("migrations.wishes.wishes_2026_12_03t14_16_00_000000")
    for step in (await migration.forwards()).raw:
        await step()
    again = await queries.figures(here)
    assert (again.published, again.claimed, again.fulfilled, again.confirmed) == shown
    assert again.average_days == 4.0
    assert differences(await WISHES.tallies(), counted) == []


async def test_many_claims_and_give_backs_at_once_in_one_community_lose_no_count():
    """Claims (待认领 → 已认领) and give-backs (已认领 → 待认领) add to the same two rows of
    the community's tally from opposite sides at the same moment: each is counted, and on
    PostgreSQL none waits for another for ever."""
    street = await builders.street(await builders.district())
    here = (await builders.community(street)).id
    staff = await _viewer((Role.COMMUNITY_STAFF, here), name="王秀兰")
    owner = await _viewer((Role.RESIDENT, here), name="李桂芳")
    pairs = 8
    helpers = [await _helper(here, f"党员{n}") for n in range(2 * pairs)]
    wishes = [await _published(here, owner, staff, f"心愿{n}", NOW) for n in range(2 * pairs)]
    for helper, wish in zip(helpers[:pairs], wishes[:pairs], strict=True):
        await service.claim(helper, wish, NOW)

    later = NOW + timedelta(hours=1)
    await asyncio.gather(
        *(
            service.move(helper, wish, S.PUBLISHED, later)
            for helper, wish in zip(helpers[:pairs], wishes[:pairs], strict=True)
        ),
        *(
            service.claim(helper, wish, later)
            for helper, wish in zip(helpers[pairs:], wishes[pairs:], strict=True)
        ),
    )

    figures = await queries.figures(here)
    assert (figures.published, figures.claimed) == (2 * pairs, pairs)
    tallied = (await WISHES.tallies())[here]
    assert tallied[S.PUBLISHED].n == pairs
    assert tallied["published>claimed"].n == 2 * pairs
    assert tallied["claimed>published"].n == pairs


@pytest.fixture
def reviews() -> Iterator[Workflow[Any]]:
    """A counted workflow of the engine's own, on the helpers' reports: a timed state that is
    also left (verified → revoked), which no wish does."""
    h = Helper.Status
    declared = Workflow(
        table=Helper,
        events=HelperEvent,
        subject="helper",
        states=[
            State(h.PENDING, "待审", Group.OPEN),
            State(h.VERIFIED, "通过", Group.DONE, Helper.decided_at, since=Helper.created_at),
            State(h.REVOKED, "撤销", Group.CLOSED),
        ],
        moves=[
            move("verify", {h.PENDING}, h.VERIFIED, {"staff"}),
            move("revoke", {h.VERIFIED}, h.REVOKED, {"staff"}),
        ],
        tally_by=Helper.community,
    )
    yield declared
    COUNTED.remove(declared)


async def test_a_timed_state_counts_its_days_in_and_takes_them_out_on_leaving(reviews):
    here = (await builders.community(await builders.street(await builders.district()))).id
    day = timedelta(days=1)
    made = []
    for n in range(3):
        person, _ = await builders.person((Role.RESIDENT, here), name=f"党员{n}")
        record = Helper(person=person, community=here, kind=Helper.Kind.MEMBER, name=f"党员{n}")
        record.created_at = NOW
        made.append(await reviews.create(record, actor_id=None, now=NOW, verb="report"))

    async def row(helper: dict) -> dict:
        found = await Helper.select().where(Helper.id == helper["id"]).first()
        assert found is not None
        return found

    await reviews.apply(await row(made[0]), "verify", actor_id=None, now=NOW + 2 * day)
    await reviews.apply(await row(made[1]), "verify", actor_id=None, now=NOW + 4 * day)
    verified = (await reviews.tallies())[here][Helper.Status.VERIFIED]
    assert (verified.n, verified.timed, round(verified.days, 6)) == (2, 2, 6.0)

    await reviews.apply(await row(made[0]), "revoke", actor_id=None, now=NOW + 5 * day)
    counts = (await reviews.tallies())[here]
    verified = counts[Helper.Status.VERIFIED]
    assert (verified.n, verified.timed, round(verified.days, 6)) == (1, 1, 4.0)
    assert counts[Helper.Status.PENDING].n == 1 and counts[Helper.Status.REVOKED].n == 1
    assert counts[">pending"].n == 3 and counts["pending>verified"].n == 2
    assert counts["verified>revoked"].n == 1
    assert differences(await reviews.tallies(), await reviews.counted()) == []

    # A row read without the times the count needs: the move is refused and leaves nothing.
    partial = await Helper.select(Helper.id, Helper.status, Helper.version).where(
        Helper.id == made[1]["id"]
    )
    with pytest.raises(ValueError, match="created_at"):
        await reviews.apply(partial[0], "revoke", actor_id=None, now=NOW + 6 * day)
    assert (await row(made[1]))["status"] == Helper.Status.VERIFIED
    assert differences(await reviews.tallies(), await reviews.counted()) == []


def test_one_table_is_counted_by_one_workflow():
    with pytest.raises(ValueError, match="counted already"):
        Workflow(
            table=Wish,
            events=WishEvent,
            subject="wish",
            states=[],
            moves=[],
            tally_by=Wish.community,
        )
