"""A topic's stages: who may make each move from each stage, and who takes part in a building
topic. The expected answers are written here, not read from the workflow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civic.accounts.roles import Role
from civic.accounts.viewer import Grant, Home, Viewer
from civic.errors import InvalidTransition, NotAllowed
from civic.hall import service
from civic.hall.tables import Topic
from civic.hall.workflow import TOPICS, Party, S, Verb
from tests import builders

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
M, P = Party.MODERATOR, Party.PROPOSER

WHO_MAY = {
    # verb: {stage it starts from: the parties that may make it}
    Verb.ACCEPT: {S.PROPOSED: {M}},
    Verb.DECLINE: {S.PROPOSED: {M}},
    Verb.DELIBERATE: {S.COLLECTING: {M}},
    Verb.OPEN_VOTE: {S.DELIBERATING: {M}},
    Verb.PUBLISH: {S.COLLECTING: {M}, S.DELIBERATING: {M}, S.VOTING: {M}},
    Verb.SET_UP: {S.PROPOSED: {M}, S.COLLECTING: {M}, S.DELIBERATING: {M}, S.VOTING: {M}},
}


@pytest.mark.parametrize("verb", list(WHO_MAY))
def test_who_may_make_each_move_from_each_stage(verb):
    for stage in S:
        for party in Party:
            expected = party in WHO_MAY[verb].get(stage, set())
            assert TOPICS.allowed(verb, stage, {party}) is expected, (verb, stage, party)


def test_a_proposer_or_a_participant_moves_nothing():
    for stage in S:
        assert TOPICS.available(stage, {P, Party.PARTICIPANT}) == []


def _viewer(person_id: int, community_id: int, home: Home | None, *roles: Role) -> Viewer:
    grants = tuple(Grant(r, community_id) for r in roles)
    return Viewer(person_id, "居民", "13900000031", None, grants, 0, home)


def _home(building_id: int, community_id: int, confirmed: bool = True) -> Home:
    return Home(1, building_id, None, community_id, "501", 8000, False, confirmed)


def test_a_building_topic_takes_its_confirmed_households_only():
    topic = {
        "id": 1,
        "community": 7,
        "scope": Topic.Scope.BUILDING,
        "building": 30,
        "grid": None,
        "status": S.COLLECTING,
        "proposed_by": None,
    }
    here = _viewer(1, 7, _home(30, 7), Role.RESIDENT)
    other_building = _viewer(2, 7, _home(31, 7), Role.RESIDENT)
    unconfirmed = _viewer(3, 7, _home(30, 7, confirmed=False), Role.RESIDENT)
    no_home = _viewer(4, 7, None, Role.RESIDENT)
    staff = _viewer(5, 7, None, Role.COMMUNITY_STAFF)
    council = _viewer(6, 7, None, Role.COUNCIL_MEMBER)
    other_staff = _viewer(7, 8, None, Role.COMMUNITY_STAFF)

    assert service.standing(here, topic).takes_part
    assert service.standing(other_building, topic).why_not == "这个议题只由这栋楼的住户参与。"
    assert service.standing(unconfirmed, topic).why_not == (
        "您登记的门牌还在等社区确认，确认后就能参与。"
    )
    assert not service.standing(no_home, topic).takes_part
    assert service.standing(staff, topic).parties == {M}
    assert service.standing(council, topic).parties == {M}
    assert service.standing(other_staff, topic).parties == set()
    assert service.standing(None, topic).why_not == "登录后就能参与议事。"


async def test_a_stale_stage_move_loses_and_a_stranger_is_refused():
    c = await builders.community()
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, c.id))
    staff = _viewer(staff_id, c.id, None, Role.COMMUNITY_STAFF)
    topic = await service.open_topic(staff, c.id, service.TopicInput("北门停车", "车太多"), NOW)
    await service.step(staff, topic, Verb.DELIBERATE, NOW)
    with pytest.raises(InvalidTransition):
        await service.step(staff, topic, Verb.DELIBERATE, NOW)  # the row it read is stale
    resident = _viewer(staff_id + 100, c.id, None, Role.RESIDENT)
    with pytest.raises(NotAllowed):
        await service.step(resident, await service.load(topic["id"], c.id), Verb.PUBLISH, NOW)
    row = await Topic.select(Topic.status, Topic.version).where(Topic.id == topic["id"]).first()
    assert row == {"status": S.DELIBERATING, "version": 1}
