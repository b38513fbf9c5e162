"""微心愿 rules: every move for every kind of person, claims under a race, deadlines."""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.errors import DomainError, InvalidTransition, NotAllowed
from civic.wishes import service
from civic.wishes.tables import Helper, Wish, WishEvent
from civic.wishes.workflow import WISHES, S
from tests import builders

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def viewer(*roles: tuple[Role, int], name: str = "张三丰") -> Viewer:
    person_id, _ = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def helper_in(community_id: int, name: str = "黄志远") -> Viewer:
    person = await viewer(
        (Role.RESIDENT, community_id), (Role.PARTY_MEMBER, community_id), name=name
    )
    helper_id = await service.report(
        person.id, community_id, Helper.Kind.MEMBER, name, work_unit="区医院"
    )
    await Helper.update({Helper.status: Helper.Status.VERIFIED}).where(Helper.id == helper_id)
    return person


@dataclass
class World:
    community: int
    staff: Viewer
    staff_elsewhere: Viewer
    owner: Viewer
    neighbour: Viewer
    claimer: Viewer
    other_helper: Viewer


@pytest.fixture
async def world() -> World:
    street = await builders.street(await builders.district())
    here, there = await builders.community(street), await builders.community(street)
    return World(
        community=here.id,
        staff=await viewer((Role.COMMUNITY_STAFF, here.id), name="王秀兰"),
        staff_elsewhere=await viewer((Role.COMMUNITY_STAFF, there.id), name="刘志强"),
        owner=await viewer((Role.RESIDENT, here.id), name="李桂芳"),
        neighbour=await viewer((Role.RESIDENT, here.id), name="张福林"),
        claimer=await helper_in(here.id),
        other_helper=await helper_in(here.id, name="林晓梅"),
    )


async def wish_in(world: World, status: S = S.SUBMITTED, title: str = "修理厨房水龙头") -> int:
    wish_id = await service.submit_wish(
        world.owner, world.community, world.owner.id, title, "", "维修", 80, NOW
    )
    changes: dict = {Wish.status: status}
    if status in {S.CLAIMED, S.FULFILLED, S.CONFIRMED}:
        helper_id = await service.verified_helper(world.claimer.id, world.community)
        changes.update({Wish.claimed_by: helper_id, Wish.claim_deadline: NOW + timedelta(days=7)})
    await Wish.update(changes).where(Wish.id == wish_id)
    await WISHES.recount()  # moved around the engine: its figures counted again
    return wish_id


ACTORS = ["staff", "staff_elsewhere", "owner", "neighbour", "claimer", "other_helper", "visitor"]
# Who may move a wish from one state to another, worked out from the product's rules rather
# than read from the table under test. Claiming has its own tests below.
WHO_MAY = {
    (S.SUBMITTED, S.PUBLISHED): {"staff"},
    (S.SUBMITTED, S.RETURNED): {"staff"},
    (S.SUBMITTED, S.REJECTED): {"staff"},
    (S.RETURNED, S.SUBMITTED): {"staff", "owner"},
    (S.CLAIMED, S.PUBLISHED): {"claimer"},
    (S.CLAIMED, S.FULFILLED): {"claimer"},
    (S.FULFILLED, S.CONFIRMED): {"staff", "owner"},
    (S.SUBMITTED, S.WITHDRAWN): {"staff", "owner"},
    (S.RETURNED, S.WITHDRAWN): {"staff", "owner"},
    (S.PUBLISHED, S.WITHDRAWN): {"staff", "owner"},
    # Moves nobody may make.
    (S.PUBLISHED, S.CONFIRMED): set(),
    (S.CONFIRMED, S.PUBLISHED): set(),
    (S.REJECTED, S.SUBMITTED): set(),
    (S.WITHDRAWN, S.PUBLISHED): set(),
    (S.FULFILLED, S.PUBLISHED): set(),
    (S.CLAIMED, S.WITHDRAWN): set(),
}
MOVES = list(WHO_MAY)


