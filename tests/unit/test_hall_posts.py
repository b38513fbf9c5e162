"""Posts on a topic: who may post in which scope and stage, one level of replies, the edit
window, reporting once under a race, hiding with a reason, the per-person throttle under a
burst, and what the loader gives each viewer (in two queries)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import Viewer, load_viewer
from civic.db import counting_queries
from civic.errors import Invalid, InvalidTransition, NotAllowed, NotFound, Throttled
from civic.hall import posts, service
from civic.hall.tables import Post, PostReport, Topic
from civic.hall.workflow import Verb
from civic.messages.tables import Message
from civic.places import service as places
from civic.places.tables import Household
from civic.web.stores import DatabaseStore
from tests import builders

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


async def viewer(person_id: int) -> Viewer:
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def household(building_id: int, door: str) -> int:
    rows = await Household.insert(
        Household(building=building_id, door=door, area_dm2=9000, key=f"{building_id}:{door}")
    ).returning(Household.id)
    return rows[0]["id"]


async def resident(
    building_id: int | None, door: str, name: str, *, confirmed: bool = True
) -> Viewer:
    """A person living at `door` of the building (no role at all: their home is what counts)."""
    person_id, _phone = await builders.person(name=name)
    if building_id is not None:
        await Person.update(
            {
                Person.household: await household(building_id, door),
                Person.household_confirmed_at: NOW - timedelta(days=3) if confirmed else None,
            }
        ).where(Person.id == person_id)
    return await viewer(person_id)


class Place:
    """A community with two grids of one building each, its staff and a council member."""

    community: Any
    building: int
    other_building: int
    grid: int
    staff: Viewer
    council: Viewer


async def place() -> Place:
    p = Place()
    p.community = await builders.community(name="杏花社区")
    p.grid = await places.create_grid(p.community.id, "第一网格")
    other_grid = await places.create_grid(p.community.id, "第二网格")
    p.building = await places.create_building(p.community.id, "1号楼", p.grid)
    p.other_building = await places.create_building(p.community.id, "2号楼", other_grid)
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, p.community.id), name="王秀兰")
    council_id, _ = await builders.person((Role.COUNCIL_MEMBER, p.community.id), name="赵德明")
    p.staff = await viewer(staff_id)
    p.council = await viewer(council_id)
    return p


async def topic(
    p: Place, scope: Topic.Scope = Topic.Scope.COMMUNITY, **where: int
) -> dict[str, Any]:
    given = service.TopicInput("加装电梯", "1号楼想加装电梯，请大家说说看法。", scope, **where)
    made = await service.open_topic(p.staff, p.community.id, given, NOW)
    return await service.load(made["id"], p.community.id)


async def reloaded(t: dict[str, Any]) -> dict[str, Any]:
    return await service.load(t["id"], t["community"])


def store() -> DatabaseStore:
    return DatabaseStore("quota")


async def write(who: Viewer, t: dict[str, Any], text: str = "我支持。", **kw: Any) -> int:
    stance = kw.pop("stance", "for")
    at = kw.pop("now", NOW)
    return await posts.write(who, t, stance, text, at, store=None, **kw)


# Who may post ------------------------------------------------------------------------------


async def test_who_may_post_on_a_building_topic():
    p = await place()
    t = await topic(p, Topic.Scope.BUILDING, building_id=p.building)
    inside = await resident(p.building, "101", "李桂芳")
    next_door = await resident(p.other_building, "201", "孙立新")
    waiting = await resident(p.building, "102", "周建国", confirmed=False)
    nowhere = await resident(None, "", "吴小明")

    assert await write(inside, t) > 0
    assert await write(p.council, t, "议事会成员也可以发言。") > 0  # moderates, lives elsewhere
    refusals = {}
    for who in (next_door, waiting, nowhere):
        with pytest.raises(NotAllowed) as refused:
            await write(who, t)
        refusals[who.name] = refused.value.message
    assert refusals == {
        "孙立新": "这个议题只由这栋楼的住户参与。",
        "周建国": "您登记的门牌还在等社区确认，确认后就能参与。",
        "吴小明": "这个议题由本楼（网格）的住户参与：请先在“我的”里登记您家的门牌。",
    }
    assert await Post.count().where(Post.topic == t["id"]) == 2


async def test_who_may_post_on_grid_and_community_topics():
    p = await place()
    grid_topic = await topic(p, Topic.Scope.GRID, grid_id=p.grid)
    whole = await topic(p)
    in_grid = await resident(p.building, "101", "李桂芳")
    other_grid = await resident(p.other_building, "201", "孙立新")
    elsewhere = await builders.community(name="槐树里社区")
    stranger_building = await places.create_building(elsewhere.id, "9号楼")
    stranger = await resident(stranger_building, "901", "钱多多")

    await write(in_grid, grid_topic)
    with pytest.raises(NotAllowed, match="这个议题只由这个网格的住户参与。"):
        await write(other_grid, grid_topic)
    await write(other_grid, whole)
    with pytest.raises(NotAllowed, match="这个议题由本社区居民参与。"):
        await write(stranger, whole)


async def test_posts_open_with_collecting_and_close_with_publishing():
    p = await place()
    t = await topic(p)
    neighbour = await resident(p.building, "101", "李桂芳")
    await write(neighbour, t, "征集阶段的意见。")
    await service.step(p.staff, t, Verb.DELIBERATE, NOW)
    t = await reloaded(t)
    await write(neighbour, t, "讨论阶段的意见。")
    await service.step(p.staff, t, Verb.PUBLISH, NOW, outcome=(Topic.Outcome.DECISION, "装。"))
    t = await reloaded(t)
    with pytest.raises(NotAllowed, match="议题已公示结果，发言已经结束。"):
        await write(neighbour, t, "太晚了。")
    proposed = await service.propose(
        neighbour, p.community.id, service.TopicInput("修车棚", "车棚漏雨。"), NOW
    )
    with pytest.raises(NotAllowed, match="议题受理后才能发言。"):
        await write(neighbour, proposed)
    # The stage read by the route may be stale: the change checks it again, in its transaction.
    stale = {**t, "status": Topic.Status.DELIBERATING}
    with pytest.raises(InvalidTransition):
        await write(neighbour, stale, "页面还没刷新。")
    assert await Post.count().where(Post.topic == t["id"]) == 2


async def test_stance_and_text_are_checked_and_line_breaks_kept():
    p = await place()
    t = await topic(p)
    neighbour = await resident(p.building, "101", "李桂芳")
    with pytest.raises(Invalid) as refused:
        await write(neighbour, t, "   \n  ", stance="maybe")
    assert refused.value.errors == {
        "stance": "请选择您的态度：支持、反对、建议或其他。",
        "text": "请写下您的意见。",
    }
    with pytest.raises(Invalid) as refused:
        await write(neighbour, t, "长" * 1001)
    assert refused.value.errors == {"text": "最多 1000 个字，现在是 1001 个字。"}
    post_id = await write(neighbour, t, "第一行  \r\n第二行\r\n\r\n\r\n\r\n第三段\n", stance="idea")
    row = await Post.select(Post.text, Post.stance).where(Post.id == post_id).first()
    assert row == {"text": "第一行\n第二行\n\n第三段", "stance": "idea"}


async def test_each_post_moves_the_topic_on():
    p = await place()
    t = await topic(p)
    neighbour = await resident(p.building, "101", "李桂芳")
    before = t["changed"]
    post_id = await write(neighbour, t)
    await posts.edit(neighbour, post_id, "改一下。", NOW + timedelta(minutes=1))
    await posts.report(p.council, post_id, NOW)
    await posts.hide(p.staff, post_id, "与议题无关", NOW)
    await posts.unhide(p.staff, post_id, NOW)
    assert (await reloaded(t))["changed"] == before + 5


# Replies -----------------------------------------------------------------------------------


async def test_replies_are_one_level_deep_and_tell_the_author():
    p = await place()
    t = await topic(p)
    other = await topic(p)
    author = await resident(p.building, "101", "李桂芳")
    neighbour = await resident(p.building, "102", "孙立新")
    first = await write(author, t, "电梯装在北侧。")
    reply = await write(neighbour, t, "北侧挡光。", stance="against", parent_id=first)
    await write(author, t, "我自己补充一句。", parent_id=first)  # nobody told of their own reply
    with pytest.raises(Invalid, match="只能回复主帖"):
        await write(author, t, "回复的回复。", parent_id=reply)
    with pytest.raises(NotFound):
        await write(author, other, "别的议题。", parent_id=first)
    with pytest.raises(NotFound):
        await write(author, t, "没有这条。", parent_id=first + 100)
    assert await Post.count().where(Post.parent == first) == 2
    told = await Message.select(Message.person, Message.text, Message.link)
    assert told == [
        {
            "person": author.id,
            "text": "有人回复了您在议题“加装电梯”的发言。",
            "link": f"/c/{p.community.slug}/hall/{t['id']}/#post-{reply}",
        }
    ]


# Editing -------------------------------------------------------------------------------------


async def test_the_author_edits_within_ten_minutes_then_adds_a_new_post():
    p = await place()
    t = await topic(p)
    author = await resident(p.building, "101", "李桂芳")
    neighbour = await resident(p.building, "102", "孙立新")
    post_id = await write(author, t, "电梯装在南侧。")
    with pytest.raises(NotAllowed, match="只有发言人自己能修改这条发言。"):
        await posts.edit(neighbour, post_id, "改别人的。", NOW)
    await posts.edit(author, post_id, "电梯装在北侧。", NOW + timedelta(minutes=10))
    with pytest.raises(NotAllowed) as late:
        await posts.edit(author, post_id, "又改。", NOW + timedelta(minutes=10, seconds=1))
    assert late.value.message == "发言 10 分钟后就不能再修改了。如需更正，请再发一条说明。"
    with pytest.raises(Invalid):
        await posts.edit(author, post_id, "  ", NOW)
    row = await Post.select(Post.text, Post.edited_at).where(Post.id == post_id).first()
    assert row["text"] == "电梯装在北侧。"
    assert row["edited_at"] == NOW + timedelta(minutes=10)
    with pytest.raises(NotFound):
        await posts.edit(author, post_id, "换个议题改。", NOW, topic_id=t["id"] + 1)


# Reporting -----------------------------------------------------------------------------------


async def test_twenty_reports_at_once_by_one_person_count_once():
    p = await place()
    t = await topic(p)
    author = await resident(p.building, "101", "李桂芳")
    reporter = await resident(p.building, "102", "孙立新")
    other = await resident(p.building, "103", "周建国")
    post_id = await write(author, t, "胡说八道。")

    made = await asyncio.gather(*(posts.report(reporter, post_id, NOW) for _ in range(20)))
    assert made.count(True) == 1
    assert await posts.report(other, post_id, NOW) is True
    assert await PostReport.count().where(PostReport.post == post_id) == 2
    row = await Post.select(Post.reports).where(Post.id == post_id).first()
    assert row == {"reports": 2}
    with pytest.raises(NotAllowed, match="不能举报自己的发言"):
        await posts.report(author, post_id, NOW)
    desk = await Message.select(Message.person).where(Message.text.like("%被举报%"))
    assert sorted(m["person"] for m in desk) == sorted([p.staff.id, p.council.id])  # once


# Hiding --------------------------------------------------------------------------------------


async def test_hiding_needs_a_moderator_and_a_reason_and_tells_the_author():
    p = await place()
    t = await topic(p)
    author = await resident(p.building, "101", "李桂芳")
    neighbour = await resident(p.building, "102", "孙立新")
    post_id = await write(author, t, "13812345678 找我。")
    await posts.report(neighbour, post_id, NOW)
    with pytest.raises(NotAllowed, match="只有社区工作者和议事会成员可以隐藏发言。"):
        await posts.hide(neighbour, post_id, "我不喜欢", NOW)
    with pytest.raises(Invalid) as refused:
        await posts.hide(p.council, post_id, "  \u200b ", NOW)
    assert refused.value.errors == {"reason": "请写明隐藏的理由，大家会看到它。"}
    await posts.hide(p.council, post_id, "含有电话号码", NOW)
    with pytest.raises(InvalidTransition, match="这条发言已经隐藏了。"):
        await posts.hide(p.staff, post_id, "再隐藏一次", NOW)
    row = (
        await Post.select(Post.hidden_reason, Post.hidden_by, Post.reports, Post.hidden_at)
        .where(Post.id == post_id)
        .first()
    )
    assert row == {
        "hidden_reason": "含有电话号码",
        "hidden_by": p.council.id,
        "reports": 0,
        "hidden_at": NOW,
    }
    assert await PostReport.count().where(PostReport.handled_at.is_null()) == 0
    told = await Message.select(Message.text).where(Message.person == author.id)
    assert told == [{"text": "您在议题“加装电梯”的一条发言已被隐藏：含有电话号码"}]
    with pytest.raises(NotAllowed, match="这条发言已被隐藏，不能修改。"):
        await posts.edit(author, post_id, "删掉电话。", NOW)
    with pytest.raises(NotAllowed, match="这条发言已隐藏，不能再回复。"):
        await write(neighbour, t, "回复。", parent_id=post_id)


# The throttle ----------------------------------------------------------------------------------


async def test_a_burst_of_posts_by_one_person_gets_ten_through():
    p = await place()
    t = await topic(p)
    author = await resident(p.building, "101", "李桂芳")
    neighbour = await resident(p.building, "102", "孙立新")
    limiter = store()

    async def one(n: int) -> str:
        try:
            await posts.write(author, t, "for", f"第{n}条。", NOW, store=limiter)
        except Throttled as refused:
            return refused.message
        return "ok"

    answers = await asyncio.gather(*(one(n) for n in range(25)))
    assert answers.count("ok") == 10
    assert set(answers) - {"ok"} == {
        "发言太频繁了：10 分钟内最多发 10 条，请 10 分钟后再发。您写的内容还在。"
    }
    assert await Post.count().where(Post.author == author.id) == 10
    # Per person: a neighbour still posts; a refused text does not use a try.
    with pytest.raises(Invalid):
        await posts.write(neighbour, t, "for", "", NOW, store=limiter)
    assert await limiter.get(f"hall-post:{neighbour.id}") is None
    await posts.write(neighbour, t, "for", "我也说一句。", NOW, store=limiter)


# The loader ------------------------------------------------------------------------------------


async def test_the_page_shows_each_viewer_what_they_may_see_in_two_queries():
    p = await place()
    t = await topic(p)
    author = await resident(p.building, "101", "李桂芳")
    neighbour = await resident(p.building, "102", "孙立新")
    first = await write(author, t, "北侧。", stance="for")
    await write(neighbour, t, "南侧。", stance="against", parent_id=first)
    hidden = await write(author, t, "广告。", stance="other")
    await posts.hide(p.staff, hidden, "广告", NOW)
    await posts.report(neighbour, first, NOW)
    for n in range(3):
        await write(neighbour, t, f"建议{n}。", stance="idea")

    later = NOW + timedelta(minutes=5)
    with counting_queries() as counted:
        seen = await posts.page(t, service.standing(neighbour, t), 1, later)
    assert counted.count == 2
    assert [(s.id, s.author, s.text, s.hidden) for s in seen.items[-2:]] == [
        (hidden, "", "", True),
        (first, "李**", "北侧。", False),
    ]
    assert seen.items[-1].reported and seen.items[-1].reports == 0
    assert seen.items[-2].hidden_reason == "广告"
    assert [(r.author, r.text, r.mine) for r in seen.items[-1].replies] == [
        ("孙**", "南侧。", True)
    ]
    assert [(c.label, c.n) for c in seen.counts] == [
        ("支持", 1),
        ("反对", 1),
        ("建议", 3),
        ("其他", 0),
    ]
    assert (seen.shown, seen.top_level, seen.pages, seen.may_post) == (5, 5, 1, True)

    own = await posts.page(t, service.standing(author, t), 1, later)
    assert [(s.text, s.hidden, s.may_edit) for s in own.items[-2:]] == [
        ("广告。", True, False),
        ("北侧。", False, True),
    ]
    staff = await posts.page(t, service.standing(p.staff, t), 1, later)
    assert [(s.author, s.reports) for s in staff.items[-2:]] == [("李桂芳", 0), ("李桂芳", 1)]
    assert not any(s.may_report for s in staff.items)  # staff hide rather than report
    visitor = await posts.page(t, service.standing(None, t), 1, NOW + timedelta(minutes=11))
    assert (visitor.may_post, visitor.why_not, visitor.signed_in) == (
        False,
        "登录后就能参与议事。",
        False,
    )
    assert not any(s.may_report or s.may_edit for s in visitor.items)


async def test_pages_of_twenty_newest_first_in_two_queries_however_many():
    p = await place()
    t = await topic(p)
    author = await resident(p.building, "101", "李桂芳")
    ids = [await write(author, t, f"第{n}条。") for n in range(45)]
    for post_id in ids[:30]:
        await write(author, t, "补充。", parent_id=post_id)
    standing = service.standing(author, t)
    with counting_queries() as counted:
        first = await posts.page(t, standing, 1, NOW)
        third = await posts.page(t, standing, 3, NOW)
    assert counted.count == 4
    assert [s.id for s in first.items] == ids[::-1][:20]
    assert [s.id for s in third.items] == ids[::-1][40:]
    assert (first.pages, first.shown, sum(len(s.replies) for s in third.items)) == (3, 75, 5)
    assert await posts.page_of(t["id"], ids[4]) == 3
