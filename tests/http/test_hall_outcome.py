"""议事厅 outcomes through the pages: a published convention and its numbered articles,
signing it with a plain form (a double tap signs once), meetings, the outcome page and its A4
PDF, what is typed shown as text everywhere, and nothing of one community under another's."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.app import create_app
from civic.hall import outcome, service, votes
from civic.hall.service import TopicInput
from civic.hall.tables import Article, Meeting, Signature, Topic, VoteOption
from civic.hall.workflow import Verb
from civic.places import service as places
from civic.places.tables import Household
from civic.settings import Settings
from civic.web.clock import FixedClock
from tests import builders
from tests.builders import post_form, sign_in, text_of

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
DOGS = [
    "遛狗牵绳，绳长不超过 1.5 米。",
    "及时清理宠物粪便。",
    "不在楼道、电梯里逗留宠物。",
    "大型犬不进儿童游乐区。",
    "晚上十点后管好宠物不扰邻。",
    "按时给狗打疫苗、办证。",
    "不在公共区域喂流浪动物。",
    "宠物生病及时就医。",
    "乘电梯时主动避让老人和孩子。",
    "不把宠物关在阳台上长时间吠叫。",
    "遛狗避开上下学高峰。",
    "邻里有矛盾先协商。",
    "养犬自律会每月巡查一次。",
    "本公约由居民签署后施行。",
]
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app():
    return create_app(Settings.from_env(), clock=FixedClock(NOW))


async def _viewer(person_id: int) -> Viewer:
    found = await load_viewer(person_id)
    assert found is not None
    return found


@pytest.fixture
async def place():
    street = await builders.street(await builders.district())
    c = await builders.community(street, name="杏花社区")
    other = await builders.community(street, name="桃园社区")
    staff, _ = await builders.person(
        (Role.COMMUNITY_STAFF, c.id), name="王秀兰", phone="13900000011"
    )
    resident, _ = await builders.person((Role.RESIDENT, c.id), name="李桂芳", phone="13900000031")
    await builders.person((Role.RESIDENT, other.id), name="张福林", phone="13900000032")
    return {"c": c, "other": other, "staff": await _viewer(staff), "resident": resident}


async def _convention(place, articles=DOGS, published=True, title="文明养犬怎么定") -> dict:
    staff = place["staff"]
    topic = await service.open_topic(
        staff, place["c"].id, TopicInput(title, "狗多了，大家说说怎么管。"), NOW
    )
    await service.step(staff, topic, Verb.DELIBERATE, NOW)
    topic = await service.load(topic["id"], place["c"].id)
    if articles:
        await outcome.set_articles(staff, topic, articles, NOW)
    if published:
        await service.step(
            staff,
            topic,
            Verb.PUBLISH,
            NOW,
            outcome=(Topic.Outcome.CONVENTION, "定下《文明养犬公约》。"),
        )
    return await service.load(topic["id"], place["c"].id)


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "outcome.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", done.stdout)


async def test_a_published_convention_of_fourteen_articles_is_shown_numbered(client, place):
    c = place["c"]
    topic = await _convention(place)
    page = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "文明养犬怎么定" in shown and "公示结果：公约" in shown
    assert "第一条 遛狗牵绳，绳长不超过 1.5 米。" in shown
    assert "第十条 不把宠物关在阳台上长时间吠叫。" in shown
    assert "第十四条 本公约由居民签署后施行。" in shown
    assert shown.index("第九条") < shown.index("第十条") < shown.index("第十四条")
    assert "已有 0 人签署" in shown
    assert "登录后就能签署。" in shown  # a visitor is told how, and given no button
    assert '/sign"' not in page.text and "我签署这份公约" not in page.text


async def test_a_resident_signs_with_a_plain_form_and_a_second_tap_signs_once(client, place):
    c = place["c"]
    topic = await _convention(place)
    await sign_in(client, "13900000031")
    page = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")
    assert f'action="/c/{c.slug}/hall/{topic["id"]}/sign"' in page.text
    assert "我签署这份公约" in page.text

    for _tap in range(2):
        signed = await post_form(client, f"/c/{c.slug}/hall/{topic['id']}/sign", {})
        assert signed.status_code == 303
        assert signed.headers["location"] == f"/c/{c.slug}/hall/{topic['id']}/#outcome"
    assert await Signature.count().where(Signature.topic == topic["id"]) == 1
    shown = text_of((await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")).text)
    assert "已有 1 人签署" in shown
    assert "您已于 2026年12月01日 签署。" in shown
    assert "李桂芳" not in shown and "李*" not in shown  # signers are counted, never named


async def test_htmx_gets_the_fragment_with_the_count_and_the_second_tap_is_told(client, place):
    c = place["c"]
    topic = await _convention(place)
    await sign_in(client, "13900000031")
    url = f"/c/{c.slug}/hall/{topic['id']}/sign"
    first = await post_form(client, url, {}, headers={"HX-Request": "true"})
    assert first.status_code == 200
    assert first.text.lstrip().startswith("<section") and "<html" not in first.text
    assert "已有 1 人签署" in text_of(first.text) and "谢谢您签署这份公约。" in first.text
    again = await post_form(client, url, {}, headers={"HX-Request": "true"})
    assert "已有 1 人签署" in text_of(again.text)
    assert "您已于 2026年12月01日 签署过这份公约，谢谢。" in again.text
    assert await Signature.count() == 1


async def test_the_count_polls_and_is_304_until_a_neighbour_signs(client, place):
    c = place["c"]
    topic = await _convention(place)
    url = f"/c/{c.slug}/hall/{topic['id']}/signatures"
    page = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")
    assert f'data-hx-get="{url}"' in page.text and "data-poll" in page.text
    first = await client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200 and 'id="signature-count"' in first.text
    assert "已有 0 人签署" in text_of(first.text)
    tag = first.headers["etag"]
    same = await client.get(url, headers={"HX-Request": "true", "If-None-Match": tag})
    assert same.status_code == 304 and same.content == b""

    await outcome.sign(await _viewer(place["resident"]), topic, NOW)
    changed = await client.get(url, headers={"HX-Request": "true", "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert "已有 1 人签署" in text_of(changed.text)
    draft = await _convention(place, published=False)
    assert (await client.get(f"/c/{c.slug}/hall/{draft['id']}/signatures")).status_code == 404


async def test_an_outsider_is_refused_signing_in_chinese(client, place):
    c = place["c"]
    topic = await _convention(place)
    await sign_in(client, "13900000032")
    refused = await post_form(client, f"/c/{c.slug}/hall/{topic['id']}/sign", {})
    assert refused.status_code == 403
    assert "这个议题由本社区居民参与。" in text_of(refused.text)
    assert await Signature.count() == 0


async def test_moderators_write_articles_from_a_pasted_text(client, place):
    c = place["c"]
    topic = await _convention(place, articles=None, published=False)
    await sign_in(client, "13900000011")
    url = f"/c/{c.slug}/hall/{topic['id']}/articles"
    pasted = "第一条 楼道不堆物\n\n2. 电动车不进楼"
    saved = await post_form(client, url, {"articles": pasted})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/c/{c.slug}/hall/{topic['id']}/#outcome"
    rows = await Article.select(Article.number, Article.text).order_by(Article.number)
    assert rows == [{"number": 1, "text": "楼道不堆物"}, {"number": 2, "text": "电动车不进楼"}]
    fragment = await post_form(client, url, {"articles": pasted}, headers={"HX-Request": "true"})
    shown = text_of(fragment.text)
    assert "公约草案" in shown and "条文已保存。" in shown
    assert "第一条 楼道不堆物" in shown and "第二条 电动车不进楼" in shown
    assert "楼道不堆物\n电动车不进楼</textarea>" in fragment.text  # the form holds them again

    refused = await post_form(client, url, {"articles": "长" * 501})
    assert refused.status_code == 422
    assert "第一条：最多 500 个字，现在是 501 个字。" in refused.text
    assert "长" * 501 in refused.text  # what was typed stays in the form
    await sign_in(client, "13900000031")
    forbidden = await post_form(client, url, {"articles": "第一条 随便写"})
    assert forbidden.status_code == 403
    assert "只有社区工作者和议事会成员可以修改公约条文。" in text_of(forbidden.text)
    assert await Article.count() == 2


async def test_meetings_are_recorded_once_and_listed(client, place):
    c = place["c"]
    topic = await _convention(place)
    await sign_in(client, "13900000011")
    page = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")
    form = re.search(r'name="_once" value="([^"]+)"', page.text.split('id="meetings"')[1])
    assert form is not None
    data = {
        "kind": "hearing",
        "held_on": "2026-11-28",
        "place": "社区活动室",
        "attended": "46",
        "minutes": "大家同意牵绳。\n高峰时段有争议。",
        "_once": form.group(1),
    }
    url = f"/c/{c.slug}/hall/{topic['id']}/meetings"
    for _tap in range(2):
        done = await post_form(client, url, data)
        assert done.status_code == 303
        assert done.headers["location"] == f"/c/{c.slug}/hall/{topic['id']}/#meetings"
    assert await Meeting.count() == 1
    page = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")
    shown = text_of(page.text)
    assert "民情恳谈会 · 2026年11月28日" in shown and "地点：社区活动室 · 参加 46 人" in shown
    assert "大家同意牵绳。\n高峰时段有争议。" in page.text

    refused = await post_form(
        client, url, {**data, "_once": "", "attended": "20000", "held_on": "2026-02-30"}
    )
    assert refused.status_code == 422
    assert "参会人数请填写 0 到 10000 之间的整数。" in refused.text
    assert "请按“2026-12-20”的样子填写日期。" in refused.text
    assert 'value="社区活动室"' in refused.text  # what was typed stays in the form
    fragment = await post_form(
        client, url, {**data, "_once": "", "kind": "council"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<section")
    assert "议事会 · 2026年11月28日" in text_of(fragment.text)
    assert await Meeting.count() == 2
    await sign_in(client, "13900000031")
    assert (await post_form(client, url, {**data, "_once": ""})).status_code == 403
    assert await Meeting.count() == 2


async def test_the_pdf_is_a4_small_and_carries_articles_meeting_and_dates(client, place, tmp_path):
    c = place["c"]
    topic = await _convention(place)
    await outcome.record_meeting(
        place["staff"], topic, "hearing", "2026-11-28", "社区活动室", 46, "大家同意牵绳。", NOW
    )
    pdf = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(pdf.content) <= 150 * 1024, len(pdf.content)
    text = _pdf_text(pdf.content, tmp_path)
    assert "文明养犬怎么定" in text and "杏花社区" in text and "全社区" in text
    assert "第一条遛狗牵绳，绳长不超过1.5米。" in text
    assert "第十四条本公约由居民签署后施行。" in text
    assert "民情恳谈会2026年11月28日社区活动室46" in text and "大家同意牵绳。" in text
    assert "讨论协商2026年12月01日" in text and "公示2026年12月01日" in text
    assert "已有0人签署" in text


async def test_what_is_typed_in_articles_and_minutes_shows_as_text(client, place, tmp_path):
    c = place["c"]
    topic = await _convention(place, articles=[XSS, "第二条正常"], published=False)
    await outcome.record_meeting(place["staff"], topic, "council", "2026-11-28", XSS, 3, XSS, NOW)
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    await sign_in(client, "13900000011")
    fragment = await post_form(
        client,
        f"/c/{c.slug}/hall/{topic['id']}/articles",
        {"articles": f"1. {XSS}\n2. 第二条正常"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    for html in (fragment.text,):
        assert escaped in html and "<script>alert" not in html and "<img src=x" not in html
    meetings = await post_form(
        client,
        f"/c/{c.slug}/hall/{topic['id']}/meetings",
        {"kind": "council", "held_on": "2026-11-29", "attended": "1", "minutes": XSS},
        headers={"HX-Request": "true"},
    )
    assert escaped in meetings.text and "<script>alert" not in meetings.text

    staff = place["staff"]
    await service.step(
        staff, topic, Verb.PUBLISH, NOW, outcome=(Topic.Outcome.CONVENTION, f"结果{XSS}")
    )
    page = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")
    assert page.text.count(escaped) >= 4  # article, outcome text, place, minutes
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    pdf = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome.pdf")
    text = _pdf_text(pdf.content, tmp_path)
    typed = re.sub(r"\s+", "", XSS)
    assert f"第一条{typed}" in text and f"纪要：{typed}" in text


async def test_no_outcome_before_publishing_nor_under_another_community(client, place):
    c, other = place["c"], place["other"]
    draft = await _convention(place, published=False)
    for suffix in ("outcome", "outcome.pdf"):
        early = await client.get(f"/c/{c.slug}/hall/{draft['id']}/{suffix}")
        assert early.status_code == 404
        assert "议题公示以后才有结果页。" in text_of(early.text)
    topic = await _convention(place)
    for suffix in ("outcome", "outcome.pdf"):
        elsewhere = await client.get(f"/c/{other.slug}/hall/{topic['id']}/{suffix}")
        assert elsewhere.status_code == 404
        assert "没有这个议题。" in text_of(elsewhere.text)
    await sign_in(client, "13900000032")
    crossed = await post_form(client, f"/c/{other.slug}/hall/{topic['id']}/sign", {})
    assert crossed.status_code == 404
    assert await Signature.count() == 0


@pytest.mark.parametrize(
    ("against_area", "verdict", "lines"),
    [
        (
            10_000,
            "通过",
            [
                "参与户数 4/6（66.7%），达到三分之二",
                "参与面积 400.00/600.00 m²（66.7%），达到三分之二",
                "同意户数 3/4（75.0%），达到四分之三",
                "同意面积 300.00/400.00 m²（75.0%），达到四分之三",
            ],
        ),
        (
            20_000,  # heads reach three quarters, the area does not
            "未通过",
            [
                "参与户数 4/6（66.7%），达到三分之二",
                "参与面积 500.00/700.00 m²（71.4%），达到三分之二",
                "同意户数 3/4（75.0%），达到四分之三",
                "同意面积 300.00/500.00 m²（60.0%），未达到四分之三",
            ],
        ),
    ],
)
async def test_the_vote_at_its_boundaries_on_the_outcome_page_and_in_the_pdf(
    client, place, tmp_path, against_area, verdict, lines
):
    """A lift for one building (《民法典》第二百七十八条, 改建): 4 of 6 households take part,
    exactly two thirds; 3 of those 4 agree, exactly three quarters."""
    c, staff = place["c"], place["staff"]
    building = await places.create_building(c.id, "1号楼")
    homes = []
    for n in range(6):
        area = against_area if n == 3 else 10_000
        rows = await Household.insert(
            Household(building=building, door=f"1-{n + 1}01", area_dm2=area, key=f"{building}:{n}")
        ).returning(Household.id)
        homes.append(rows[0]["id"])
    given = TopicInput(
        "1号楼加装电梯", "费用按楼层分摊。", Topic.Scope.BUILDING, building_id=building
    )
    topic = await service.open_topic(staff, c.id, given, NOW)
    setup = service.VoteSetup(
        Topic.Counting.HOUSEHOLD, Topic.Threshold.SPECIAL, tally_while_open=True, vote_until=None
    )
    await service.set_up_vote(staff, topic, setup, NOW)
    for verb in (Verb.DELIBERATE, Verb.OPEN_VOTE):
        await service.step(staff, await service.load(topic["id"], c.id), verb, NOW)
    topic = await service.load(topic["id"], c.id)
    options = {
        r["label"]: r["id"]
        for r in await VoteOption.select(VoteOption.id, VoteOption.label).where(
            VoteOption.topic == topic["id"]
        )
    }
    for n, choice in enumerate(("同意", "同意", "同意", "不同意")):
        await votes.enter_paper(staff, topic, homes[n], options[choice], None, NOW)
    await service.step(
        staff, topic, Verb.PUBLISH, NOW, outcome=(Topic.Outcome.DECISION, "按表决结果办。")
    )

    page = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome")
    shown = text_of(page.text)
    assert f"表决结果：{verdict}" in shown
    for line in lines:
        assert line in shown
    pdf = await client.get(f"/c/{c.slug}/hall/{topic['id']}/outcome.pdf")
    assert pdf.status_code == 200 and len(pdf.content) <= 150 * 1024
    text = _pdf_text(pdf.content, tmp_path)
    assert f"表决结果：{verdict}" in text
    for line in lines:
        assert re.sub(r"\s+", "", line) in text
    assert "同意3300.00" in text  # the tally: option, households, area
    assert "第二百七十八条" in text  # the threshold it was held to
