"""Votes through the pages: a plain form without JavaScript (CSRF, 303), the htmx fragment with
turnout while open and the result after close, refusals that say who voted, paper ballots, and
option labels shown as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import Viewer, load_viewer
from civic.app import create_app
from civic.hall import service
from civic.hall.tables import Topic, Vote, VoteOption
from civic.hall.workflow import Verb
from civic.places import service as places
from civic.places.tables import Household
from civic.settings import Settings
from civic.web.clock import FixedClock
from tests import builders
from tests.builders import post_form, sign_in, text_of

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HX = {"HX-Request": "true", "HX-Target": "vote"}
XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(clock):
    return create_app(Settings.from_env(), clock=clock)


async def _viewer(person_id: int) -> Viewer:
    found = await load_viewer(person_id)
    assert found is not None
    return found


async def _household(building: int, door: str, area_dm2: int) -> int:
    rows = await Household.insert(
        Household(building=building, door=door, area_dm2=area_dm2, key=f"{building}{door}")
    ).returning(Household.id)
    return rows[0]["id"]


async def _resident(community: int, home: int, name: str, phone: str, head: bool = False) -> int:
    person, _ = await builders.person((Role.RESIDENT, community), name=name, phone=phone)
    await Person.update(
        {
            Person.household: home,
            Person.household_head: head,
            Person.household_confirmed_at: NOW - timedelta(days=1),
        }
    ).where(Person.id == person)
    return person


@pytest.fixture
async def place():
    c = await builders.community(name="杏花社区")
    building = await places.create_building(c.id, "3号楼")
    staff, _ = await builders.person(
        (Role.COMMUNITY_STAFF, c.id), name="王秀兰", phone="13900000011"
    )
    home = await _household(building, "2单元501", 9050)
    other_home = await _household(building, "2单元502", 12000)
    await _resident(c.id, home, "李桂芳", "13900000031", head=True)
    await _resident(c.id, home, "李明", "13900000032")
    await _resident(c.id, other_home, "张福林", "13900000033", head=True)
    return {
        "c": c,
        "building": building,
        "staff": await _viewer(staff),
        "home": home,
        "other_home": other_home,
    }


async def _voting(place, options: tuple[str, ...] = (), **setup) -> tuple[int, dict[str, int]]:
    staff, c = place["staff"], place["c"]
    topic = await service.open_topic(
        staff,
        c.id,
        service.TopicInput(
            "3号楼加装电梯", "费用按楼层分摊。", Topic.Scope.BUILDING, building_id=place["building"]
        ),
        NOW - timedelta(days=7),
    )
    await service.set_up_vote(
        staff,
        topic,
        service.VoteSetup(
            setup.get("counting", Topic.Counting.HOUSEHOLD),
            setup.get("threshold", Topic.Threshold.SPECIAL),
            setup.get("tally_while_open", True),
            NOW + timedelta(days=1),
            options,
        ),
        NOW - timedelta(days=7),
    )
    for verb in (Verb.DELIBERATE, Verb.OPEN_VOTE):
        await service.step(staff, await service.load(topic["id"], c.id), verb, NOW)
    rows = await VoteOption.select(VoteOption.id, VoteOption.label).where(
        VoteOption.topic == topic["id"]
    )
    return topic["id"], {r["label"]: r["id"] for r in rows}


async def test_a_resident_votes_without_javascript_and_changes_the_vote_with_htmx(client, place):
    c = place["c"]
    topic_id, ids = await _voting(place)
    url = f"/c/{c.slug}/hall/{topic_id}/vote"
    await sign_in(client, "13900000031")
    # Without the page's CSRF token the form is refused and nothing is counted.
    forged = await client.post(url, data={"option": str(ids["同意"])})
    assert forged.status_code == 403
    assert await Vote.count().where(Vote.topic == topic_id) == 0

    response = await post_form(client, url, {"option": str(ids["同意"])})
    assert response.status_code == 303
    assert response.headers["location"] == f"/c/{c.slug}/hall/{topic_id}/#vote"
    rows = await Vote.select(Vote.option, Vote.household, Vote.area_dm2).where(
        Vote.topic == topic_id
    )
    assert rows == [{"option": ids["同意"], "household": place["home"], "area_dm2": 9050}]

    page = await client.get(f"/c/{c.slug}/hall/{topic_id}/")
    assert page.status_code == 200
    assert f'value="{ids["同意"]}" required checked' in page.text  # the page a reload shows
    assert "您投的是： 同意" in text_of(page.text)

    changed = await post_form(client, url, {"option": str(ids["不同意"])}, headers=HX)
    assert changed.status_code == 200
    assert changed.text.lstrip().startswith("<section")  # the fragment alone
    shown = text_of(changed.text)
    assert "已改投。" in shown
    assert "您投的是： 不同意" in shown
    assert "参与户数 1/2（50.0%），未达到三分之二" in shown
    assert "参与面积 90.50/210.50 m²（43.0%），未达到三分之二" in shown
    assert "截止前可以改投" in shown
    assert f'value="{ids["不同意"]}" required checked' in changed.text
    assert await Vote.count().where(Vote.topic == topic_id) == 1


async def test_a_second_resident_of_the_home_is_told_who_voted(client, place):
    c = place["c"]
    topic_id, ids = await _voting(place)
    url = f"/c/{c.slug}/hall/{topic_id}/vote"
    await sign_in(client, "13900000031")
    assert (await post_form(client, url, {"option": str(ids["同意"])})).status_code == 303
    client.cookies.clear()
    await sign_in(client, "13900000032")
    refused = await post_form(client, url, {"option": str(ids["不同意"])})
    # Without JavaScript: the topic page again, with the refusal at the vote.
    assert refused.status_code == 409
    assert "<html" in refused.text
    shown = text_of(refused.text)
    assert "您家已经投过票：李** 于 12月01日 10:00 在网上投票。每户一票，以先投的为准。" in shown
    assert "3号楼加装电梯" in shown
    assert (await Vote.select(Vote.option).where(Vote.topic == topic_id)) == [
        {"option": ids["同意"]}
    ]
    # The whole page of a tally shown while open: the counts per option.
    assert "各选项票数" in shown


async def test_after_close_the_fragment_shows_the_result_and_why(client, place, clock):
    c = place["c"]
    topic_id, ids = await _voting(place)
    url = f"/c/{c.slug}/hall/{topic_id}/vote"
    await sign_in(client, "13900000031")
    await post_form(client, url, {"option": str(ids["同意"])})
    client.cookies.clear()
    await sign_in(client, "13900000033")
    await post_form(client, url, {"option": str(ids["同意"])})
    clock.advance(days=1)  # the vote closes
    late = await post_form(client, url, {"option": str(ids["不同意"])}, headers=HX)
    assert late.status_code == 409
    shown = text_of(late.text)
    assert "表决已经结束。" in shown
    assert "表决结果：通过" in shown
    for reason in (
        "参与户数 2/2（100.0%），达到三分之二",
        "参与面积 210.50/210.50 m²（100.0%），达到三分之二",
        "同意户数 2/2（100.0%），达到四分之三",
        "同意面积 210.50/210.50 m²（100.0%），达到四分之三",
    ):
        assert reason in shown
    assert 'name="option"' not in late.text  # no form once closed


async def test_staff_enter_a_paper_ballot_and_cannot_enter_it_twice(client, place):
    c = place["c"]
    topic_id, ids = await _voting(place, tally_while_open=False)
    url = f"/c/{c.slug}/hall/{topic_id}/ballots"
    await sign_in(client, "13900000011")
    ballot = {"household": str(place["other_home"]), "option": str(ids["同意"]), "meeting": ""}
    entered = await post_form(client, url, ballot)
    assert entered.status_code == 303 and entered.headers["location"] == f"{url}?done=1"
    next_one = text_of((await client.get(entered.headers["location"])).text)
    assert "纸质票已录入，可以接着录下一张。" in next_one
    rows = await Vote.select(Vote.entered_by, Vote.household, Vote.area_dm2).where(
        Vote.topic == topic_id
    )
    assert rows == [
        {"entered_by": place["staff"].id, "household": place["other_home"], "area_dm2": 12000}
    ]
    again = await post_form(client, url, ballot, headers=HX)
    assert again.status_code == 409
    shown = text_of(again.text)
    assert "这一户已经投过票：王** 于 12月01日 10:00 录入纸质票，不能再录入。" in shown
    # The form lists only the household that has not voted yet; staff see the counts.
    households = again.text.split('id="ballot-household"')[1].split("</select>")[0]
    assert f'<option value="{place["home"]}">2单元501</option>' in households
    assert f'<option value="{place["other_home"]}">' not in households
    # A resident may not enter paper ballots.
    client.cookies.clear()
    await sign_in(client, "13900000031")
    ballot["household"] = str(place["home"])
    refused = await post_form(client, url, ballot, headers=HX)
    assert refused.status_code == 403
    assert "只有社区工作者和议事会成员可以录入纸质票。" in text_of(refused.text)
    assert "ballot-household" not in refused.text


async def test_option_labels_are_shown_as_text(client, place):
    c = place["c"]
    topic_id, ids = await _voting(
        place, options=XSS, counting=Topic.Counting.PERSON, threshold=Topic.Threshold.MAJORITY
    )
    await sign_in(client, "13900000033")
    response = await post_form(
        client, f"/c/{c.slug}/hall/{topic_id}/vote", {"option": str(ids[XSS[0]])}, headers=HX
    )
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
