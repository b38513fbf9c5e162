"""议事厅 in a real browser: a household votes with JavaScript off, and every hall page passes
axe in normal mode and in 长辈模式."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import load_viewer
from civic.hall import outcome, service
from civic.hall.tables import Meeting, Topic
from civic.hall.workflow import Verb
from civic.places import service as places
from civic.places.tables import Household
from tests import builders
from tests.browser.helpers import assert_accessible, run
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Hall:
    slug: str
    vote: int
    convention: int
    head: str
    staff: str


async def _hall() -> Hall:
    now = datetime.now(UTC) - timedelta(hours=1)
    c = await builders.community(name="杏花社区")
    building = await places.create_building(c.id, "3号楼")
    staff_id, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    staff = await load_viewer(staff_id)
    assert staff is not None
    head_id, head_phone = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    for door in ("101", "102", "201"):
        rows = await Household.insert(
            Household(building=building, door=door, area_dm2=8000, key=f"{building}:{door}")
        ).returning(Household.id)
        if door == "101":
            await Person.update(
                {
                    Person.household: rows[0]["id"],
                    Person.household_head: True,
                    Person.household_confirmed_at: now,
                    Person.building: building,
                }
            ).where(Person.id == head_id)

    lift = await service.open_topic(
        staff,
        c.id,
        service.TopicInput(
            "3号楼加装电梯", "老人下楼难。", Topic.Scope.BUILDING, building_id=building
        ),
        now,
    )
    await service.step(staff, lift, Verb.DELIBERATE, now)
    lift = await service.load(lift["id"], c.id)
    setup = service.VoteSetup(Topic.Counting.HEAD, Topic.Threshold.SPECIAL, True, None)
    await service.set_up_vote(staff, lift, setup, now)
    await service.step(staff, await service.load(lift["id"], c.id), Verb.OPEN_VOTE, now)
    await outcome.record_meeting(
        staff,
        await service.load(lift["id"], c.id),
        Meeting.Kind.HOUSEHOLD_HEADS,
        now.date(),
        "一层大厅",
        9,
        "讲了方案和分摊。",
        now,
    )

    dogs = await service.open_topic(
        staff, c.id, service.TopicInput("文明养犬公约", "一起定规矩。"), now
    )
    await service.step(staff, dogs, Verb.DELIBERATE, now)
    dogs = await service.load(dogs["id"], c.id)
    await service.step(
        staff, dogs, Verb.PUBLISH, now, outcome=(Topic.Outcome.CONVENTION, "定下公约三条。")
    )
    await outcome.set_articles(
        staff,
        await service.load(dogs["id"], c.id),
        ["出户拴绳。", "随手清理。", "夜间不扰邻。"],
        now,
    )
    return Hall(c.slug, lift["id"], dogs["id"], head_phone, staff_phone)


@pytest.fixture
def hall() -> Hall:
    return run(_hall())


def test_a_household_head_votes_without_javascript(no_js_page: Page, hall: Hall):
    page = no_js_page
    page.goto(f"/login?next=/c/{hall.slug}/hall/{hall.vote}/")
    sign_in(page, hall.head)
    expect(page.get_by_role("heading", level=1)).to_have_text("3号楼加装电梯")
    page.get_by_label("同意", exact=True).check()
    page.get_by_role("button", name="投票").click()
    expect(page.get_by_role("status").first).to_contain_text("已投票")
    expect(page.locator("#vote")).to_contain_text("您投的是：同意")
    assert_accessible(page)


def test_every_hall_page_reads_well(page: Page, hall: Hall):
    base = f"/c/{hall.slug}/hall"
    for url in (f"{base}/", f"{base}/{hall.vote}/", f"{base}/{hall.convention}/"):
        page.goto(url)
        assert_accessible(page)
    page.goto(f"{base}/{hall.convention}/outcome")
    expect(page.locator("main")).to_contain_text("第三条")
    assert_accessible(page)
    page.goto(f"/login?next={base}/{hall.vote}/")
    sign_in(page, hall.staff)
    expect(page.get_by_role("heading", name="主持议事")).to_be_visible()
    assert_accessible(page)  # the topic as its moderator sees it: stage moves, vote, meetings
    for url in (f"{base}/new", f"/staff/c/{hall.slug}/hall/", f"{base}/{hall.vote}/ballots"):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
