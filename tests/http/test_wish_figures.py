"""微心愿 figures above a community: a street official sees the street's communities and their
total, the district admin the streets and the district's total, each also as CSV. The numbers
are checked against numbers worked out here from the wishes this test makes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.places.service import CommunityInfo
from civic.wishes import service
from civic.wishes.tables import Helper
from civic.wishes.workflow import S
from tests import builders
from tests.builders import sign_in, text_of

# Five days ago: the claims made then are still open when the pages are looked at.
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=5)


async def _viewer(*roles: tuple[Role, int], name: str = "张三丰") -> Viewer:
    person_id, _ = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found


@dataclass
class Made:
    """What this test made in one community, from which it works out the expected figures."""

    community: CommunityInfo
    states: list[S] = field(default_factory=list)
    published: int = 0  # wishes that were published at some point
    days: list[float] = field(default_factory=list)  # publication to confirmation
    members: int = 0  # verified party members


async def _community(street_id: int, name: str, plan: list[tuple[S, int]], members: int) -> Made:
    """A community with `members` verified party members (and, not counted as members, one
    organisation, one report still pending and one revoked) and a wish for each (state, days
    from publication to confirmation) in `plan`."""
    c = await builders.community(street_id, name=name)
    made = Made(c, members=members)
    staff = await _viewer((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    owner = await _viewer((Role.RESIDENT, c.id), name="李桂芳")
    helpers = []
    for n in range(members + 3):
        person = await _viewer((Role.PARTY_MEMBER, c.id), name=f"党员{n}")
        kind = Helper.Kind.ORGANISATION if n == members else Helper.Kind.MEMBER
        helper_id = await service.report(person.id, c.id, kind, f"党员{n}")
        if n < members + 1:
            await service.decide_report(staff, helper_id, True, T0)
            helpers.append(person)
        elif n == members + 2:
            await service.decide_report(staff, helper_id, True, T0)
            await service.decide_report(staff, helper_id, False, T0, reason="已调离")
    for i, (state, days) in enumerate(plan):
        helper = helpers[i % len(helpers)]
        wish_id = await service.submit_wish(
            owner, c.id, owner.id, f"心愿{i}", "", "维修", 50, T0 - timedelta(days=1)
        )
        made.states.append(state)
        if state is S.SUBMITTED:
            continue
        await service.move(staff, wish_id, S.PUBLISHED, T0)
        made.published += 1
        if state is S.WITHDRAWN:
            await service.move(owner, wish_id, S.WITHDRAWN, T0 + timedelta(days=1))
            continue
        if state is S.PUBLISHED:
            continue
        await service.claim(helper, wish_id, T0 + timedelta(hours=1))
        if state is S.CLAIMED:
            continue
        await service.move(helper, wish_id, S.FULFILLED, T0 + timedelta(hours=2), note="完成")
        if state is S.CONFIRMED:
            await service.move(owner, wish_id, S.CONFIRMED, T0 + timedelta(days=days))
            made.days.append(days)
    return made


def expected(*parts: Made) -> list[str]:
    """The figures of these communities together, worked out from what was made, as a row
    reads: published, claimed now, fulfilled (confirmed included), confirmed, verified members,
    wishes done per member, average days."""
    states = [s for p in parts for s in p.states]
    days = [d for p in parts for d in p.days]
    members = sum(p.members for p in parts)
    done = states.count(S.FULFILLED) + states.count(S.CONFIRMED)
    per_member = round(done / members, 2) if members else 0.0
    average = str(round(sum(days) / len(days), 1)) if days else "—"
    return [
        str(n)
        for n in (
            sum(p.published for p in parts),
            states.count(S.CLAIMED),
            done,
            states.count(S.CONFIRMED),
            members,
            per_member,
        )
    ] + [average]


@pytest.fixture
async def district():
    district_id = await builders.district("青溪区")
    liuyin = await builders.street(district_id, slug="liuyin", name="柳荫街道")
    nanhu = await builders.street(district_id, slug="nanhu", name="南湖街道")
    xinghua = await _community(
        liuyin,
        "杏花社区",
        [
            (S.PUBLISHED, 0),
            (S.CLAIMED, 0),
            (S.FULFILLED, 0),
            (S.CONFIRMED, 2),
            (S.CONFIRMED, 3),
            (S.SUBMITTED, 0),
            (S.WITHDRAWN, 0),
        ],
        members=3,
    )
    huaishu = await _community(
        liuyin, "槐树里社区", [(S.CONFIRMED, 4), (S.PUBLISHED, 0), (S.CLAIMED, 0)], members=2
    )
    empty = await _community(liuyin, "新建社区", [], members=0)
    hupan = await _community(nanhu, "湖畔社区", [(S.CONFIRMED, 1), (S.FULFILLED, 0)], members=1)
    phones = {}
    for key, role, scope in [
        ("liuyin", Role.STREET_OFFICIAL, liuyin),
        ("nanhu", Role.STREET_OFFICIAL, nanhu),
        ("admin", Role.DISTRICT_ADMIN, 0),
        ("community", Role.COMMUNITY_STAFF, xinghua.community.id),
        ("resident", Role.RESIDENT, xinghua.community.id),
    ]:
        phones[key] = (await builders.person((role, scope), name="看数字的人"))[1]
    return {
        "liuyin": [xinghua, huaishu, empty],
        "nanhu": [hupan],
        "liuyin_id": liuyin,
        "phones": phones,
    }


def row(name: str, numbers: list[str]) -> str:
    return " ".join([name, *numbers])


async def test_a_street_official_sees_each_community_and_the_street_total(client, district):
    await sign_in(client, district["phones"]["liuyin"])
    xinghua, huaishu, empty = district["liuyin"]
    # Worked out once by hand as well, to read: 杏花 published 6 (the withdrawn one was
    # published too), 1 claimed, 3 done of which 2 confirmed, 3 members: 1.0 each, (2+3)/2 days.
    assert expected(xinghua) == ["6", "1", "3", "2", "3", "1.0", "2.5"]
    assert expected(xinghua, huaishu, empty) == ["9", "2", "4", "3", "5", "0.8", "3.0"]
    response = await client.get("/staff/street/liuyin/wishes/")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "柳荫街道 · 微心愿数字" in page
    for made in district["liuyin"]:
        assert row(made.community.name, expected(made)) in page
    assert row("合计", expected(*district["liuyin"])) in page
    assert "湖畔社区" not in page  # another street's community

    exported = await client.get("/staff/street/liuyin/wishes/figures.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "社区" and rows[0][1] == "已发布心愿"
    as_csv = {r[0]: [("—" if v == "" else v) for v in r[1:]] for r in rows[1:]}
    for made in district["liuyin"]:
        assert as_csv[made.community.name] == expected(made)
    assert as_csv["合计"] == expected(*district["liuyin"])


async def test_the_district_admin_sees_each_street_and_the_district_total(client, district):
    await sign_in(client, district["phones"]["admin"])
    page = text_of((await client.get("/staff/wishes/")).text)
    everything = district["liuyin"] + district["nanhu"]
    assert row("柳荫街道", expected(*district["liuyin"])) in page
    assert row("南湖街道", expected(*district["nanhu"])) in page
    assert row("合计", expected(*everything)) in page
    rows = list(
        csv.reader(
            io.StringIO((await client.get("/staff/wishes/figures.csv")).content.decode("utf-8-sig"))
        )
    )
    assert rows[0][0] == "街道"
    assert [("—" if v == "" else v) for v in rows[-1][1:]] == expected(*everything)
    # The admin may open any street's page too.
    street = text_of((await client.get("/staff/street/nanhu/wishes/")).text)
    assert row("湖畔社区", expected(*district["nanhu"])) in street


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("nanhu", "/staff/street/liuyin/wishes/"),
        ("nanhu", "/staff/street/liuyin/wishes/figures.csv"),
        ("community", "/staff/street/liuyin/wishes/"),
        ("resident", "/staff/street/liuyin/wishes/"),
        ("liuyin", "/staff/wishes/"),
        ("liuyin", "/staff/wishes/figures.csv"),
        ("community", "/staff/wishes/"),
    ],
)
async def test_figures_of_a_street_or_the_district_are_for_its_officials(
    client, district, who, url
):
    await sign_in(client, district["phones"][who])
    refused = await client.get(url)
    assert refused.status_code == 403
    assert "没有权限" in refused.text


async def test_the_street_page_costs_the_same_queries_however_many_communities(client, district):
    await sign_in(client, district["phones"]["liuyin"])
    before = int((await client.get("/staff/street/liuyin/wishes/")).headers["x-query-count"])
    await _community(district["liuyin_id"], "桃园社区", [(S.CONFIRMED, 4), (S.CLAIMED, 0)], 2)
    await _community(district["liuyin_id"], "梨园社区", [(S.PUBLISHED, 0)], 1)
    after = int((await client.get("/staff/street/liuyin/wishes/")).headers["x-query-count"])
    assert after == before <= 10


async def test_the_community_page_agrees_with_the_street_page(client, district):
    xinghua = district["liuyin"][0]
    await sign_in(client, district["phones"]["community"])
    published, claimed, done, confirmed, members, per_member, days = expected(xinghua)
    page = text_of((await client.get(f"/staff/c/{xinghua.community.slug}/wishes/")).text)
    assert f"已发布心愿 {published}" in page and f"正在认领 {claimed}" in page
    assert f"已实现 {done}（已确认 {confirmed}）" in page and f"报到党员 {members}" in page
    assert f"人均实现心愿 {per_member}" in page and f"发布到确认平均 {days} 天" in page
