"""Demo 议事厅: each community gets topics in every stage, the way a community hall runs —
courtyard parking under deliberation, lift retrofits decided household by household under
《民法典》第二百七十八条 (one passed, one short on area), an elderly canteen collecting needs,
a building convention on stairwell clutter, a community convention of 14 articles on dogs, a
resident's proposal waiting for acceptance; a few hundred posts, some reported, some hidden;
a 户长会 with minutes and paper ballots."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from civic.accounts.demo_people import demo_person, demo_viewer
from civic.accounts.roles import Role
from civic.accounts.tables import Membership, Person
from civic.accounts.viewer import Viewer
from civic.hall import outcome, posts, service, votes
from civic.hall.tables import Meeting, Post, PostReport, Topic, VoteOption
from civic.hall.workflow import Verb
from civic.places.service import district_overview
from civic.places.tables import Building, Household

T = Topic.Scope

SAYINGS = {
    Post.Stance.FOR: [
        "支持，晚上回来根本找不到车位。",
        "同意，早该这么办了。",
        "赞成，我家老人出门也方便些。",
        "支持！只要公平轮换就行。",
        "我同意，愿意出一份力。",
    ],
    Post.Stance.AGAINST: [
        "反对，一楼住户的采光怎么办？",
        "我不同意，费用分摊不清楚。",
        "不赞成，施工期间太吵，老人受不了。",
    ],
    Post.Stance.IDEA: [
        "建议先请物业出一个方案，大家再看。",
        "能不能按楼层分摊？高层多出一些。",
        "建议周末开个户长会当面说清楚。",
        "可以先试行三个月，再看效果。",
        "建议把收费标准贴在楼门口。",
    ],
    Post.Stance.OTHER: [
        "我家里人多，周末才有空参加。",
        "请问具体从哪天开始？",
        "我上次说的情况社区记下了吗？",
    ],
}
NEIGHBOURS = ["周桂兰", "吴建国", "郑秀梅", "王德明", "冯淑芬", "陈立新", "褚玉兰", "卫国强"]
"""The hall's own demo residents in each community, so that it does not wait for another
feature's demo to have people to talk."""
REPLIES = ["说得对。", "我也这么想。", "这个问题社区能回答一下吗？", "补充一下：白天问题不大。"]

DOG_RULES = [
    "犬只出户须拴绳牵引，绳长不超过 1.5 米。",
    "每天 7:00—9:00、17:00—19:00 高峰时段不在儿童游乐区遛狗。",
    "遛狗随身带袋，粪便当即清理。",
    "大型犬、烈性犬按规定办理登记，出户佩戴嘴套。",
    "犬只不进入电梯高峰时段的轿厢；同乘时主动避让老人和儿童。",
    "夜间 22:00 后管好犬只，不扰邻。",
    "按时为犬只接种狂犬疫苗，疫苗证随身可查。",
    "不在楼道、单元门口拴养犬只。",
    "犬只伤人的，主人第一时间送医并承担责任。",
    "不遗弃犬只；不能继续饲养的，联系社区或救助站。",
    "养犬户自愿加入养犬自律会，互相提醒。",
    "发现流浪犬告知社区，不私自驱赶伤害。",
    "邻里之间因犬只发生矛盾的，先找楼门长或社区调解。",
    "本公约经居民议事会讨论通过，全体居民共同遵守，自公示之日起施行。",
]
STAIR_RULES = [
    "楼道内不堆放杂物、纸箱和旧家具。",
    "电动自行车不进楼道、不在楼道充电。",
    "每月第一个周六上午，各户一起清理楼道。",
    "发现堆物先互相提醒，三天未清的告知楼门长。",
    "本公约由本楼住户共同商定，自公示之日起施行。",
]


async def _staff(community_id: int) -> Viewer | None:
    row = (
        await Membership.select(Membership.person)
        .where((Membership.role == Role.COMMUNITY_STAFF) & (Membership.scope_id == community_id))
        .first()
    )
    return await demo_viewer(row["person"]) if row else None


async def _residents(community_id: int) -> list[Viewer]:
    rows = await Membership.select(Membership.person).where(
        (Membership.role == Role.RESIDENT) & (Membership.scope_id == community_id)
    )
    return [await demo_viewer(r["person"]) for r in rows]


async def _open(
    staff: Viewer,
    community_id: int,
    title: str,
    text: str,
    at: datetime,
    scope: Topic.Scope = T.COMMUNITY,
    building_id: int | None = None,
    **ends: datetime,
) -> dict[str, Any]:
    given = service.TopicInput(
        title, text, scope, building_id=building_id, collect_until=ends.get("collect_until")
    )
    topic = await service.open_topic(staff, community_id, given, at)
    if "deliberate_until" in ends:
        await Topic.update({Topic.deliberate_until: ends["deliberate_until"]}).where(
            Topic.id == topic["id"]
        )
    return await service.load(topic["id"], community_id)