@pytest.mark.parametrize(("current", "target"), MOVES, ids=lambda s: s.value)
@pytest.mark.parametrize("actor", ACTORS)
async def test_every_move_for_every_person(world, current, target, actor):
    wish_id = await wish_in(world, current)
    who = None if actor == "visitor" else getattr(world, actor)
    if actor in WHO_MAY[(current, target)]:
        await service.move(who, wish_id, target, NOW, note="原因或说明")
        assert (await Wish.select(Wish.status).where(Wish.id == wish_id).first())["status"] == (
            target
        )
        event = (
            await WishEvent.select()
            .where(WishEvent.wish == wish_id)
            .order_by(WishEvent.id, ascending=False)
            .first()
        )
        assert (event["from_status"], event["to_status"]) == (current, target)
        assert event["actor"] == (who.id if who else None)
    else:
        with pytest.raises(NotAllowed):
            await service.move(who, wish_id, target, NOW, note="原因或说明")
        assert (await Wish.select(Wish.status).where(Wish.id == wish_id).first())["status"] == (
            current
        )


@pytest.mark.parametrize("current", [s for s in S if s is not S.PUBLISHED])
async def test_only_a_published_wish_can_be_claimed(world, current):
    wish_id = await wish_in(world, current)
    with pytest.raises(InvalidTransition):
        await service.claim(world.other_helper, wish_id, NOW)


async def test_claiming_needs_a_verified_report(world):
    wish_id = await wish_in(world, S.PUBLISHED)
    pending = await viewer((Role.PARTY_MEMBER, world.community))
    await service.report(pending.id, world.community, Helper.Kind.MEMBER, "未审核")
    for person in (pending, world.neighbour, world.staff):
        with pytest.raises(NotAllowed):
            await service.claim(person, wish_id, NOW)


async def test_returning_or_rejecting_needs_a_reason(world):
    wish_id = await wish_in(world)
    with pytest.raises(DomainError, match="请写明原因"):
        await service.move(world.staff, wish_id, S.RETURNED, NOW, note=" ")


async def test_a_wish_over_the_value_cap_is_refused(world):
    with pytest.raises(DomainError, match="不超过 500 元"):
        await service.submit_wish(
            world.owner, world.community, world.owner.id, "新电视", "", "生活用品", 3000, NOW
        )


async def test_only_helpers_of_the_community_may_post_for_someone_else(world):
    with pytest.raises(NotAllowed):
        await service.submit_wish(
            world.neighbour, world.community, world.owner.id, "老花镜", "", "助老", 50, NOW
        )
    leader = await viewer((Role.BUILDING_LEADER, world.community))
    wish_id = await service.submit_wish(
        leader, world.community, world.owner.id, "老花镜", "", "助老", 50, NOW
    )
    row = await Wish.select(Wish.beneficiary, Wish.posted_by).where(Wish.id == wish_id).first()
    assert row == {"beneficiary": world.owner.id, "posted_by": leader.id}


async def test_fifty_helpers_tapping_the_same_leaf_one_gets_it(world):
    wish_id = await wish_in(world, S.PUBLISHED)
    helpers = [await helper_in(world.community, name=f"党员{n}") for n in range(50)]
    results = await asyncio.gather(
        *(service.claim(h, wish_id, NOW) for h in helpers), return_exceptions=True
    )
    winners = [r for r in results if r is None]
    losers = [r for r in results if r is not None]
    assert len(winners) == 1
    assert all(isinstance(r, InvalidTransition) and "有人比您快了一步" in r.message for r in losers)
    assert (
        await WishEvent.count().where(
            (WishEvent.wish == wish_id) & (WishEvent.to_status == S.CLAIMED)
        )
        == 1
    )
    row = await Wish.select(Wish.status, Wish.claimed_by).where(Wish.id == wish_id).first()
    assert row["status"] == S.CLAIMED and row["claimed_by"] is not None
    # The figures' count of claims: one, the winner's, and none for the fifty who lost.
    tallies = await Helper.select(Helper.id, Helper.claims).where(Helper.claims > 0)
    assert tallies == [{"id": row["claimed_by"], "claims": 1}]


async def test_the_open_claim_cap_holds_when_one_helper_claims_many_at_once(world):
    wishes = [await wish_in(world, S.PUBLISHED, title=f"心愿{n}") for n in range(8)]
    results = await asyncio.gather(
        *(service.claim(world.claimer, w, NOW) for w in wishes), return_exceptions=True
    )
    assert sum(r is None for r in results) == service.MAX_OPEN_CLAIMS
    helper_id = await service.verified_helper(world.claimer.id, world.community)
    assert (
        await Wish.count().where((Wish.claimed_by == helper_id) & (Wish.status == S.CLAIMED))
        == service.MAX_OPEN_CLAIMS
    )
    counted = await Helper.select(Helper.claims).where(Helper.id == helper_id).first()
    assert counted == {"claims": service.MAX_OPEN_CLAIMS}


