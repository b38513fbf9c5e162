"""议事厅 through the pages: opening and proposing topics, their stages, who may move them,
the moderators' queue, and what the hall and /me list."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.hall.tables import Topic, TopicEvent
from civic.messages.tables import Message
from civic.places import service as places
from tests import builders
from tests.builders import post_form, sign_in, text_of


@pytest.fixture
async def place():
    district = await builders.district()
    street = await builders.street(district)
    c = await builders.community(street, name="杏花社区")
    other = await builders.community(street, name="桃园社区")
    staff, _ = await builders.person(
        (Role.COMMUNITY_STAFF, c.id), name="王秀兰", phone="13900000011"
    )
    council, _ = await builders.person(
        (Role.COUNCIL_MEMBER, c.id), name="马大姐", phone="13900000012"
    )
    resident, _ = await builders.person((Role.RESIDENT, c.id), name="李桂芳", phone="13900000031")
    outsider_staff, _ = await builders.person(
        (Role.COMMUNITY_STAFF, other.id), name="赵强", phone="13900000041"
    )
    return {
        "c": c,
        "other": other,
        "staff": staff,
        "council": council,
        "resident": resident,
        "outsider_staff": outsider_staff,
    }


async def _new(client, c, **fields):
    data = {"title": "北门停车位怎么分", "text": "晚上车多，\n消防通道被占。", "scope": "community"}
    data.update(fields)
    return await post_form(client, f"/c/{c.slug}/hall/new", data)


def _topic_id(response) -> int:
    location = response.headers["location"]
    assert location.startswith("/c/") and location.endswith("/"), location
    return int(location.rstrip("/").rsplit("/", 1)[1])


async def test_an_empty_hall_says_how_to_propose_a_topic(client, place):
    c = place["c"]
    page = await client.get(f"/c/{c.slug}/hall/")
    assert page.status_code == 200
    assert "还没有议题" in page.text
    assert f'href="/c/{c.slug}/hall/new"' in page.text
    home = await client.get(f"/c/{c.slug}/")
    assert f'href="/c/{c.slug}/hall/"' in home.text


async def test_staff_open_a_topic_that_starts_collecting_and_move_it_on(client, place):
    c = place["c"]
    await sign_in(client, "13900000011")
    response = await _new(client, c, collect_until="2030-01-10")
    assert response.status_code == 303
    topic_id = _topic_id(response)
    page = await client.get(f"/c/{c.slug}/hall/{topic_id}/")
    shown = text_of(page.text)
    assert "北门停车位怎么分" in shown and "征集需求" in shown and "（现在）" in shown
    assert "议题已发起，开始征集需求。" in shown  # said once, after the redirect
    again = text_of((await client.get(f"/c/{c.slug}/hall/{topic_id}/")).text)
    assert "议题已发起" not in again
    assert "01月10日" in shown  # the stage's planned end
    assert "晚上车多，\n消防通道被占。" in page.text  # line breaks kept, shown as text

    await post_form(client, f"/c/{c.slug}/hall/{topic_id}/step", {"verb": "deliberate"})
    row = (
        await Topic.select(Topic.status, Topic.deliberating_at).where(Topic.id == topic_id).first()
    )
    assert row["status"] == "deliberating" and row["deliberating_at"] is not None

    # Publishing needs the outcome written; refused, the page says so and keeps the choice.
    refused = await post_form(
        client, f"/c/{c.slug}/hall/{topic_id}/step", {"verb": "publish", "outcome": "decision"}
    )
    assert refused.status_code == 400
    assert "请写明结果" in refused.text
    done = await post_form(
        client,
        f"/c/{c.slug}/hall/{topic_id}/step",
        {
            "verb": "publish",
            "outcome": "decision",
            "outcome_text": "北门划 12 个夜间车位，按楼轮换。",
        },
    )
    assert done.status_code == 303
    page = await client.get(f"/c/{c.slug}/hall/{topic_id}/")
    assert "公示" in text_of(page.text)
    verbs = [
        r["verb"]
        for r in await TopicEvent.select(TopicEvent.verb)
        .where(TopicEvent.topic == topic_id)
        .order_by(TopicEvent.id)
    ]
    assert verbs == ["open", "deliberate", "publish"]


async def test_a_resident_proposes_and_the_council_accepts_or_declines(client, place):
    c = place["c"]
    await sign_in(client, "13900000031")
    response = await _new(client, c, title="楼道堆物怎么清")
    topic_id = _topic_id(response)
    # Waiting for acceptance: the proposer sees it, a visitor does not, the council is told.
    mine = await client.get(f"/c/{c.slug}/hall/")
    assert "楼道堆物怎么清" in mine.text and "等社区受理" in mine.text
    told = await Message.select(Message.person, Message.text)
    assert {m["person"] for m in told} == {place["staff"], place["council"]}
    assert all("楼道堆物怎么清" in m["text"] for m in told)
    # A resident cannot move it on.
    refused = await post_form(client, f"/c/{c.slug}/hall/{topic_id}/step", {"verb": "accept"})
    assert refused.status_code == 403

    await post_form(client, "/logout", {})
    hidden = await client.get(f"/c/{c.slug}/hall/{topic_id}/")
    assert hidden.status_code == 404
    assert "楼道堆物怎么清" not in (await client.get(f"/c/{c.slug}/hall/")).text

    await sign_in(client, "13900000012")  # the council member
    declined = await post_form(client, f"/c/{c.slug}/hall/{topic_id}/step", {"verb": "decline"})
    assert declined.status_code == 400 and "请写明原因" in declined.text
    await post_form(
        client,
        f"/c/{c.slug}/hall/{topic_id}/step",
        {"verb": "decline", "note": "已有同样的议题，请到那里发言"},
    )
    row = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
    assert row["status"] == "declined"
    told = await Message.select(Message.text).where(Message.person == place["resident"])
    assert [m["text"] for m in told] == [
        "您提出的议题“楼道堆物怎么清”未受理：已有同样的议题，请到那里发言"
    ]


async def test_another_communitys_staff_cannot_move_a_topic(client, place):
    c = place["c"]
    await sign_in(client, "13900000011")
    topic_id = _topic_id(await _new(client, c))
    await post_form(client, "/logout", {})
    await sign_in(client, "13900000041")
    refused = await post_form(client, f"/c/{c.slug}/hall/{topic_id}/step", {"verb": "deliberate"})
    assert refused.status_code == 403
    # Nor reach it through their own community's address.
    other = await client.get(f"/c/{place['other'].slug}/hall/{topic_id}/")
    assert other.status_code == 404
    row = await Topic.select(Topic.status).where(Topic.id == topic_id).first()
    assert row["status"] == "collecting"


async def test_a_building_topic_needs_a_building_of_this_community(client, place):
    c = place["c"]
    other_building = await places.create_building(place["other"].id, "9号楼")
    await sign_in(client, "13900000011")
    refused = await _new(client, c, scope="building", building=str(other_building))
    assert refused.status_code == 422
    assert "请选择这个议题所在的楼" in refused.text
    assert "北门停车位怎么分" in refused.text  # what was typed is kept
    own = await places.create_building(c.id, "3号楼")
    made = await _new(client, c, scope="building", building=str(own))
    page = await client.get(made.headers["location"])
    assert "3号楼" in text_of(page.text)


async def test_a_double_tap_opens_one_topic(client, place):
    c = place["c"]
    await sign_in(client, "13900000011")
    form = await client.get(f"/c/{c.slug}/hall/new")
    once = form.text.split('name="_once" value="', 1)[1].split('"', 1)[0]
    first = await _new(client, c, _once=once)
    second = await _new(client, c, _once=once)
    assert first.headers["location"] == second.headers["location"]
    assert await Topic.count() == 1


async def test_the_queue_shows_proposals_and_stages_past_their_end(client, place, app):
    c = place["c"]
    await sign_in(client, "13900000031")
    await _new(client, c, title="想办老年餐桌")
    await post_form(client, "/logout", {})
    await sign_in(client, "13900000011")
    late = _topic_id(await _new(client, c, title="绿地改造", collect_until="2020-01-01"))
    queue = await client.get(f"/staff/c/{c.slug}/hall/")
    shown = text_of(queue.text)
    assert "想办老年餐桌" in shown and "待受理" in shown
    assert "绿地改造" in shown and "已到期" in shown
    assert f"/hall/{late}/" in queue.text
    await post_form(client, "/logout", {})
    await sign_in(client, "13900000031")
    assert (await client.get(f"/staff/c/{c.slug}/hall/")).status_code == 403


async def test_the_vote_is_set_up_before_it_opens(client, place):
    c = place["c"]
    await sign_in(client, "13900000011")
    topic_id = _topic_id(await _new(client, c))
    base = f"/c/{c.slug}/hall/{topic_id}"
    await post_form(client, f"{base}/step", {"verb": "deliberate"})
    page = await client.get(f"{base}/")
    assert "开始表决" not in page.text  # no vote set up: the move is not offered
    later = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    done = await post_form(
        client,
        f"{base}/setup",
        {"counting": "person", "threshold": "majority", "vote_until": later, "options": ""},
    )
    assert done.status_code == 303
    await post_form(client, f"{base}/step", {"verb": "open_vote"})
    row = await Topic.select(Topic.status, Topic.has_vote).where(Topic.id == topic_id).first()
    assert row == {"status": "voting", "has_vote": True}
    # A household threshold on a community-wide vote is refused with the reason.
    other = _topic_id(await _new(client, c, title="第二个议题"))
    refused = await post_form(
        client, f"/c/{c.slug}/hall/{other}/setup", {"counting": "person", "threshold": "special"}
    )
    assert refused.status_code == 400
    assert "第二百七十八条" in refused.text


async def test_me_lists_votes_waiting_and_votes_cast(client, place):
    c = place["c"]
    await sign_in(client, "13900000011")
    topic_id = _topic_id(await _new(client, c, title="北门停车位怎么分"))
    base = f"/c/{c.slug}/hall/{topic_id}"
    await post_form(client, f"{base}/step", {"verb": "deliberate"})
    await post_form(client, f"{base}/setup", {"counting": "person", "threshold": "majority"})
    await post_form(client, f"{base}/step", {"verb": "open_vote"})
    await post_form(client, "/logout", {})
    await sign_in(client, "13900000031")
    me = text_of((await client.get("/me")).text)
    assert "等您投票：北门停车位怎么分" in me
    page = await client.get(f"{base}/")
    option = page.text.split('name="option" value="', 1)[1].split('"', 1)[0]
    await post_form(client, f"{base}/vote", {"option": option})
    me = text_of((await client.get("/me")).text)
    assert "等您投票" not in me and "我投过票：北门停车位怎么分" in me


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


async def test_what_is_typed_in_a_topic_shows_as_text(client, place, tmp_path):
    c = place["c"]
    await sign_in(client, "13900000011")
    made = await _new(client, c, title="停车" + XSS[:40], text=XSS)
    topic_id = _topic_id(made)
    for url in (f"/c/{c.slug}/hall/", f"/c/{c.slug}/hall/{topic_id}/"):
        html = (await client.get(url)).text
        assert "&lt;script&gt;" in html
        assert "<script>alert" not in html and "<img src=x" not in html
    page = (await client.get(f"/c/{c.slug}/hall/{topic_id}/")).text
    assert ESCAPED in page
    base = f"/c/{c.slug}/hall/{topic_id}"
    await post_form(client, f"{base}/step", {"verb": "deliberate"})
    await post_form(
        client, f"{base}/step", {"verb": "publish", "outcome": "decision", "outcome_text": XSS}
    )
    pdf = await client.get(f"{base}/outcome.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    file = tmp_path / "outcome.pdf"
    file.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-q", str(file), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert re.sub(r"\s+", "", XSS) in re.sub(r"\s+", "", text)
