"""意见箱 rules: every step for every kind of person, the clocks, escalation, rating."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.errors import DomainError, InvalidTransition, NotAllowed
from civic.places import service as places
from civic.suggestions import queries, service
from civic.suggestions.tables import Case, CaseEvent
from civic.suggestions.workflow import FILER_VERBS, MOVES, L, S, Verb
from civic.web import codes
from tests import builders

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def viewer(*roles: tuple[Role, int], name: str = "张三丰") -> Viewer:
    person_id, _ = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found


@dataclass
class World:
    community: int
    other_community: int
    department: int
    other_department: int
    people: dict[str, Viewer | None]


@pytest.fixture
async def world() -> World:
    district = await builders.district()
    street, far_street = await builders.street(district), await builders.street(district)
    here, there = await builders.community(street), await builders.community(street)
    far = await builders.community(far_street)
    d1 = await places.create_department("区城管委", "chengguan")
    d2 = await places.create_department("区住建委", "zhujian")
    people = {
        "staff": await viewer((Role.COMMUNITY_STAFF, here.id), name="王秀兰"),
        "staff_elsewhere": await viewer((Role.COMMUNITY_STAFF, there.id), name="刘志强"),
        "staff_far": await viewer((Role.COMMUNITY_STAFF, far.id), name="赵红"),
        "street": await viewer((Role.STREET_OFFICIAL, street), name="孙建国"),
        "street_far": await viewer((Role.STREET_OFFICIAL, far_street), name="周海"),
        "department": await viewer((Role.DEPARTMENT_STAFF, d1), name="吴磊"),
        "department_other": await viewer((Role.DEPARTMENT_STAFF, d2), name="郑丽"),
        "filer": await viewer((Role.RESIDENT, here.id), name="李桂芳"),
        "neighbour": await viewer((Role.RESIDENT, here.id), name="张福林"),
        "visitor": None,
    }
    return World(here.id, there.id, d1, d2, people)


async def case_in(
    world: World,
    status: S = S.SUBMITTED,
    level: L = L.COMMUNITY,
    public: bool = True,
    **changes: object,
) -> str:
    code = await service.file_case(
        world.people["filer"],
        world.community,
        category="环境卫生",
        text="3 号楼楼道灯坏了一周，晚上老人上下楼看不见。",
        now=NOW,
        is_public=public,
    )
    values: dict = {Case.status: status, Case.level: level}
    if level is L.DEPARTMENT:
        values[Case.department] = world.department
    values.update({getattr(Case, k): v for k, v in changes.items()})
    await Case.update(values).where(Case.code == code)
    return code


async def status_of(code: str) -> S:
    row = await Case.select(Case.status).where(Case.code == code).first()
    return S(row["status"])


# Each staff step, set up where it is allowed, and who may take it there.
SCENARIOS = [
    (Verb.ACCEPT, S.SUBMITTED, L.COMMUNITY, {"staff"}),
    (Verb.REPLY, S.ACCEPTED, L.COMMUNITY, {"staff"}),
    (Verb.START, S.ACCEPTED, L.COMMUNITY, {"staff"}),
    (Verb.ESCALATE, S.IN_PROGRESS, L.COMMUNITY, {"staff"}),
    (Verb.ESCALATE, S.IN_PROGRESS, L.STREET, {"street"}),
    (Verb.TAKE, S.ESCALATED, L.STREET, {"street"}),
    (Verb.TAKE, S.ESCALATED, L.DEPARTMENT, {"department"}),
    (Verb.HAND_BACK, S.ESCALATED, L.STREET, {"street"}),
    (Verb.HAND_BACK, S.ESCALATED, L.DEPARTMENT, {"department"}),
    (Verb.ANSWER, S.IN_PROGRESS, L.COMMUNITY, {"staff"}),
    (Verb.ANSWER, S.IN_PROGRESS, L.DEPARTMENT, {"department"}),
    (Verb.REJECT, S.SUBMITTED, L.COMMUNITY, {"staff"}),
    (Verb.MERGE, S.SUBMITTED, L.COMMUNITY, {"staff"}),
    (Verb.ADOPT, S.FEEDBACK, L.STREET, {"staff"}),
]
PEOPLE = [
    "staff",
    "staff_elsewhere",
    "staff_far",
    "street",
    "street_far",
    "department",
    "department_other",
    "filer",
    "neighbour",
    "visitor",
]


@pytest.mark.parametrize(("verb", "status", "level", "allowed"), SCENARIOS)
async def test_each_step_for_each_person(world, verb, status, level, allowed):
    """Each person in turn tries the step on a case of their own, set up where it is allowed."""
    for who in PEOPLE:
        code = await case_in(world, status, level)
        original = await case_in(world, S.ACCEPTED) if verb is Verb.MERGE else ""
        act = service.act(
            world.people[who],
            code,
            verb,
            NOW + timedelta(hours=1),
            note="已联系物业，今天修好。",
            department_id=world.department,
            original_code=original,
        )
        if who in allowed:
            await act
            target = MOVES[verb].target or status
            assert await status_of(code) == target, who
            events = await CaseEvent.select(CaseEvent.verb).where(CaseEvent.case.code == code)
            assert [e["verb"] for e in events] == ["file", verb.value], who
        else:
            with pytest.raises(NotAllowed):
                await act
            assert await status_of(code) == status, who
            assert await CaseEvent.count().where(CaseEvent.case.code == code) == 1, who


STAFF_VERBS = [v for v in Verb if v not in FILER_VERBS]


@pytest.mark.parametrize("verb", STAFF_VERBS)
async def test_a_step_from_a_state_it_does_not_leave_is_refused(world, verb):
    for status in (s for s in S if s not in MOVES[verb].sources):
        code = await case_in(world, status)
        with pytest.raises(InvalidTransition):
            await service.act(world.people["staff"], code, verb, NOW, note="说明")
        assert await status_of(code) == status


async def test_a_case_to_a_representative_is_handled_by_them_and_by_staff(world):
    rep = await viewer((Role.PARTY_REPRESENTATIVE, world.community), name="陈建华")
    other_rep = await viewer((Role.PARTY_REPRESENTATIVE, world.community), name="何平")
    code = await service.file_case(
        None,
        world.community,
        category="意见建议",
        text="建议增加健身器材",
        now=NOW,
        representative_id=rep.id,
    )
    with pytest.raises(NotAllowed):
        await service.act(other_rep, code, Verb.ACCEPT, NOW)
    await service.act(rep, code, Verb.ACCEPT, NOW)
    await service.act(world.people["staff"], code, Verb.START, NOW)
    assert await status_of(code) == S.IN_PROGRESS
    mailbox = await queries.community_queue(world.community, NOW, representative_id=rep.id)
    assert [r.code for r in mailbox.mine] == [code]
    assert (await queries.community_queue(world.community, NOW, other_rep.id)).mine == []


async def test_notes_are_required_where_the_other_side_must_read_them(world):
    code = await case_in(world, S.IN_PROGRESS)
    for verb in (Verb.ESCALATE, Verb.ANSWER, Verb.REPLY):
        with pytest.raises(DomainError, match="说明"):
            await service.act(world.people["staff"], code, verb, NOW, note="  ")
    assert await status_of(code) == S.IN_PROGRESS


async def test_filing_checks_what_was_typed(world):
    for text, message in [("", "请写下"), ("灯" * 1001, "最多 1000 个字")]:
        with pytest.raises(DomainError, match=message):
            await service.file_case(None, world.community, category="其他", text=text, now=NOW)
    with pytest.raises(DomainError, match="类别"):
        await service.file_case(None, world.community, category="天气", text="太热", now=NOW)
    with pytest.raises(DomainError, match="手机号"):
        await service.file_case(
            None, world.community, category="其他", text="路灯", now=NOW, phone="12345"
        )
    assert await Case.count() == 0


async def test_codes_are_short_unambiguous_and_distinct(world):
    found = {
        await service.file_case(None, world.community, category="其他", text="路灯", now=NOW)
        for _ in range(30)
    }
    assert len(found) == 30
    for code in found:
        assert codes.is_well_formed(code)
        assert not set(code) & set("01OIL")
        assert codes.normalise(codes.shown(code).lower()) == code


async def test_a_grid_worker_files_for_a_resident_and_the_case_says_so(world):
    worker = await viewer((Role.GRID_WORKER, world.community), name="马丽")
    code = await service.file_case(
        worker,
        world.community,
        category="设施维修",
        text="单元门坏了",
        now=NOW,
        name="赵大爷",
        phone="13900001234",
    )
    row = await Case.select().where(Case.code == code).first()
    assert (row["filer"], row["filed_by"], row["filer_name"]) == (None, worker.id, "赵大爷")
    loaded = await service.load(code)
    assert service.proves_filer(loaded, "1234")
    assert not service.proves_filer(loaded, "0000")
    # A resident cannot pretend to file for someone else: the case is theirs.
    code = await service.file_case(
        world.people["neighbour"],
        world.community,
        category="其他",
        text="噪音",
        now=NOW,
        name="别人",
        phone="13900005678",
    )
    row = await Case.select().where(Case.code == code).first()
    assert (row["filer"], row["filer_name"]) == (world.people["neighbour"].id, "张福林")


# Clocks ------------------------------------------------------------------------------------


async def test_the_clocks_with_a_set_clock(world):
    code = await case_in(world)
    row = await queries.queue_row(code, NOW + timedelta(hours=2))
    assert row.due.text == "回应还剩 10 小时" and not row.due.soon and not row.overdue
    row = await queries.queue_row(code, NOW + timedelta(hours=10))
    assert row.due.soon and not row.overdue
    row = await queries.queue_row(code, NOW + timedelta(hours=15))
    assert row.overdue and row.due.text == "回应已超时 3 小时"

    await service.act(world.people["staff"], code, Verb.ACCEPT, NOW + timedelta(hours=15))
    row = await queries.queue_row(code, NOW + timedelta(hours=16))
    assert row.due.what == "反馈" and row.due.text == "反馈还剩 8 小时"
    await service.act(
        world.people["staff"], code, Verb.ESCALATE, NOW + timedelta(hours=20), note="需要街道协调"
    )
    row = await queries.queue_row(code, NOW + timedelta(days=2))
    assert row.due.text == "反馈还剩 1 天" and row.held_for == "1 天 4 小时"
    assert row.holder.endswith("街道") or "街道" in row.holder
    row = await queries.queue_row(code, NOW + timedelta(days=3, hours=1))
    assert row.overdue


async def test_overdue_cases_come_first_then_reopened_then_by_time_left(world):
    late = await case_in(world, respond_by=NOW - timedelta(hours=1))
    soon = await case_in(world, respond_by=NOW + timedelta(hours=1))
    later = await case_in(world, respond_by=NOW + timedelta(hours=8))
    reopened = await case_in(
        world, S.IN_PROGRESS, reopened=True, responded_at=NOW, resolve_by=NOW + timedelta(hours=20)
    )
    queue = await queries.community_queue(world.community, NOW)
    assert [r.code for r in queue.mine] == [late, reopened, soon, later]


# Escalation chain --------------------------------------------------------------------------


async def test_escalation_chain_each_side_sees_only_its_cases(world):
    p = world.people
    code = await case_in(world, S.ACCEPTED)
    street_id = (await service.load(code)).street_id
    far_street_id = p["street_far"].grants[0].scope_id
    await service.act(p["staff"], code, Verb.ESCALATE, NOW, note="楼体外墙需要街道协调")
    assert [r.code for r in (await queries.street_queue(street_id, NOW)).mine] == [code]
    assert (await queries.street_queue(far_street_id, NOW)).mine == []
    community = await queries.community_queue(world.community, NOW)
    assert [r.code for r in community.elsewhere] == [code] and community.mine == []

    await service.act(p["street"], code, Verb.TAKE, NOW)
    await service.act(
        p["street"], code, Verb.ESCALATE, NOW, note="需城管执法", department_id=world.department
    )
    assert [r.code for r in (await queries.department_queue(world.department, NOW)).mine] == [code]
    assert (await queries.department_queue(world.other_department, NOW)).mine == []
    with pytest.raises(NotAllowed):
        await service.act(p["department_other"], code, Verb.TAKE, NOW)

    await service.act(p["department"], code, Verb.HAND_BACK, NOW, note="请街道先组织协商")
    assert (await queries.department_queue(world.department, NOW)).mine == []
    assert [r.code for r in (await queries.street_queue(street_id, NOW)).mine] == [code]
    await service.act(p["street"], code, Verb.HAND_BACK, NOW, note="请社区先和物业沟通")
    community = await queries.community_queue(world.community, NOW)
    assert [r.code for r in community.mine] == [code]
    row = await Case.select(Case.level, Case.department, Case.status).where(Case.code == code)
    assert row[0] == {"level": L.COMMUNITY, "department": None, "status": S.IN_PROGRESS}


async def test_a_department_cannot_blow_the_whistle_further(world):
    code = await case_in(world, S.IN_PROGRESS, L.DEPARTMENT)
    with pytest.raises(DomainError, match="不能再向上"):
        await service.act(world.people["department"], code, Verb.ESCALATE, NOW, note="再上报")


async def test_only_one_of_many_simultaneous_takes_lands(world):
    code = await case_in(world, S.ESCALATED, L.STREET)
    street_id = (await service.load(code)).street_id
    officials = [
        await viewer((Role.STREET_OFFICIAL, street_id), name=f"干部{i}") for i in range(10)
    ]
    results = await asyncio.gather(
        *(service.act(o, code, Verb.TAKE, NOW) for o in officials), return_exceptions=True
    )
    assert sum(r is None for r in results) == 1
    assert all(isinstance(r, InvalidTransition) for r in results if r is not None)
    assert await CaseEvent.count().where(CaseEvent.verb == Verb.TAKE) == 1


async def test_replies_after_the_first_response_are_each_recorded(world):
    code = await case_in(world)
    staff = world.people["staff"]
    await service.act(staff, code, Verb.ACCEPT, NOW)
    for hours, note in [(1, "明天上午去看"), (20, "物业已派人，配件周三到")]:
        await service.act(staff, code, Verb.REPLY, NOW + timedelta(hours=hours), note=note)
    assert await status_of(code) == S.ACCEPTED
    replies = await CaseEvent.select(CaseEvent.note).where(CaseEvent.verb == Verb.REPLY)
    assert [r["note"] for r in replies] == ["明天上午去看", "物业已派人，配件周三到"]
    row = await Case.select(Case.responded_at).where(Case.code == code).first()
    assert row["responded_at"] == NOW  # the clock stopped at the first response


async def test_a_double_tapped_reply_is_recorded_once(world):
    code = await case_in(world, S.ACCEPTED)
    for _ in range(2):
        await service.act(world.people["staff"], code, Verb.REPLY, NOW, note="明天上午去看")
    assert await CaseEvent.count().where(CaseEvent.verb == Verb.REPLY) == 1


# Rating ------------------------------------------------------------------------------------


async def test_unsatisfied_reopens_once_then_the_rating_stands(world):
    p = world.people
    code = await case_in(world, S.FEEDBACK, feedback_at=NOW, answer="已修好")
    with pytest.raises(NotAllowed):
        await service.rate(p["neighbour"], code, "satisfied", NOW)
    with pytest.raises(NotAllowed):
        await service.rate(None, code, "satisfied", NOW)
    assert await service.rate(p["filer"], code, "unsatisfied", NOW, comment="灯还是不亮") == (
        Verb.REOPEN
    )
    row = await Case.select().where(Case.code == code).first()
    assert (row["status"], row["reopened"]) == (S.IN_PROGRESS, True)
    assert row["resolve_by"] == NOW + timedelta(days=1)
    queue = await queries.community_queue(world.community, NOW)
    assert queue.mine[0].code == code and queue.mine[0].reopened

    await service.act(p["staff"], code, Verb.ANSWER, NOW, note="换了新灯")
    assert await service.rate(None, code, "unsatisfied", NOW, proven=True) == Verb.RATE
    row = await Case.select().where(Case.code == code).first()
    assert (row["status"], row["rating"]) == (S.CLOSED, "unsatisfied")
    with pytest.raises(InvalidTransition):
        await service.rate(p["filer"], code, "satisfied", NOW)


async def test_unrated_cases_close_seven_days_after_feedback(world):
    code = await case_in(world, S.FEEDBACK, feedback_at=NOW)
    assert await service.close_unrated(NOW + timedelta(days=6, hours=23)) == 0
    assert await status_of(code) == S.FEEDBACK
    assert await service.close_unrated(NOW + timedelta(days=7, minutes=1)) == 1
    assert await status_of(code) == S.CLOSED
    events = await CaseEvent.select(CaseEvent.verb, CaseEvent.actor).where(
        CaseEvent.case.code == code
    )
    assert events[-1] == {"verb": Verb.EXPIRE, "actor": None}


async def test_adopting_twice_is_refused(world):
    code = await case_in(world, S.CLOSED)
    await service.act(world.people["staff"], code, Verb.ADOPT, NOW)
    with pytest.raises(InvalidTransition):
        await service.act(world.people["staff"], code, Verb.ADOPT, NOW)
