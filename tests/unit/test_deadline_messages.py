"""People are told before a clock runs out, by `civic sweep`: a helper of the claim they hold,
the desk of a case about to go overdue. Once per claim or case and deadline, however often and
however concurrently the sweep runs; a new claim or a new deadline is told again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.messages.tables import Message
from civic.settings import SecuritySettings, Settings
from civic.suggestions import service as cases
from civic.suggestions.feature import sweep as sweep_cases
from civic.suggestions.workflow import Verb
from civic.wishes import service as wishes
from civic.wishes.feature import sweep as sweep_wishes
from civic.wishes.tables import Helper
from civic.wishes.workflow import S
from tests import builders

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SETTINGS = Settings(security=SecuritySettings(secret_key="k" * 40))


async def viewer(*roles: tuple[Role, int], name: str = "张三丰") -> Viewer:
    person_id, _ = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def helper_in(community_id: int, name: str) -> Viewer:
    person = await viewer((Role.PARTY_MEMBER, community_id), name=name)
    helper_id = await wishes.report(person.id, community_id, Helper.Kind.MEMBER, name)
    await Helper.update({Helper.status: Helper.Status.VERIFIED}).where(Helper.id == helper_id)
    return person


async def texts(person: Viewer) -> list[str]:
    rows = (
        await Message.select(Message.text).where(Message.person == person.id).order_by(Message.id)
    )
    return [r["text"] for r in rows]


# 微心愿: the claimer, 24 hours before the claim runs out -------------------------------------


@pytest.fixture
async def tree():
    c = await builders.community()
    staff = await viewer((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    owner = await viewer((Role.RESIDENT, c.id), name="李桂芳")
    wish_id = await wishes.submit_wish(owner, c.id, owner.id, "修理厨房水龙头", "", "维修", 80, NOW)
    await wishes.move(staff, wish_id, S.PUBLISHED, NOW)
    return c, owner, wish_id


async def test_the_claimer_is_told_once_a_day_before_the_claim_runs_out(tree):
    c, owner, wish_id = tree
    claimer = await helper_in(c.id, "黄志远")
    await wishes.claim(claimer, wish_id, NOW)  # runs out on 11-30 at 10:00 Shanghai time
    told_before = await texts(owner)

    await sweep_wishes(NOW + timedelta(days=5, hours=23), SETTINGS)
    assert await texts(claimer) == []
    for _ in range(2):
        await sweep_wishes(NOW + timedelta(days=6, hours=1), SETTINGS)
    assert await texts(claimer) == [
        "您认领的心愿“修理厨房水龙头”将在 11月30日 10:00 到期，请在期限内帮忙实现；"
        "做不到可以放弃认领，让别人来帮。"
    ]
    assert await texts(owner) == told_before  # the warning is the claimer's alone


async def test_two_sweeps_at_the_same_moment_tell_the_claimer_once(tree):
    c, _owner, wish_id = tree
    claimer = await helper_in(c.id, "黄志远")
    await wishes.claim(claimer, wish_id, NOW)
    at = NOW + timedelta(days=6, hours=2)
    await asyncio.gather(*(sweep_wishes(at, SETTINGS) for _ in range(4)))
    assert len(await texts(claimer)) == 1


async def test_a_claim_made_again_is_warned_again(tree):
    c, _owner, wish_id = tree
    first = await helper_in(c.id, "黄志远")
    second = await helper_in(c.id, "林晓梅")
    await wishes.claim(first, wish_id, NOW)
    await sweep_wishes(NOW + timedelta(days=6, hours=1), SETTINGS)
    await wishes.move(first, wish_id, S.PUBLISHED, NOW + timedelta(days=6, hours=2), note="没空")
    later = NOW + timedelta(days=6, hours=3)
    await wishes.claim(second, wish_id, later)
    await sweep_wishes(later + timedelta(days=5), SETTINGS)
    assert await texts(second) == []
    await sweep_wishes(later + timedelta(days=6, hours=1), SETTINGS)
    await sweep_wishes(later + timedelta(days=6, hours=2), SETTINGS)
    assert len(await texts(second)) == 1 and "12月06日 13:00 到期" in (await texts(second))[0]
    assert len(await texts(first)) == 1  # told of their own claim only


# 意见箱: the desk, 2 hours before a response and 6 hours before feedback is due ---------------


@pytest.fixture
async def box():
    c = await builders.community()
    staff = await viewer((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    code = await cases.file_case(
        None, c.id, category="环境卫生", text="北门垃圾桶满了", now=NOW, phone="13911112222"
    )
    return c, staff, code


def respond_warning(code: str, at: str) -> str:
    return f"这件事还没有回应，{at} 前要受理或回复：{code[:4]}-{code[4:]}"


def resolve_warning(code: str, at: str) -> str:
    return f"这件事 {at} 前要反馈办理结果，快到期了：{code[:4]}-{code[4:]}"


async def test_the_desk_is_told_before_the_response_and_the_feedback_are_due(box):
    _c, staff, code = box
    new_case = await texts(staff)  # 新的意见待受理
    await sweep_cases(NOW + timedelta(hours=9, minutes=59), SETTINGS)
    assert await texts(staff) == new_case
    for _ in range(2):
        await sweep_cases(NOW + timedelta(hours=10, minutes=1), SETTINGS)
    assert await texts(staff) == [*new_case, respond_warning(code, "11月23日 22:00")]
    for _ in range(2):
        await sweep_cases(NOW + timedelta(hours=18, minutes=1), SETTINGS)
    assert await texts(staff) == [
        *new_case,
        respond_warning(code, "11月23日 22:00"),
        resolve_warning(code, "11月24日 10:00"),
    ]


async def test_a_case_responded_to_is_not_warned_of_the_response(box):
    _c, staff, code = box
    await cases.act(staff, code, Verb.ACCEPT, NOW + timedelta(hours=1))
    before = await texts(staff)
    await sweep_cases(NOW + timedelta(hours=10, minutes=1), SETTINGS)
    assert await texts(staff) == before


async def test_two_sweeps_at_the_same_moment_tell_the_desk_once(box):
    _c, staff, code = box
    other = await viewer((Role.COMMUNITY_STAFF, _c.id), name="刘志强")
    at = NOW + timedelta(hours=10, minutes=30)
    await asyncio.gather(*(sweep_cases(at, SETTINGS) for _ in range(4)))
    for person in (staff, other):
        warnings = [t for t in await texts(person) if "前要" in t]
        assert warnings == [respond_warning(code, "11月23日 22:00")]


async def test_a_reopened_case_is_warned_of_its_new_deadline(box):
    _c, staff, code = box
    await cases.act(staff, code, Verb.ACCEPT, NOW + timedelta(hours=1))
    await sweep_cases(NOW + timedelta(hours=19), SETTINGS)
    await cases.act(staff, code, Verb.ANSWER, NOW + timedelta(hours=20), note="已清运")
    reopened_at = NOW + timedelta(days=2)
    await cases.rate(None, code, "unsatisfied", reopened_at, proven=True)
    await sweep_cases(reopened_at + timedelta(hours=18, minutes=1), SETTINGS)
    await sweep_cases(reopened_at + timedelta(hours=19), SETTINGS)
    assert [t for t in await texts(staff) if "前要" in t] == [
        resolve_warning(code, "11月24日 10:00"),
        resolve_warning(code, "11月26日 10:00"),
    ]


async def test_an_escalated_case_is_warned_to_the_street_holding_it(box):
    c, staff, code = box
    official = await viewer((Role.STREET_OFFICIAL, c.street_id), name="赵建国")
    await cases.act(staff, code, Verb.ACCEPT, NOW + timedelta(hours=1))
    await cases.act(staff, code, Verb.ESCALATE, NOW + timedelta(hours=2), note="需要街道协调")
    await sweep_cases(NOW + timedelta(hours=18, minutes=1), SETTINGS)  # the old deadline
    assert [t for t in await texts(official) if "前要" in t] == []
    await sweep_cases(NOW + timedelta(days=2, hours=18, minutes=1), SETTINGS)
    assert [t for t in await texts(official) if "前要" in t] == [
        resolve_warning(code, "11月26日 10:00")
    ]
    assert [t for t in await texts(staff) if "前要" in t] == []
