"""Votes on a topic: who may vote, one vote per voter under a race, changing a vote, paper
ballots, and what the topic page is given (in at most two queries)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import Viewer, load_viewer
from civic.db import counting_queries
from civic.errors import DomainError, InvalidTransition, NotAllowed
from civic.hall import service, votes
from civic.hall.tables import Meeting, Topic, Vote, VoteOption
from civic.hall.workflow import Verb
from civic.places import service as places
from civic.places.tables import Household
from tests import builders

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


async def viewer(person_id: int) -> Viewer:
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def household(building_id: int, door: str, area_dm2: int) -> int:
    rows = await Household.insert(
        Household(building=building_id, door=door, area_dm2=area_dm2, key=f"{building_id}{door}")
    ).returning(Household.id)
    return rows[0]["id"]


async def resident(
    community_id: int,
    household_id: int | None,
    name: str,
    *,
    head: bool = False,
    confirmed: bool = True,
) -> Viewer:
    person_id, _phone = await builders.person((Role.RESIDENT, community_id), name=name)
    await Person.update(
        {
            Person.household: household_id,
            Person.household_head: head,
            Person.household_confirmed_at: NOW - timedelta(days=3) if confirmed else None,
        }
    ).where(Person.id == person_id)
    return await viewer(person_id)


@dataclass
class World:
    community: int
    building: int
    other_building: int
    staff: Viewer
    home: int
    """Household 1-101, 90.50 m², with three confirmed residents: 李桂芳 the head, 李明, 李华."""
    head: Viewer
    family: list[Viewer]
    neighbour_home: int
    neighbour: Viewer
    elsewhere: Viewer
    """A confirmed resident of another building."""


@pytest.fixture
async def world() -> World:
    community = await builders.community()
    building = await places.create_building(community.id, "1号楼")
    other_building = await places.create_building(community.id, "2号楼")
    staff_id, _phone = await builders.person((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    home = await household(building, "101", 9050)
    neighbour_home = await household(building, "102", 12000)
    far_home = await household(other_building, "201", 8000)
    head = await resident(community.id, home, "李桂芳", head=True)
    family = [
        head,
        await resident(community.id, home, "李明"),
        await resident(community.id, home, "李华"),
    ]
    return World(
        community=community.id,
        building=building,
        other_building=other_building,
        staff=await viewer(staff_id),
        home=home,
        head=head,
        family=family,
        neighbour_home=neighbour_home,
        neighbour=await resident(community.id, neighbour_home, "张福林", head=True),
        elsewhere=await resident(community.id, far_home, "赵建国", head=True),
    )


async def voting_topic(
    w: World,
    counting: Topic.Counting,
    *,
    scope: Topic.Scope = Topic.Scope.BUILDING,
    threshold: Topic.Threshold = Topic.Threshold.MAJORITY,
    tally_while_open: bool = True,
    vote_until: datetime | None = None,
) -> dict[str, Any]:
    given = service.TopicInput(
        "加装电梯",
        "一号楼加装电梯，费用按楼层分摊。",
        scope=scope,
        building_id=w.building if scope is Topic.Scope.BUILDING else None,
    )
    topic = await service.open_topic(w.staff, w.community, given, NOW - timedelta(days=10))
    await service.set_up_vote(
        w.staff,
        topic,
        service.VoteSetup(counting, threshold, tally_while_open, vote_until),
        NOW - timedelta(days=10),
    )
    for verb in (Verb.DELIBERATE, Verb.OPEN_VOTE):
        await service.step(w.staff, await service.load(topic["id"], w.community), verb, NOW)
    return await service.load(topic["id"], w.community)


async def option_ids(topic: dict[str, Any]) -> dict[str, int]:
    rows = await VoteOption.select(VoteOption.id, VoteOption.label).where(
        VoteOption.topic == topic["id"]
    )
    return {r["label"]: r["id"] for r in rows}


async def vote_rows(topic: dict[str, Any]) -> list[dict[str, Any]]:
    return await Vote.select(*Vote.all_columns()).where(Vote.topic == topic["id"])


async def test_thirty_taps_by_one_resident_leave_one_vote(world):
    topic = await voting_topic(world, Topic.Counting.PERSON)
    yes = (await option_ids(topic))["同意"]
    results = await asyncio.gather(
        *(votes.cast(world.neighbour, topic, yes, NOW) for _ in range(30)),
        return_exceptions=True,
    )
    assert sorted(map(str, results)) == ["cast"] + ["changed"] * 29
    rows = await vote_rows(topic)
    assert len(rows) == 1
    assert rows[0]["voter"] == f"{topic['id']}:p{world.neighbour.id}"
    assert rows[0]["person"] == world.neighbour.id
    assert rows[0]["option"] == yes
    # Every vote moved the topic page's ETag on, inside its transaction.
    assert (await service.load(topic["id"], world.community))["changed"] == topic["changed"] + 30


async def test_a_household_and_a_paper_ballot_racing_leave_the_first_vote(world):
    topic = await voting_topic(world, Topic.Counting.HOUSEHOLD)
    ids = await option_ids(topic)
    # Ten more confirmed residents of the same home: thirty taps among them.
    residents = [*world.family]
    for n in range(7):
        residents.append(await resident(world.community, world.home, f"李{n}号"))
    taps = [votes.cast(residents[i % len(residents)], topic, ids["同意"], NOW) for i in range(30)]
    paper = votes.enter_paper(world.staff, topic, world.home, ids["不同意"], None, NOW)
    results = await asyncio.gather(*taps, paper, return_exceptions=True)
    rows = await vote_rows(topic)
    assert len(rows) == 1
    vote = rows[0]
    assert vote["voter"] == f"{topic['id']}:h{world.home}"
    assert vote["household"] == world.home
    assert vote["area_dm2"] == 9050
    refused = [r for r in results if isinstance(r, DomainError)]
    assert all(isinstance(r, votes.AlreadyVoted) for r in refused)
    if vote["entered_by"] is not None:  # the paper ballot came first
        assert vote["option"] == ids["不同意"] and vote["person"] is None
        assert len(refused) == 30
        assert all("王** 于 12月01日 10:00 录入纸质票" in r.message for r in refused)
    else:
        winner = next(p for p in residents if p.id == vote["person"])
        # The winner's own further taps change their vote (the same row); everyone else of
        # the home and the paper ballot are told who voted.
        taps_by_winner = sum(1 for i in range(30) if residents[i % len(residents)] is winner)
        assert len(refused) == 31 - taps_by_winner
        masked = winner.name[0] + "*" * (len(winner.name) - 1)
        assert all(f"{masked} 于 12月01日 10:00 在网上投票" in r.message for r in refused)
        assert any(r.message.startswith("这一户已经投过票") for r in refused)


async def test_changing_a_vote_keeps_one_row_with_the_new_option(world):
    topic = await voting_topic(world, Topic.Counting.HOUSEHOLD)
    ids = await option_ids(topic)
    assert await votes.cast(world.family[1], topic, ids["同意"], NOW) == "cast"
    assert await votes.cast(world.family[1], topic, ids["不同意"], LATER) == "changed"
    rows = await vote_rows(topic)
    assert len(rows) == 1
    assert rows[0]["option"] == ids["不同意"]
    assert rows[0]["cast_at"] == NOW
    assert rows[0]["changed_at"] == LATER
    # Another resident of the home may not change it, and is told who voted.
    with pytest.raises(votes.AlreadyVoted) as refused:
        await votes.cast(world.head, topic, ids["同意"], LATER)
    assert refused.value.message == (
        "您家已经投过票：李* 于 12月01日 10:00 在网上投票。每户一票，以先投的为准。"
    )
    assert (await vote_rows(topic))[0]["option"] == ids["不同意"]


async def test_an_unconfirmed_household_link_is_refused(world):
    topic = await voting_topic(world, Topic.Counting.HOUSEHOLD)
    newcomer = await resident(world.community, world.neighbour_home, "孙立", confirmed=False)
    with pytest.raises(NotAllowed) as refused:
        await votes.cast(newcomer, topic, (await option_ids(topic))["同意"], NOW)
    assert refused.value.message == "您登记的门牌还在等社区确认，确认后就能投票。"
    assert await vote_rows(topic) == []


async def test_a_resident_of_another_building_is_refused_on_a_building_topic(world):
    for counting in Topic.Counting:
        topic = await voting_topic(world, counting)
        with pytest.raises(NotAllowed) as refused:
            await votes.cast(world.elsewhere, topic, (await option_ids(topic))["同意"], NOW)
        assert "这栋楼的住户" in refused.value.message
        assert await vote_rows(topic) == []


async def test_head_only_counting_refuses_the_other_residents(world):
    topic = await voting_topic(world, Topic.Counting.HEAD)
    yes = (await option_ids(topic))["同意"]
    with pytest.raises(NotAllowed) as refused:
        await votes.cast(world.family[2], topic, yes, NOW)
    assert refused.value.message == "这项表决每户由户长投票，请和您家户长商量。"
    assert await votes.cast(world.head, topic, yes, NOW) == "cast"
    assert [r["person"] for r in await vote_rows(topic)] == [world.head.id]
    # The other residents are told why they may not vote, and that the head did.
    topic = await service.load(topic["id"], world.community)
    shown = await votes.view(topic, service.standing(world.family[2], topic), NOW)
    assert shown is not None and not shown.may_vote
    assert shown.why_not == "这项表决每户由户长投票，请和您家户长商量。"
    assert shown.home_note == "您家已经投过票：李** 于 12月01日 10:00 在网上投票。"


async def test_a_closed_vote_is_refused(world):
    topic = await voting_topic(world, Topic.Counting.HOUSEHOLD, vote_until=NOW + timedelta(days=1))
    yes = (await option_ids(topic))["同意"]
    assert await votes.cast(world.head, topic, yes, NOW + timedelta(hours=23)) == "cast"
    with pytest.raises(InvalidTransition) as refused:
        await votes.cast(world.head, topic, yes, NOW + timedelta(days=1))
    assert refused.value.message == "表决已经结束。"
    with pytest.raises(InvalidTransition):
        await votes.enter_paper(
            world.staff, topic, world.neighbour_home, yes, None, NOW + timedelta(days=2)
        )
    assert [r["person"] for r in await vote_rows(topic)] == [world.head.id]


async def test_a_vote_for_another_topics_option_is_refused(world):
    topic = await voting_topic(world, Topic.Counting.PERSON)
    other = await voting_topic(world, Topic.Counting.PERSON)
    with pytest.raises(DomainError) as refused:
        await votes.cast(world.neighbour, topic, (await option_ids(other))["同意"], NOW)
    assert refused.value.message == "请选择一个选项。"
    assert await vote_rows(topic) == []


async def test_paper_ballots_are_for_moderators_and_households_of_the_scope(world):
    topic = await voting_topic(world, Topic.Counting.HOUSEHOLD)
    ids = await option_ids(topic)
    with pytest.raises(NotAllowed):
        await votes.enter_paper(world.head, topic, world.neighbour_home, ids["同意"], None, NOW)
    far = await Household.select(Household.id).where(Household.building == world.other_building)
    with pytest.raises(DomainError) as refused:
        await votes.enter_paper(world.staff, topic, far[0]["id"], ids["同意"], None, NOW)
    assert refused.value.message == "请从列表里选择这个议题范围内的一户。"
    meeting = (
        await Meeting.insert(
            Meeting(topic=topic["id"], kind=Meeting.Kind.HOUSEHOLD_HEADS, held_on=NOW.date())
        ).returning(Meeting.id)
    )[0]["id"]
    await votes.enter_paper(world.staff, topic, world.neighbour_home, ids["同意"], meeting, NOW)
    (row,) = await vote_rows(topic)
    assert row["entered_by"] == world.staff.id
    assert row["meeting"] == meeting
    assert row["area_dm2"] == 12000
    with pytest.raises(votes.AlreadyVoted) as again:
        await votes.enter_paper(
            world.staff, topic, world.neighbour_home, ids["不同意"], None, LATER
        )
    assert again.value.message == (
        "这一户已经投过票：王** 于 12月01日 10:00 录入纸质票（户长会（12月1日）），不能再录入。"
    )
    # The household's own resident sees the paper ballot stand.
    with pytest.raises(votes.AlreadyVoted) as mine:
        await votes.cast(world.neighbour, topic, ids["不同意"], LATER)
    assert "王** 于 12月01日 10:00 录入纸质票" in mine.value.message


async def test_the_page_is_given_counts_turnout_and_my_home_in_two_queries(world):
    topic = await voting_topic(
        world, Topic.Counting.HOUSEHOLD, threshold=Topic.Threshold.SPECIAL, tally_while_open=False
    )
    ids = await option_ids(topic)
    await votes.cast(world.family[1], topic, ids["同意"], NOW)
    await votes.cast(world.neighbour, topic, ids["不同意"], NOW)
    topic = await service.load(topic["id"], world.community)
    with counting_queries() as counted:
        shown = await votes.view(topic, service.standing(world.head, topic), NOW)
    assert counted.count == 2
    assert shown is not None
    assert shown.may_vote is False
    assert shown.why_not == (
        "您家已经投过票：李* 于 12月01日 10:00 在网上投票。每户一票，以先投的为准。"
    )
    assert shown.ballot is not None and not shown.ballot.mine
    assert shown.shows_tally is False
    assert [(o.label, o.heads) for o in shown.options] == [("同意", 0), ("不同意", 0), ("弃权", 0)]
    # 2 of the building's 2 households (the third home is in another building).
    assert [c.text for c in shown.turnout] == [
        "参与户数 2/2（100.0%），达到三分之二",
        "参与面积 210.50/210.50 m²（100.0%），达到三分之二",
    ]
    assert shown.result is None

    with counting_queries() as counted:
        mine = await votes.view(topic, service.standing(world.family[1], topic), NOW)
    assert counted.count == 2
    assert mine is not None and mine.may_change and mine.ballot is not None
    assert mine.ballot.option_label == "同意"

    # Staff see the counts while it is open; the paper-ballot page lists the households left
    # (none) in a third query, which the topic page does not run.
    with counting_queries() as counted:
        await votes.view(topic, service.standing(world.staff, topic), NOW)
    assert counted.count == 2
    with counting_queries() as counted:
        staff = await votes.view(topic, service.standing(world.staff, topic), NOW, ballots=True)
    assert counted.count == 3
    assert staff is not None
    assert [(o.label, o.heads, o.area_text) for o in staff.options] == [
        ("同意", 1, "90.50"),
        ("不同意", 1, "120.00"),
        ("弃权", 0, "0.00"),
    ]
    assert staff.households == ()

    # At close everyone sees the result: 1 of 2 households agrees (50%, short of 3/4).
    await service.step(
        world.staff, topic, Verb.PUBLISH, LATER, outcome=(Topic.Outcome.DECISION, "不加装")
    )
    topic = await service.load(topic["id"], world.community)
    closed = await votes.view(topic, service.standing(None, topic), LATER)
    assert closed is not None and closed.result is not None
    assert closed.result.passed is False
    assert closed.result.reasons == (
        "参与户数 2/2（100.0%），达到三分之二",
        "参与面积 210.50/210.50 m²（100.0%），达到三分之二",
        "同意户数 1/2（50.0%），未达到四分之三",
        "同意面积 90.50/210.50 m²（43.0%），未达到四分之三",
    )
    assert closed.why_not == "表决已经结束。"


async def test_many_votes_cost_the_page_no_more_queries(world):
    topic = await voting_topic(world, Topic.Counting.PERSON, scope=Topic.Scope.COMMUNITY)
    ids = await option_ids(topic)
    people = [await resident(world.community, world.neighbour_home, f"周{n}") for n in range(12)]
    await asyncio.gather(*(votes.cast(p, topic, ids["同意"], NOW) for p in people))
    topic = await service.load(topic["id"], world.community)
    with counting_queries() as counted:
        shown = await votes.view(topic, service.standing(people[0], topic), NOW)
    assert counted.count == 2
    assert shown is not None
    assert shown.cast == 12
    assert shown.may_change is True
    # 5 residents of the fixture, 12 more, and the staff member (a community role).
    assert [c.text for c in shown.turnout] == ["参与人数 12/18（66.7%）"]
    assert (
        await votes.view({**topic, "has_vote": False}, service.standing(None, topic), NOW) is None
    )
