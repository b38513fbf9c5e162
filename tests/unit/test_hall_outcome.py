"""议事厅 outcomes: a convention's articles (typed numbers taken off, numbered by the site),
who may write them and until when, signing once per resident in scope under a race, and the
meetings held on a topic."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import Viewer, load_viewer
from civic.db import counting_queries
from civic.errors import Invalid, InvalidTransition, NotAllowed
from civic.hall import outcome, service
from civic.hall.service import TopicInput
from civic.hall.tables import Article, Meeting, Signature, Topic
from civic.hall.workflow import Verb
from civic.places import service as places
from civic.places.tables import Household
from tests import builders

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CONVENTION = Topic.Outcome.CONVENTION
DECISION = Topic.Outcome.DECISION


async def viewer(*roles: tuple[Role, int], name: str = "张三丰") -> Viewer:
    person_id, _ = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def resident_of(household_id: int, name: str) -> Viewer:
    """A person living in the household, confirmed by staff."""
    person_id, _ = await builders.person(name=name)
    await Person.update({Person.household: household_id, Person.household_confirmed_at: NOW}).where(
        Person.id == person_id
    )
    found = await load_viewer(person_id)
    assert found is not None
    return found


@dataclass
class World:
    community: int
    building: int
    people: dict[str, Viewer | None]


@pytest.fixture
async def world() -> World:
    street = await builders.street(await builders.district())
    here, there = await builders.community(street), await builders.community(street)
    building = await places.create_building(here.id, "3号楼")
    other_building = await places.create_building(here.id, "5号楼")
    homes = []
    for door, b in (("3-101", building), ("5-201", other_building)):
        rows = await Household.insert(
            Household(building=b, door=door, area_dm2=8000, key=f"{b}:{door}")
        ).returning(Household.id)
        homes.append(rows[0]["id"])
    people: dict[str, Viewer | None] = {
        "staff": await viewer((Role.COMMUNITY_STAFF, here.id), name="王秀兰"),
        "council": await viewer((Role.COUNCIL_MEMBER, here.id), name="马大姐"),
        "staff_elsewhere": await viewer((Role.COMMUNITY_STAFF, there.id), name="刘志强"),
        "street": await viewer((Role.STREET_OFFICIAL, street), name="孙建国"),
        "resident": await viewer((Role.RESIDENT, here.id), name="李桂芳"),
        "resident_elsewhere": await viewer((Role.RESIDENT, there.id), name="张福林"),
        "in_building": await resident_of(homes[0], "赵大爷"),
        "next_building": await resident_of(homes[1], "钱阿姨"),
        "visitor": None,
    }
    return World(here.id, building, people)


def who(world: World, name: str) -> Viewer:
    found = world.people[name]
    assert found is not None
    return found


async def topic_at(
    world: World,
    stage: str,
    kind: Topic.Outcome = CONVENTION,
    scope: Topic.Scope = Topic.Scope.COMMUNITY,
    articles: list[str] | None = None,
) -> dict[str, Any]:
    """A topic opened by staff and moved to `stage` (collecting, deliberating, published),
    with `articles` written while it was discussed."""
    staff = who(world, "staff")
    given = TopicInput(
        "楼道堆物怎么管",
        "楼道里堆了很多旧家具。",
        scope,
        building_id=world.building if scope is Topic.Scope.BUILDING else None,
    )
    topic = await service.open_topic(staff, world.community, given, NOW)
    if stage == "collecting":
        return topic
    await service.step(staff, topic, Verb.DELIBERATE, NOW)
    topic = await service.load(topic["id"], world.community)
    if articles:
        await outcome.set_articles(staff, topic, articles, NOW)
    if stage == "deliberating":
        return await service.load(topic["id"], world.community)
    await service.step(staff, topic, Verb.PUBLISH, NOW, outcome=(kind, "楼道不堆物，大家一起守。"))
    return await service.load(topic["id"], world.community)


# Parsing and numbering -----------------------------------------------------------------------


def test_chinese_numbers_of_articles():
    assert [outcome.chinese_number(n) for n in (1, 9, 10, 11, 14, 20, 21, 40, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "十四",
        "二十",
        "二十一",
        "四十",
        "九十九",
    ]
    assert outcome.chinese_number(100) == "一百"
    assert outcome.chinese_number(105) == "一百零五"
    assert outcome.chinese_number(115) == "一百一十五"
    assert outcome.article_label(14) == "第十四条"


def test_a_pasted_convention_loses_its_typed_numbers_one_article_a_line():
    pasted = (
        "第一条 楼道内不得堆放杂物。\n"
        "\n"
        "第十四条：电动车不进楼道，不在楼内充电。\n"
        "第14条、垃圾分类投放。\n"
        "3. 宠物外出牵绳。\n"
        "４．晚上十点以后不装修。\n"
        "１２、公共区域轮流打扫。\n"
        "五、绿地不种菜。\n"
        "（六）车辆停在划线车位。\n"
        "(7) 快递及时取走。\n"
        "  1.5米以下的树枝由物业修剪。  \n"
        "十分钟内清理宠物粪便。\n"
    )
    assert outcome.articles_from_text(pasted) == [
        "楼道内不得堆放杂物。",
        "电动车不进楼道，不在楼内充电。",
        "垃圾分类投放。",
        "宠物外出牵绳。",
        "晚上十点以后不装修。",
        "公共区域轮流打扫。",
        "绿地不种菜。",
        "车辆停在划线车位。",
        "快递及时取走。",
        "1.5米以下的树枝由物业修剪。",
        "十分钟内清理宠物粪便。",
    ]
    assert outcome.articles_from_text("\r\n  \n第三条\n") == []
    # What does not show is taken out: a right-to-left override cannot turn an article round.
    assert outcome.articles_from_text("1. 按时\u202e缴费\u200b") == ["按时缴费"]


# Writing the articles ------------------------------------------------------------------------


async def _articles(topic_id: int) -> list[tuple[int, str]]:
    rows = await Article.select(Article.number, Article.text).where(Article.topic == topic_id)
    return sorted((r["number"], r["text"]) for r in rows)


@pytest.mark.parametrize("name", ["staff", "council"])
async def test_moderators_write_and_rewrite_the_articles_numbered_from_one(world, name):
    topic = await topic_at(world, "deliberating")
    moderator = who(world, name)
    assert await outcome.set_articles(moderator, topic, ["甲", "乙", "丙"], NOW) == 3
    assert await outcome.set_articles(moderator, topic, [" 丁 ", "", "戊"], NOW) == 2
    assert await _articles(topic["id"]) == [(1, "丁"), (2, "戊")]
    changed = await Topic.select(Topic.changed).where(Topic.id == topic["id"]).first()
    assert changed["changed"] > topic["changed"]  # the topic page's ETag moved on


@pytest.mark.parametrize(
    "name", ["resident", "in_building", "staff_elsewhere", "street", "resident_elsewhere"]
)
async def test_others_may_not_write_articles(world, name):
    topic = await topic_at(world, "deliberating")
    with pytest.raises(NotAllowed):
        await outcome.set_articles(who(world, name), topic, ["甲"], NOW)
    assert await _articles(topic["id"]) == []


async def test_articles_are_written_in_discussion_and_vote_and_after_publishing_until_signed(
    world,
):
    staff = who(world, "staff")
    collecting = await topic_at(world, "collecting")
    with pytest.raises(InvalidTransition):
        await outcome.set_articles(staff, collecting, ["甲"], NOW)
    decision = await topic_at(world, "published", DECISION)
    with pytest.raises(InvalidTransition):
        await outcome.set_articles(staff, decision, ["甲"], NOW)

    convention = await topic_at(world, "published", CONVENTION, articles=["甲"])
    assert await outcome.set_articles(staff, convention, ["甲", "乙"], NOW) == 2
    await outcome.sign(who(world, "resident"), convention, NOW)
    with pytest.raises(InvalidTransition, match="已经有居民签署了这份公约"):
        await outcome.set_articles(staff, convention, ["丙"], NOW)
    assert await _articles(convention["id"]) == [(1, "甲"), (2, "乙")]


async def test_articles_are_bounded(world):
    staff = who(world, "staff")
    topic = await topic_at(world, "deliberating")
    with pytest.raises(Invalid, match="请至少写一条"):
        await outcome.set_articles(staff, topic, ["", "  "], NOW)
    with pytest.raises(Invalid, match="公约最多 40 条，现在是 41 条"):
        await outcome.set_articles(staff, topic, [f"第{n}项" for n in range(41)], NOW)
    with pytest.raises(Invalid, match="第二条：最多 500 个字，现在是 501 个字"):
        await outcome.set_articles(staff, topic, ["短", "长" * 501], NOW)
    assert await outcome.set_articles(staff, topic, ["条" * 500] * 40, NOW) == 40


# Signing -------------------------------------------------------------------------------------


async def _signatures(topic_id: int) -> int:
    return await Signature.count().where(Signature.topic == topic_id)


async def test_a_resident_signs_a_published_convention_once(world):
    topic = await topic_at(world, "published", CONVENTION, articles=["甲", "乙"])
    resident = who(world, "resident")
    assert await outcome.sign(resident, topic, NOW) == NOW
    later = NOW + timedelta(days=3)
    with pytest.raises(
        outcome.AlreadySigned, match="您已于 2026年12月01日 签署过这份公约"
    ) as again:
        await outcome.sign(resident, topic, later)
    assert again.value.signed_at == NOW
    assert await _signatures(topic["id"]) == 1
    await outcome.sign(who(world, "staff"), topic, later)  # staff of the community live in it
    assert await _signatures(topic["id"]) == 2


async def test_thirty_taps_at_once_sign_once(world):
    topic = await topic_at(world, "published", CONVENTION, articles=["甲"])
    resident = who(world, "resident")
    results = await asyncio.gather(
        *(outcome.sign(resident, topic, NOW) for _ in range(30)), return_exceptions=True
    )
    assert sum(1 for r in results if r == NOW) == 1
    assert all(isinstance(r, outcome.AlreadySigned) for r in results if r != NOW)
    assert await _signatures(topic["id"]) == 1
    row = await Signature.select(Signature.key, Signature.person).first()
    assert row == {"key": f"{topic['id']}:{resident.id}", "person": resident.id}


async def test_signing_and_rewriting_at_once_never_leave_signed_articles_changed(world):
    topic = await topic_at(world, "published", CONVENTION, articles=["甲"])
    residents = [await viewer((Role.RESIDENT, world.community)) for _ in range(5)]
    results = await asyncio.gather(
        outcome.set_articles(who(world, "staff"), topic, ["乙", "丙"], NOW),
        *(outcome.sign(r, topic, NOW) for r in residents),
        return_exceptions=True,
    )
    assert await _signatures(topic["id"]) == 5
    if isinstance(results[0], InvalidTransition):
        assert await _articles(topic["id"]) == [(1, "甲")]
    else:
        assert results[0] == 2
        assert await _articles(topic["id"]) == [(1, "乙"), (2, "丙")]


async def test_only_residents_in_scope_sign(world):
    topic = await topic_at(
        world, "published", CONVENTION, scope=Topic.Scope.BUILDING, articles=["电梯按时保养"]
    )
    await outcome.sign(who(world, "in_building"), topic, NOW)
    for name, why in (
        ("next_building", "这个议题只由这栋楼的住户参与。"),
        ("resident", "这个议题由本楼（网格）的住户参与"),
        ("resident_elsewhere", "这个议题由本楼（网格）的住户参与"),
    ):
        with pytest.raises(NotAllowed, match=why):
            await outcome.sign(who(world, name), topic, NOW)
    community = await topic_at(world, "published", CONVENTION, articles=["甲"])
    with pytest.raises(NotAllowed, match="这个议题由本社区居民参与"):
        await outcome.sign(who(world, "resident_elsewhere"), community, NOW)
    assert await _signatures(topic["id"]) == 1
    assert await _signatures(community["id"]) == 0


async def test_nothing_to_sign_before_publishing_on_a_decision_or_without_articles(world):
    resident = who(world, "resident")
    draft = await topic_at(world, "deliberating", articles=["甲"])
    with pytest.raises(NotAllowed, match="公约公示后才能签署"):
        await outcome.sign(resident, draft, NOW)
    decision = await topic_at(world, "published", DECISION, articles=["甲"])
    with pytest.raises(NotAllowed, match="结果是一项决定"):
        await outcome.sign(resident, decision, NOW)
    bare = await topic_at(world, "published", CONVENTION)
    with pytest.raises(NotAllowed, match="公约条文还在整理"):
        await outcome.sign(resident, bare, NOW)
    assert await Signature.count() == 0


# What the topic page shows -------------------------------------------------------------------


async def test_the_view_counts_signatures_and_knows_mine_in_one_query(world):
    topic = await topic_at(world, "published", CONVENTION, articles=["甲", "乙", "丙"])
    resident, staff = who(world, "resident"), who(world, "staff")
    await outcome.sign(resident, topic, NOW)
    await outcome.sign(who(world, "council"), topic, NOW)

    with counting_queries() as counted:
        mine = await outcome.view(topic, service.standing(resident, topic))
    assert counted.count == 1
    assert mine is not None
    assert [(a.number, a.label, a.text) for a in mine.articles] == [
        (1, "第一条", "甲"),
        (2, "第二条", "乙"),
        (3, "第三条", "丙"),
    ]
    assert (mine.kind, mine.kind_label, mine.signatures) == (CONVENTION, "公约", 2)
    assert mine.signed_at == NOW and not mine.may_sign and not mine.may_edit

    theirs = await outcome.view(topic, service.standing(staff, topic))
    assert theirs is not None
    assert theirs.signed_at is None and theirs.may_sign and theirs.why_not == ""
    assert not theirs.may_edit  # signed already: the articles stay as they are

    visitor = await outcome.view(topic, service.standing(None, topic))
    assert visitor is not None
    assert not visitor.may_sign and visitor.why_not == "登录后就能签署。"
    assert visitor.signatures == 2


async def test_no_view_before_there_is_something_to_show(world):
    staff, resident = who(world, "staff"), who(world, "resident")
    collecting = await topic_at(world, "collecting")
    with counting_queries() as counted:
        assert await outcome.view(collecting, service.standing(resident, collecting)) is None
    assert counted.count == 0
    empty = await topic_at(world, "deliberating")
    assert await outcome.view(empty, service.standing(resident, empty)) is None
    form = await outcome.view(empty, service.standing(staff, empty))
    assert form is not None and form.may_edit and form.articles == []

    draft = await topic_at(world, "deliberating", articles=["甲"])
    shown = await outcome.view(draft, service.standing(resident, draft))
    assert shown is not None
    assert (shown.kind, shown.kind_label, shown.articles_text) == (None, "公约草案", "甲")
    assert not shown.may_sign and shown.why_not == "公约公示后才能签署。"

    decision = await topic_at(world, "published", DECISION, articles=["甲"])
    with counting_queries() as counted:
        decided = await outcome.view(decision, service.standing(resident, decision))
    assert counted.count == 0
    assert decided is not None
    assert (decided.kind_label, decided.text, decided.articles) == (
        "决定",
        "楼道不堆物，大家一起守。",
        [],
    )
    assert not decided.may_sign and decided.why_not == ""


# Meetings ------------------------------------------------------------------------------------


async def test_moderators_record_meetings_shown_earliest_first(world):
    topic = await topic_at(world, "deliberating")
    await outcome.record_meeting(
        who(world, "council"), topic, "council", "2026-11-28", "居委会二楼", "9", "议定草案。", NOW
    )
    await outcome.record_meeting(
        who(world, "staff"),
        topic,
        "household_heads",
        date(2026, 11, 20),
        " 3号楼 楼下 ",
        42,
        "户长们同意\r\n先试行一个月。",
        NOW,
    )
    with counting_queries() as counted:
        rows = await outcome.meetings(topic)
    assert counted.count == 1
    assert [(m.kind_label, m.held_on, m.place, m.attended, m.minutes) for m in rows] == [
        ("户长会", date(2026, 11, 20), "3号楼 楼下", 42, "户长们同意\n先试行一个月。"),
        ("议事会", date(2026, 11, 28), "居委会二楼", 9, "议定草案。"),
    ]
    recorded = await Meeting.select(Meeting.recorded_by).where(Meeting.kind == "council").first()
    assert recorded["recorded_by"] == who(world, "council").id


@pytest.mark.parametrize("name", ["resident", "staff_elsewhere", "street"])
async def test_others_may_not_record_meetings(world, name):
    topic = await topic_at(world, "deliberating")
    with pytest.raises(NotAllowed):
        await outcome.record_meeting(
            who(world, name), topic, "hearing", "2026-11-28", "", 1, "", NOW
        )
    assert await Meeting.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "party", "请选择会议的种类。"),
        ("held_on", "", "请填写开会的日期。"),
        ("held_on", "2026-02-30", "请按“2026-12-20”的样子填写日期。"),
        ("held_on", "明天", "请按“2026-12-20”的样子填写日期。"),
        ("held_on", "2027-02-01", "开会日期最多填到 60 天以后。"),
        ("held_on", "1999-12-31", "这个日期太早了"),
        ("place", "地" * 61, "最多 60 个字，现在是 61 个字。"),
        ("attended", -1, "参会人数请填写 0 到 10000 之间的整数。"),
        ("attended", 10_001, "参会人数请填写 0 到 10000 之间的整数。"),
        ("attended", "十", "参会人数请填写 0 到 10000 之间的整数。"),
        ("minutes", "记" * 5001, "最多 5000 个字，现在是 5001 个字。"),
    ],
)
async def test_meetings_are_bounded(world, field, value, message):
    topic = await topic_at(world, "deliberating")
    typed: dict[str, Any] = {
        "kind": "hearing",
        "held_on": "2026-11-28",
        "place": "活动室",
        "attended": 12,
        "minutes": "纪要",
    }
    typed[field] = value
    with pytest.raises(Invalid) as refused:
        await outcome.record_meeting(who(world, "staff"), topic, now=NOW, **typed)
    assert message in refused.value.errors[field]
    assert await Meeting.count() == 0


async def test_meeting_bounds_that_are_accepted(world):
    topic = await topic_at(world, "deliberating")
    staff = who(world, "staff")
    for held_on, attended in (
        ("２０２７-０１-３０", "10000"),
        ("2026年11月3日", "０"),
        ("2026/1/2", None),
    ):
        await outcome.record_meeting(
            staff, topic, "hearing", held_on, "", attended, "记" * 5000, NOW
        )
    rows = await outcome.meetings(topic)
    assert [(m.held_on, m.attended) for m in rows] == [
        (date(2026, 1, 2), 0),
        (date(2026, 11, 3), 0),
        (date(2027, 1, 30), 10000),
    ]
    with pytest.raises(InvalidTransition):
        await outcome.record_meeting(
            staff, {**topic, "status": "proposed"}, "hearing", "2026-11-28", "", 1, "", NOW
        )
