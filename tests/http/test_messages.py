"""消息: a person is told when what they wait for happens, in the same transaction as the
event; the header shows how many are new, and opening the inbox marks them read."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.messages.tables import Message
from civic.suggestions import service as cases
from civic.suggestions.workflow import Verb
from civic.wishes import service as wishes
from civic.wishes.tables import Helper
from civic.wishes.workflow import S
from tests import builders

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def _texts(person_id: int) -> list[str]:
    rows = (
        await Message.select(Message.text).where(Message.person == person_id).order_by(Message.id)
    )
    return [r["text"] for r in rows]


async def test_a_filer_and_the_desks_are_told_as_a_case_moves(client):
    street = await builders.street(await builders.district())
    c = await builders.community(street)
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    official_id, _ = await builders.person((Role.STREET_OFFICIAL, street), name="周建国")
    filer_id, filer_phone = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    staff, filer = await load_viewer(staff_id), await load_viewer(filer_id)
    code = await cases.file_case(filer, c.id, category="环境卫生", text="楼道灯坏了", now=NOW)
    shown = f"{code[:4]}-{code[4:]}"
    assert await _texts(staff_id) == [f"新的意见待受理：{shown}"]
    await cases.act(staff, code, Verb.ACCEPT, NOW)
    await cases.act(staff, code, Verb.ESCALATE, NOW, note="需要街道协调电工")
    assert await _texts(official_id) == [f"有一件事吹哨到您这里，请报到接办：{shown}"]
    assert await _texts(filer_id) == [
        f"您反映的事（{shown}）已受理。",
        f"您反映的事（{shown}）社区已吹哨上报，请上一级一起办理。",
    ]

    await builders.sign_in(client, filer_phone)
    page = builders.text_of((await client.get("/me")).text)
    assert "消息（2 条新）" in page
    inbox = builders.text_of((await client.get("/me/messages")).text)
    assert "已受理" in inbox and "吹哨上报" in inbox
    assert "消息（" not in builders.text_of((await client.get("/me")).text)
    assert (
        await Message.count().where((Message.person == filer_id) & Message.read_at.is_null()) == 0
    )


async def test_a_wish_tells_its_owner_and_its_claimer(client):
    c = await builders.community()
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    owner_id, _ = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    member_id, _ = await builders.person((Role.PARTY_MEMBER, c.id), name="黄志远")
    staff, owner, member = [await load_viewer(i) for i in (staff_id, owner_id, member_id)]
    helper_id = await wishes.report(member_id, c.id, Helper.Kind.MEMBER, "黄志远")
    await wishes.decide_report(staff, helper_id, True, NOW)

    wish_id = await wishes.submit_wish(owner, c.id, owner_id, "修理水龙头", "", "维修", 80, NOW)
    assert await _texts(staff_id) == ["新心愿待审核：“修理水龙头”"]
    # Two staff approving at once: one approval, one message.
    await asyncio.gather(
        wishes.move(staff, wish_id, S.PUBLISHED, NOW),
        wishes.move(staff, wish_id, S.PUBLISHED, NOW),
        return_exceptions=True,
    )
    await wishes.claim(member, wish_id, NOW)
    assert await wishes.release_expired(NOW + timedelta(days=wishes.CLAIM_DAYS, hours=1)) == 1
    assert await _texts(owner_id) == [
        "您的心愿“修理水龙头”通过了审核，已挂上心愿树。",
        "您的心愿“修理水龙头”有人认领了，认领人会联系您。",
        "心愿“修理水龙头”的认领超过了期限，心愿回到了心愿树上。",
    ]
    assert await _texts(member_id) == ["您认领的心愿“修理水龙头”超过 7 天未完成，已回到心愿树上。"]


async def test_an_empty_inbox_says_what_will_arrive(client):
    c = await builders.community()
    _, phone = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    await builders.sign_in(client, phone)
    page = builders.text_of((await client.get("/me/messages")).text)
    assert "还没有消息" in page
