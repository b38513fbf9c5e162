"""The shared workflow engine: a move is made once however many make it at once, a step that
keeps the state is still recorded once, and an actor holding a stale row loses."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.errors import DomainError, InvalidTransition, NotAllowed
from civic.suggestions import service as cases
from civic.suggestions.tables import Case, CaseEvent
from civic.suggestions.workflow import CASES, L, staff_steps
from civic.suggestions.workflow import Party as CaseParty
from civic.suggestions.workflow import Verb as CaseVerb
from civic.wishes import service as wishes
from civic.wishes.tables import Helper, HelperEvent, Wish, WishEvent
from civic.wishes.workflow import REPORTS, WISHES, Party, ReportVerb, S, Verb, steps
from civic.workflow import Group, State, Workflow, move
from tests import builders

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


async def viewer(*roles: tuple[Role, int], name: str = "张三丰") -> Viewer:
    person_id, _ = await builders.person(*roles, name=name)
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def helper_in(community_id: int, staff: Viewer, name: str) -> Viewer:
    person = await viewer((Role.PARTY_MEMBER, community_id), name=name)
    helper_id = await wishes.report(person.id, community_id, Helper.Kind.MEMBER, name)
    await wishes.decide_report(staff, helper_id, True, NOW)
    return person


async def wish_row(wish_id: int) -> dict:
    row = await Wish.select().where(Wish.id == wish_id).first()
    assert row is not None
    return row


# The declaration, without a database ---------------------------------------------------------


class Light(StrEnum):
    RED = "red"
    GREEN = "green"


def test_a_move_naming_an_unknown_state_is_refused_when_declared():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            table=Wish,
            events=WishEvent,
            subject="wish",
            states=[State(Light.RED, "红", Group.OPEN)],
            moves=[move("go", {Light.RED}, Light.GREEN, {"anyone"})],
        )


def test_what_a_party_may_do_is_read_from_the_declaration():
    assert WISHES.allowed(Verb.APPROVE, S.SUBMITTED, {Party.STAFF})
    assert not WISHES.allowed(Verb.APPROVE, S.SUBMITTED, {Party.OWNER})
    assert not WISHES.allowed(Verb.APPROVE, S.PUBLISHED, {Party.STAFF})
    assert [m.name for m in WISHES.available(S.CLAIMED, {Party.HELPER, Party.CLAIMER})] == [
        Verb.RELEASE,
        Verb.FULFIL,
    ]
    release = WISHES.toward(S.CLAIMED, S.PUBLISHED, {Party.CLAIMER})
    assert release is not None and release.name == Verb.RELEASE
    assert WISHES.toward(S.CLAIMED, S.PUBLISHED, {Party.STAFF}) is None
    assert WISHES.group(Group.CLOSED) == (S.REJECTED, S.WITHDRAWN)


def test_check_names_the_reason_a_move_cannot_be_made():
    with pytest.raises(NotAllowed):
        CASES.check(CaseVerb.ACCEPT, Case.Status.SUBMITTED, set())
    with pytest.raises(InvalidTransition):
        CASES.check(CaseVerb.ACCEPT, Case.Status.CLOSED, {"holder"})
    with pytest.raises(DomainError):
        CASES.check(CaseVerb.ANSWER, Case.Status.ACCEPTED, {"holder"}, note=" ")


def test_a_move_says_whether_it_comes_first_and_whether_it_asks_once_more():
    plain = move("go", {Light.RED}, Light.GREEN, {"anyone"}, "走")
    assert (plain.primary, plain.confirm) == (False, "")  # what a declaration without them gets
    first = move("go", {Light.RED}, Light.GREEN, {"anyone"}, "走", primary=True)
    losing = move("stop", {Light.GREEN}, Light.RED, {"anyone"}, "停", confirm="停下就走不了了")
    assert first.primary and not first.confirm
    assert losing.confirm == "停下就走不了了" and not losing.primary


def test_pages_read_the_steps_that_come_first_and_those_that_ask_once_more():
    holder = {CaseParty.HOLDER, CaseParty.COMMUNITY}
    primary, more = staff_steps(Case.Status.SUBMITTED, L.COMMUNITY, holder)
    assert primary == [CaseVerb.ACCEPT]
    assert CaseVerb.REJECT in more and CaseVerb.HAND_BACK not in more
    assert CASES.moves[CaseVerb.REJECT].confirm
    # The community is the first desk: nothing to hand back to. The street may, and may not
    # reject or merge what it was summoned to.
    primary, more = staff_steps(Case.Status.IN_PROGRESS, L.COMMUNITY, holder)
    assert primary == [CaseVerb.ANSWER] and CaseVerb.HAND_BACK not in more
    primary, more = staff_steps(Case.Status.IN_PROGRESS, L.STREET, {CaseParty.HOLDER})
    assert primary == [CaseVerb.ANSWER]
    assert more == [CaseVerb.REPLY, CaseVerb.ESCALATE, CaseVerb.HAND_BACK]
    primary, more = staff_steps(Case.Status.IN_PROGRESS, L.DEPARTMENT, {CaseParty.HOLDER})
    assert CaseVerb.ESCALATE not in more and CaseVerb.HAND_BACK in more

    first, rest = steps(S.CLAIMED, {Party.HELPER, Party.CLAIMER})
    assert [m.name for m in first] == [Verb.FULFIL] and [m.name for m in rest] == [Verb.RELEASE]
    assert rest[0].confirm and not first[0].confirm
    first, rest = steps(S.SUBMITTED, {Party.STAFF})
    assert [m.name for m in first] == [Verb.APPROVE]
    assert [m.name for m in rest] == [Verb.RETURN, Verb.REJECT, Verb.WITHDRAW]
    assert REPORTS.moves[ReportVerb.REVOKE].confirm


# Moves against the database ------------------------------------------------------------------


@pytest.fixture
async def place() -> dict:
    community = await builders.community()
    staff = await viewer((Role.COMMUNITY_STAFF, community.id), name="王秀兰")
    owner = await viewer((Role.RESIDENT, community.id), name="李桂芳")
    return {"community": community.id, "staff": staff, "owner": owner}


async def new_wish(place: dict) -> int:
    return await wishes.submit_wish(
        place["owner"], place["community"], place["owner"].id, "修理水龙头", "", "维修", 80, NOW
    )


async def test_fifty_at_once_make_a_move_once(place):
    wish_id = await new_wish(place)
    row = await wish_row(wish_id)
    results = await asyncio.gather(
        *(WISHES.apply(row, Verb.APPROVE, actor_id=place["staff"].id, now=NOW) for _ in range(50)),
        return_exceptions=True,
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, InvalidTransition) for r in results if isinstance(r, BaseException))
    approvals = await WishEvent.count().where(
        (WishEvent.wish == wish_id) & (WishEvent.verb == Verb.APPROVE)
    )
    assert approvals == 1
    after = await wish_row(wish_id)
    assert (after["status"], after["version"]) == (S.PUBLISHED, 1)
    assert after["published_at"] == NOW


async def test_a_double_tap_of_a_step_that_keeps_the_state_is_recorded_once(place):
    code = await cases.file_case(
        place["owner"], place["community"], category="环境卫生", text="楼道灯坏了", now=NOW
    )
    case = await cases.load(code)
    first, second = await asyncio.gather(
        CASES.apply(case.row, CaseVerb.REPLY, actor_id=place["staff"].id, now=NOW, note="收到"),
        CASES.apply(case.row, CaseVerb.REPLY, actor_id=place["staff"].id, now=NOW, note="收到"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in (first, second)) == ["InvalidTransition", "int"]
    replies = await CaseEvent.count().where(
        (CaseEvent.case == case.row["id"]) & (CaseEvent.verb == CaseVerb.REPLY)
    )
    assert replies == 1
    status = await Case.select(Case.status, Case.version).where(Case.code == code).first()
    assert status == {"status": Case.Status.SUBMITTED, "version": 1}


async def test_the_same_reply_tapped_twice_through_the_service_is_recorded_once(place):
    code = await cases.file_case(
        place["owner"], place["community"], category="环境卫生", text="楼道灯坏了", now=NOW
    )
    results = await asyncio.gather(
        *(
            cases.act(place["staff"], code, CaseVerb.REPLY, NOW, note="明天上午派人来修")
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    assert all(r is None or isinstance(r, InvalidTransition) for r in results)
    case_id = (await cases.load(code)).row["id"]
    replies = await CaseEvent.count().where(
        (CaseEvent.case == case_id) & (CaseEvent.verb == CaseVerb.REPLY)
    )
    assert replies == 1


async def test_a_claimer_whose_claim_was_revoked_and_remade_cannot_fulfil_it(place):
    """The state reads "claimed" again, by someone else: the stale claimer's row is refused."""
    first = await helper_in(place["community"], place["staff"], "黄志远")
    second = await helper_in(place["community"], place["staff"], "林晓梅")
    wish_id = await new_wish(place)
    await wishes.move(place["staff"], wish_id, S.PUBLISHED, NOW)
    await wishes.claim(first, wish_id, NOW)
    seen_by_first = await wish_row(wish_id)  # the first claimer's fulfil request read this

    first_helper = await wishes.verified_helper(first.id, place["community"])
    assert first_helper is not None
    await wishes.decide_report(place["staff"], first_helper, False, NOW, reason="已调离")
    await wishes.claim(second, wish_id, NOW + timedelta(minutes=1))

    with pytest.raises(InvalidTransition):
        await WISHES.apply(seen_by_first, Verb.FULFIL, actor_id=first.id, now=NOW, note="送去了")
    after = await wish_row(wish_id)
    assert after["status"] == S.CLAIMED
    assert after["claimed_by"] == await wishes.verified_helper(second.id, place["community"])
    assert after["fulfil_note"] == ""
    assert not await WishEvent.exists().where(
        (WishEvent.wish == wish_id) & (WishEvent.verb == Verb.FULFIL)
    )