async def _step(
    staff: Viewer, topic: dict[str, Any], verb: Verb, at: datetime, **more: Any
) -> dict[str, Any]:
    await service.step(staff, topic, verb, at, **more)
    return await service.load(topic["id"], topic["community"])


async def _report(post_id: int, reporter: Viewer, at: datetime) -> None:
    await PostReport.insert(
        PostReport(post=post_id, person=reporter.id, key=f"{post_id}:{reporter.id}", at=at)
    )
    await Post.update({Post.reports: Post.reports + 1}).where(Post.id == post_id)


async def _talk(
    rng: random.Random, topic: dict[str, Any], people: list[Viewer], n: int, start: datetime
) -> list[int]:
    """n posts, and a reply to about one in four, by the people in scope, an hour or so apart,
    as they were written weeks ago: straight into the table in two statements, past the
    throttle that holds for people typing now."""
    stances = list(SAYINGS)
    said = []
    for i in range(n):
        stance = rng.choice(stances)
        said.append(
            Post(
                topic=topic["id"],
                author=people[i % len(people)].id,
                stance=stance,
                text=rng.choice(SAYINGS[stance]),
                created_at=start + timedelta(minutes=50 * i),
            )
        )
    made = [r["id"] for r in await Post.insert(*said).returning(Post.id)]
    replies = [
        Post(
            topic=topic["id"],
            author=people[(i + 1) % len(people)].id,
            parent=made[i - 1],
            stance=Post.Stance.OTHER,
            text=rng.choice(REPLIES),
            created_at=start + timedelta(minutes=50 * i + 59),
        )
        for i in range(3, n, 4)
    ]
    if replies:
        await Post.insert(*replies)
    await service.touch(topic["id"])
    return made


