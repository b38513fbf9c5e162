"""The 议事厅's budgets: a topic page with 100 posts, a meeting and a household vote of 40
homes stays within 30 KB on the wire and 8 SQL queries for a visitor, a resident and staff,
and adding posts and votes adds no query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import load_viewer
from civic.hall import outcome, posts, service, votes
from civic.hall.tables import Meeting, Post, Topic, VoteOption
from civic.hall.workflow import Verb
from civic.places import service as places
from civic.places.tables import Household
from tests import builders
from tests.builders import sign_in

NOW = datetime.now(UTC)
WIRE = 30 * 1024
QUERIES = 8


async def _topic_with(n_posts: int, n_homes: int):
    c = await builders.community(name="杏花社区")
    building = await places.create_building(c.id, "3号楼")
    staff_id, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    staff = await load_viewer(staff_id)
    homes = []
    for i in range(n_homes):
        rows = await Household.insert(
            Household(building=building, door=f"{i + 1:03d}", area_dm2=8000, key=f"{building}:{i}")
        ).returning(Household.id)
        homes.append(rows[0]["id"])
    resident_id, resident_phone = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    await Person.update(
        {
            Person.household: homes[0],
            Person.household_head: True,
            Person.household_confirmed_at: NOW,
        }
    ).where(Person.id == resident_id)
    resident = await load_viewer(resident_id)
    given = service.TopicInput(
        "3号楼加装电梯", "老人下楼难。", Topic.Scope.BUILDING, building_id=building
    )
    topic = await service.open_topic(staff, c.id, given, NOW)
    topic = await _step(staff, topic, Verb.DELIBERATE)
    setup = service.VoteSetup(Topic.Counting.HEAD, Topic.Threshold.SPECIAL, True, None)
    await service.set_up_vote(staff, topic, setup, NOW)
    topic = await _step(staff, await service.load(topic["id"], c.id), Verb.OPEN_VOTE)
    await outcome.record_meeting(
        staff, topic, Meeting.Kind.HOUSEHOLD_HEADS, NOW.date(), "一层大厅", 12, "讲了方案。", NOW
    )
    agree = (
        await VoteOption.select(VoteOption.id)
        .where(VoteOption.topic == topic["id"])
        .order_by(VoteOption.position)
        .first()
    )["id"]
    for home in homes[1:]:
        await votes.enter_paper(
            staff, await service.load(topic["id"], c.id), home, agree, None, NOW
        )
    said = [
        Post(
            topic=topic["id"],
            author=resident_id,
            stance="for",
            text=f"第{i}条：我支持加装电梯。" * 3,
        )
        for i in range(n_posts)
    ]
    await Post.insert(*said)
    await posts.write(
        resident, await service.load(topic["id"], c.id), "idea", "建议。", NOW, store=None
    )
    return c, topic, staff_phone, resident_phone


async def _step(staff, topic, verb):
    await service.step(staff, topic, verb, NOW - timedelta(minutes=1))
    return await service.load(topic["id"], topic["community"])


async def _measure(client, url: str) -> tuple[int, int]:
    response = await client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    return response.num_bytes_downloaded, int(response.headers["x-query-count"])


async def test_a_busy_topic_page_stays_within_its_bytes_and_queries(client):
    c, topic, staff_phone, resident_phone = await _topic_with(n_posts=100, n_homes=40)
    url = f"/c/{c.slug}/hall/{topic['id']}/"
    seen = {"visitor": await _measure(client, url)}
    await sign_in(client, resident_phone)
    seen["resident"] = await _measure(client, url)
    await client.post("/logout", data={"_csrf_token": client.cookies["csrftoken"]})
    await sign_in(client, staff_phone)
    seen["staff"] = await _measure(client, url)
    for who, (wire, queries) in seen.items():
        assert wire <= WIRE, (who, wire)
        assert queries <= QUERIES, (who, queries)


async def test_more_posts_and_votes_add_no_query(client):
    small = await _topic_with(n_posts=3, n_homes=4)
    large = await _topic_with(n_posts=120, n_homes=60)
    counts = []
    for c, topic, _staff, _resident in (small, large):
        counts.append((await _measure(client, f"/c/{c.slug}/hall/{topic['id']}/"))[1])
    assert counts[0] == counts[1]