async def test_a_refused_or_revoked_report_is_not_verified_again(place):
    person = await viewer((Role.PARTY_MEMBER, place["community"]), name="黄志远")
    refused = await wishes.report(person.id, place["community"], Helper.Kind.MEMBER, "黄志远")
    await wishes.decide_report(place["staff"], refused, False, NOW, reason="不是本社区居民")
    with pytest.raises(InvalidTransition):
        await wishes.decide_report(place["staff"], refused, True, NOW)

    revoked = await wishes.report(person.id, place["community"], Helper.Kind.MEMBER, "黄志远")
    await wishes.decide_report(place["staff"], revoked, True, NOW)
    await wishes.decide_report(place["staff"], revoked, False, NOW, reason="已调离")
    with pytest.raises(InvalidTransition):
        await wishes.decide_report(place["staff"], revoked, True, NOW)

    rows = await Helper.select(Helper.id, Helper.status).where(Helper.person == person.id)
    assert {r["id"]: r["status"] for r in rows} == {
        refused: Helper.Status.REJECTED,
        revoked: Helper.Status.REVOKED,
    }
    history = await HelperEvent.select(HelperEvent.verb, HelperEvent.note).where(
        HelperEvent.helper == revoked
    )
    assert [(e["verb"], e["note"]) for e in history] == [("verify", ""), ("revoke", "已调离")]


async def test_the_sweep_applies_each_deadline_once_however_many_sweep(place):
    helper = await helper_in(place["community"], place["staff"], "黄志远")
    wish_id = await new_wish(place)
    await wishes.move(place["staff"], wish_id, S.PUBLISHED, NOW)
    await wishes.claim(helper, wish_id, NOW)
    later = NOW + timedelta(days=wishes.CLAIM_DAYS, minutes=1)
    released = await asyncio.gather(*(WISHES.sweep(later) for _ in range(10)))
    assert sum(released) == 1
    after = await wish_row(wish_id)
    assert (after["status"], after["claimed_by"], after["claim_deadline"]) == (
        S.PUBLISHED,
        None,
        None,
    )
    expiries = await WishEvent.select(WishEvent.actor, WishEvent.note).where(
        (WishEvent.wish == wish_id) & (WishEvent.verb == Verb.EXPIRE)
    )
    assert expiries == [{"actor": None, "note": "认领超过期限，自动回到心愿树。"}]