async def load(now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    for s_index, street in enumerate(await district_overview()):
        for c_index, community in enumerate(street.communities):
            if await Topic.exists().where(Topic.community == community.id):
                continue
            staff = await _staff(community.id)
            if staff is None:
                continue  # not the demo district
            n = s_index * 10 + c_index
            await _community(community.id, community.name, n, staff, now)


async def _community(community_id: int, name: str, n: int, staff: Viewer, now: datetime) -> None:
    rng = random.Random(n)  # noqa: S311 (demo data, not secrets)
    council_row = (
        await Membership.select(Membership.person)
        .where((Membership.role == Role.COUNCIL_MEMBER) & (Membership.scope_id == community_id))
        .first()
    )
    council_id = (
        council_row["person"]
        if council_row
        else await demo_person(
            f"1371{n:02d}00001",
            "马淑珍",
            (Role.COUNCIL_MEMBER, community_id),
            (Role.RESIDENT, community_id),
        )
    )
    council = await demo_viewer(council_id)
    for i, name in enumerate(NEIGHBOURS):
        await demo_person(f"1372{n:02d}{i:05d}", name, (Role.RESIDENT, community_id))
    residents = await _residents(community_id)
    buildings = (
        await Building.select(Building.id, Building.name)
        .where(Building.community == community_id)
        .order_by(Building.position)
    )
    start = now - timedelta(days=60)

    # 1. Courtyard parking, under deliberation: a long thread, some reported, two hidden.
    parking = await _open(
        staff,
        community_id,
        "北门院内夜间停车怎么排",
        "晚上八点后院内车位不够，消防通道常被占。想听听大家的办法：按楼轮换、错时停车，还是和隔壁单位共享车位？",
        start,
        deliberate_until=now + timedelta(days=5),
    )
    parking = await _step(staff, parking, Verb.DELIBERATE, start + timedelta(days=7))
    said = await _talk(rng, parking, residents, 60, start + timedelta(days=1))
    for post_id in said[5:8]:
        for reporter in residents[:2]:
            await _report(post_id, reporter, start + timedelta(days=9))
    for post_id in said[10:12]:
        await posts.hide(council, post_id, "含有对邻居的人身攻击", start + timedelta(days=10))
    # ... and now a vote among three ways, open for five more days.
    await service.set_up_vote(
        staff,
        await service.load(parking["id"], community_id),
        service.VoteSetup(
            Topic.Counting.PERSON,
            Topic.Threshold.MAJORITY,
            True,
            now + timedelta(days=5),
            ("按楼轮换夜间车位", "错时停车", "与隔壁单位共享车位"),
        ),
        now - timedelta(days=2),
    )
    await service.step(
        staff,
        await service.load(parking["id"], community_id),
        Verb.OPEN_VOTE,
        now - timedelta(days=2),
    )
    ways = [
        o["id"]
        for o in await VoteOption.select(VoteOption.id)
        .where(VoteOption.topic == parking["id"])
        .order_by(VoteOption.position)
    ]
    for i, resident in enumerate(residents):
        current = await service.load(parking["id"], community_id)
        await votes.cast(
            resident, current, ways[i % 3 if i % 3 else 0], now - timedelta(hours=30 - i)
        )

    # Green space, under deliberation.
    green = await _open(
        staff,
        community_id,
        "中心绿地改造：多种树还是多放座椅",
        "区里给了绿地改造的经费。老人想要树荫和座椅，家长想要儿童活动区，养犬户想要遛狗区。一起商量怎么分。",
        now - timedelta(days=15),
        deliberate_until=now + timedelta(days=10),
    )
    green = await _step(staff, green, Verb.DELIBERATE, now - timedelta(days=8))
    await _talk(rng, green, residents, 25, now - timedelta(days=14))

    # 2. An elderly canteen, collecting needs.
    canteen = await _open(
        staff,
        community_id,
        "想办一个老年餐桌，您家需要吗",
        "社区打算和附近餐馆合作办老年餐桌，每餐 12—15 元。"
        "请说说您家需要午餐还是晚餐、要不要送餐上门。",
        now - timedelta(days=6),
        collect_until=now + timedelta(days=8),
    )
    await _talk(rng, canteen, residents, 30, now - timedelta(days=5))

    # 3. and 4. Lift retrofits, household by household (needs households in two buildings).
    homes = [b for b in buildings if await Household.exists().where(Household.building == b["id"])]
    for index, building in enumerate(homes[:2]):
        await _lift(
            rng,
            community_id,
            building,
            staff,
            council,
            index == 0,
            start + timedelta(days=3 * index),
            now,
        )

    # 5. Stairwell clutter: a building convention, signed.
    if homes:
        b = homes[-1]
        stair = await _open(
            staff,
            community_id,
            f"{b['name']}楼道堆物怎么清",
            "楼道里纸箱、旧家具越堆越多，还有人在楼道给电动车充电，消防检查时被点名。大家商量一个楼门公约。",
            start + timedelta(days=5),
            T.BUILDING,
            b["id"],
        )
        stair = await _step(staff, stair, Verb.DELIBERATE, start + timedelta(days=12))
        people = await _household_people(b["id"])
        await _talk(rng, stair, people or residents, 18, start + timedelta(days=6))
        stair = await _step(
            staff,
            stair,
            Verb.PUBLISH,
            start + timedelta(days=20),
            outcome=(Topic.Outcome.CONVENTION, "本楼住户商定《楼门公约》五条，贴在单元门口。"),
        )
        await outcome.set_articles(staff, stair, STAIR_RULES, start + timedelta(days=20))
        for person in people[: max(1, len(people) * 2 // 3)]:
            await outcome.sign(
                person, await service.load(stair["id"], community_id), start + timedelta(days=21)
            )

    # 6. Dog-walking: a community convention of 14 articles, after a 民情恳谈会.
    dogs = await _open(
        staff,
        community_id,
        "文明养犬，定一个社区公约",
        "小区里养犬户越来越多，遛狗不拴绳、粪便不清理的投诉不少。请养犬和不养犬的邻居一起商量规矩。",
        start - timedelta(days=20),
    )
    dogs = await _step(staff, dogs, Verb.DELIBERATE, start - timedelta(days=10))
    await _talk(rng, dogs, residents, 40, start - timedelta(days=19))
    await outcome.record_meeting(
        staff,
        dogs,
        Meeting.Kind.HEARING,
        (start - timedelta(days=8)).date(),
        "社区活动室",
        46,
        "养犬户和居民代表 46 人参加。大家同意出户拴绳、随手清理；"
        "对高峰时段不进游乐区有争议，最后按 7—9 点、17—19 点执行。"
        "成立养犬自律会，由 3 号楼刘阿姨牵头。",
        start - timedelta(days=8),
    )
    dogs = await service.load(dogs["id"], community_id)
    dogs = await _step(
        staff,
        dogs,
        Verb.PUBLISH,
        start - timedelta(days=5),
        outcome=(
            Topic.Outcome.CONVENTION,
            "经民情恳谈会讨论，定下《文明养犬公约》十四条，成立养犬自律会。",
        ),
    )
    await outcome.set_articles(staff, dogs, DOG_RULES, start - timedelta(days=5))
    for person in residents[: max(1, len(residents) // 2)]:
        await outcome.sign(
            person, await service.load(dogs["id"], community_id), start - timedelta(days=4)
        )

    # 7. A resident's proposal, waiting for staff or the council.
    await service.propose(
        residents[0],
        community_id,
        service.TopicInput(
            "小区里能不能装一组快递柜", "快递都堆在门卫室，老人取件要排队。建议在北门装一组快递柜。"
        ),
        now - timedelta(hours=20),
    )


async def _household_people(building_id: int) -> list[Viewer]:
    rows = await Person.select(Person.id).where(
        (Person.household.building == building_id) & Person.household_confirmed_at.is_not_null()
    )
    return [await demo_viewer(r["id"]) for r in rows]


def _short_on_area(homes: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[int]]:
    """Who takes part, and who is against, so that the vote passes by head count and falls short
    on area: the biggest homes, a multiple of four of them (at least two thirds of the homes),
    take part, and the biggest quarter of those is against. Exactly a quarter of the heads is
    still "three quarters agree"; the biggest quarter holds more than a quarter of the area
    whenever the homes are not all the same size."""
    biggest = sorted(homes, key=lambda h: h["area_dm2"], reverse=True)
    taking_part = biggest[: len(homes) // 4 * 4]
    return taking_part, {h["id"] for h in taking_part[: len(taking_part) // 4]}


async def _lift(
    rng: random.Random,
    community_id: int,
    building: dict[str, Any],
    staff: Viewer,
    council: Viewer,
    passes: bool,
    start: datetime,
    now: datetime,
) -> None:
    """A lift for one building, voted household by household under the special majority:
    most homes vote on the site, the rest on paper at a 户长会; `passes` decides whether the
    big homes agree (so that one vote passes and the other falls short on area)."""
    topic = await _open(
        staff,
        community_id,
        f"{building['name']}加装电梯",
        "老楼没有电梯，楼上老人下楼难。区里有加装补贴，按《民法典》第二百七十八条，需本楼参与表决的面积和户数各过三分之二，其中同意的各达四分之三。",
        start,
        T.BUILDING,
        building["id"],
    )
    topic = await _step(staff, topic, Verb.DELIBERATE, start + timedelta(days=5))
    people = await _household_people(building["id"])
    await _talk(rng, topic, people or [staff], 24, start + timedelta(days=1))
    meeting_day = start + timedelta(days=14)
    await outcome.record_meeting(
        staff,
        topic,
        Meeting.Kind.HOUSEHOLD_HEADS,
        meeting_day.date(),
        f"{building['name']}一层大厅",
        14,
        "各户户长到会。设计单位讲了方案和分摊：一层不出钱，二层起逐层增加。一层住户担心采光，设计单位答应调整井道位置。未能上网投票的住户当场填写纸质表决票。",
        meeting_day,
    )
    await service.set_up_vote(
        staff,
        await service.load(topic["id"], community_id),
        service.VoteSetup(Topic.Counting.HEAD, Topic.Threshold.SPECIAL, True, None),
        start + timedelta(days=13),
    )
    topic = await _step(
        staff,
        await service.load(topic["id"], community_id),
        Verb.OPEN_VOTE,
        start + timedelta(days=13),
    )
    options = {
        o["label"]: o["id"]
        for o in await VoteOption.select(VoteOption.id, VoteOption.label).where(
            VoteOption.topic == topic["id"]
        )
    }
    homes = (
        await Household.select(Household.id, Household.area_dm2)
        .where(Household.building == building["id"])
        .order_by(Household.id)
    )
    heads = {
        p["household"]: p["id"]
        for p in await Person.select(Person.id, Person.household).where(
            (Person.household.building == building["id"]) & (Person.household_head == True)  # noqa: E712
        )
    }
    taking_part = [h for i, h in enumerate(homes) if i % 8 != 7]
    against: set[int] = set()
    if not passes:
        taking_part, against = _short_on_area(homes)
    meeting = await Meeting.select(Meeting.id).where(Meeting.topic == topic["id"]).first()
    for i, home in enumerate(taking_part):
        choice = "不同意" if home["id"] in against else "弃权" if passes and i % 9 == 4 else "同意"
        current = await service.load(topic["id"], community_id)
        head = heads.get(home["id"])
        if head is not None and i % 3:
            at = start + timedelta(days=13, hours=i)
            await votes.cast(await demo_viewer(head), current, options[choice], at)
        else:
            paper = meeting["id"] if meeting else None
            await votes.enter_paper(staff, current, home["id"], options[choice], paper, meeting_day)
    topic = await service.load(topic["id"], community_id)
    await Topic.update({Topic.vote_until: start + timedelta(days=20)}).where(
        Topic.id == topic["id"]
    )
    text = (
        "表决通过：参与和同意的面积、户数都达到法定比例，启动加装电梯。"
        if passes
        else "表决未通过：同意的户数够了，同意的面积未达到四分之三。请设计单位调整分摊方案后再议。"
    )
    await _step(
        staff,
        await service.load(topic["id"], community_id),
        Verb.PUBLISH,
        start + timedelta(days=21),
        outcome=(Topic.Outcome.DECISION, text),
    )