async def test_a_double_tap_claims_once(world):
    wish_id = await wish_in(world, S.PUBLISHED)
    results = await asyncio.gather(
        service.claim(world.claimer, wish_id, NOW),
        service.claim(world.claimer, wish_id, NOW),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 1
    assert await WishEvent.count().where(WishEvent.to_status == S.CLAIMED) == 1


async def test_a_claim_past_its_deadline_goes_back_to_the_tree(world):
    wish_id = await wish_in(world, S.PUBLISHED)
    await service.claim(world.claimer, wish_id, NOW)
    later = NOW + timedelta(days=service.CLAIM_DAYS, minutes=1)
    assert await service.release_expired(NOW + timedelta(days=6)) == 0
    with pytest.raises(InvalidTransition, match="认领已过期"):
        await service.move(world.claimer, wish_id, S.FULFILLED, later, note="送去了")
    row = await Wish.select(Wish.status, Wish.claimed_by).where(Wish.id == wish_id).first()
    assert row == {"status": S.PUBLISHED, "claimed_by": None}
    event = (
        await WishEvent.select()
        .where(WishEvent.wish == wish_id)
        .order_by(WishEvent.id, ascending=False)
        .first()
    )
    assert event["actor"] is None and "自动回到心愿树" in event["note"]
    await service.claim(world.other_helper, wish_id, later)


async def test_the_sweep_releases_every_expired_claim(world):
    wishes = [await wish_in(world, S.PUBLISHED, title=f"心愿{n}") for n in range(3)]
    for w in wishes:
        await service.claim(world.claimer, w, NOW)
    later = NOW + timedelta(days=8)
    assert await service.release_expired(later) == 3
    assert await service.release_expired(later) == 0
    assert await Wish.count().where(Wish.status == S.PUBLISHED) == 3


async def test_staff_of_another_community_cannot_verify_a_report(world):
    person = await viewer((Role.PARTY_MEMBER, world.community))
    helper_id = await service.report(
        person.id, world.community, Helper.Kind.ORGANISATION, "杏花便民超市"
    )
    with pytest.raises(NotAllowed):
        await service.decide_report(world.staff_elsewhere, helper_id, True, NOW)
    await service.decide_report(world.staff, helper_id, True, NOW)
    assert await service.verified_helper(person.id, world.community) == helper_id
    await service.decide_report(world.staff, helper_id, False, NOW, reason="已调离")
    status = await Helper.select(Helper.status).where(Helper.id == helper_id).first()
    assert status["status"] == Helper.Status.REVOKED


async def test_a_community_sets_its_own_value_cap(world):
    assert await service.value_cap(world.community) == service.VALUE_CAP == 500
    for someone in (world.staff_elsewhere, world.owner, world.claimer):
        with pytest.raises(NotAllowed):
            await service.set_value_cap(someone, world.community, 800, NOW)
    for wrong in (0, -5, service.HIGHEST_VALUE_CAP + 1):
        with pytest.raises(DomainError, match="请填写 1 到 5000 之间的整数"):
            await service.set_value_cap(world.staff, world.community, wrong, NOW)
    await service.set_value_cap(world.staff, world.community, 200, NOW)
    await service.set_value_cap(world.staff, world.community, 300, NOW)  # changed again
    assert await service.value_cap(world.community) == 300
    with pytest.raises(DomainError, match="不超过 300 元"):
        await service.submit_wish(
            world.owner, world.community, world.owner.id, "电风扇", "", "生活用品", 301, NOW
        )
    await service.submit_wish(
        world.owner, world.community, world.owner.id, "电风扇", "", "生活用品", 300, NOW
    )


async def test_a_resubmitted_wish_is_checked_against_the_cap_of_today(world):
    wish_id = await wish_in(world, S.RETURNED)
    await service.set_value_cap(world.staff, world.community, 50, NOW)
    with pytest.raises(DomainError, match="不超过 50 元"):
        await service.move(world.owner, wish_id, S.SUBMITTED, NOW, edits={"value_yuan": 80})
    await service.move(world.owner, wish_id, S.SUBMITTED, NOW, edits={"value_yuan": 50})


async def test_revoking_a_helper_gives_their_open_claims_back_to_the_tree(world):
    claimed = [await wish_in(world, S.PUBLISHED, title=f"心愿{n}") for n in range(2)]
    done = await wish_in(world, S.PUBLISHED, title="已完成的心愿")
    for wish_id in [*claimed, done]:
        await service.claim(world.claimer, wish_id, NOW)
    await service.move(world.claimer, done, S.FULFILLED, NOW, note="送到了")
    helper_id = await service.verified_helper(world.claimer.id, world.community)
    later = NOW + timedelta(hours=3)

    await service.decide_report(world.staff, helper_id, False, later, reason="已调离本社区")

    helper = await Helper.select(Helper.status, Helper.reason).where(Helper.id == helper_id).first()
    assert helper == {"status": Helper.Status.REVOKED, "reason": "已调离本社区"}
    rows = await Wish.select(Wish.id, Wish.status, Wish.claimed_by, Wish.claim_deadline).where(
        Wish.id.is_in(claimed)
    )
    assert all(
        (r["status"], r["claimed_by"], r["claim_deadline"]) == (S.PUBLISHED, None, None)
        for r in rows
    )
    events = await WishEvent.select().where(
        WishEvent.wish.is_in(claimed) & (WishEvent.to_status == S.PUBLISHED)
    )
    events = [e for e in events if e["from_status"] == S.CLAIMED]
    assert len(events) == 2
    # The wish's history is public: it says what happened, the reason stays on the report.
    assert all(e["actor"] == world.staff.id for e in events)
    assert all("撤销" in e["note"] and "已调离本社区" not in e["note"] for e in events)
    assert all("报到已被社区撤销" in e["note"] for e in events)
    # What was already done stays done, and stays theirs.
    fulfilled = await Wish.select(Wish.status, Wish.claimed_by).where(Wish.id == done).first()
    assert fulfilled == {"status": S.FULFILLED, "claimed_by": helper_id}
    # The wishes are open to others; the revoked helper may claim nothing.
    await service.claim(world.other_helper, claimed[0], later)
    with pytest.raises(NotAllowed):
        await service.claim(world.claimer, claimed[1], later)


async def test_a_claim_and_a_revocation_at_the_same_moment_leave_no_claim_behind(world):
    """Whichever comes first, a revoked helper holds no open claim afterwards."""
    for attempt in range(5):
        wish_id = await wish_in(world, S.PUBLISHED, title=f"心愿{attempt}")
        person = await helper_in(world.community, name=f"党员{attempt}")
        helper_id = await service.verified_helper(person.id, world.community)
        await asyncio.gather(
            service.claim(person, wish_id, NOW),
            service.decide_report(world.staff, helper_id, False, NOW, reason="撤销"),
            return_exceptions=True,
        )
        assert (
            await Wish.count().where((Wish.claimed_by == helper_id) & (Wish.status == S.CLAIMED))
            == 0
        )


async def test_claims_and_fulfilments_are_counted_as_they_happen_and_by_the_backfill(world):
    """Each helper's figures: counted in the move's transaction, and for rows made before the
    counting began, once by the migration from their events; both give the same numbers."""
    first, second, third = [await wish_in(world, S.PUBLISHED, title=f"心愿{n}") for n in range(3)]
    await service.claim(world.claimer, first, NOW)
    await service.move(world.claimer, first, S.FULFILLED, NOW, note="已修好")
    await service.claim(world.claimer, second, NOW)
    await service.move(world.claimer, second, S.PUBLISHED, NOW)  # gave it back
    await service.claim(world.other_helper, second, NOW)
    await service.claim(world.claimer, third, NOW)

    async def tallies() -> dict[str, tuple[int, int]]:
        rows = await Helper.select(Helper.name, Helper.claims, Helper.fulfilments)
        return {r["name"]: (r["claims"], r["fulfilments"]) for r in rows}

    expected = {"黄志远": (3, 1), "林晓梅": (1, 0)}
    assert await tallies() == expected

    await Helper.update({Helper.claims: 0, Helper.fulfilments: 0}, force=True)
    backfill = importlib.import_module("migrations.wishes.wishes_2026_12_02t15_10_00_000000")
    manager = await backfill.forwards()
    for step in manager.raw:
        await step()
    assert await tallies() == expected
