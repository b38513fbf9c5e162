"""Two neighbours on one topic page, in two browsers: one posts, the other sees it appear
without reloading (the list polls; the server answers 304 until something changes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from civic.accounts.roles import Role
from civic.accounts.tables import Person
from civic.accounts.viewer import load_viewer
from civic.hall import service
from civic.hall.tables import Topic
from civic.places import service as places
from civic.places.tables import Household
from tests import builders
from tests.browser.helpers import assert_accessible, new_context, run
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

POLL_SECONDS = 15


@dataclass(frozen=True)
class LiveTopic:
    url: str
    first: str
    second: str


async def _resident(building_id: int, door: str, name: str) -> str:
    person_id, phone = await builders.person(name=name)
    rows = await Household.insert(
        Household(building=building_id, door=door, area_dm2=8000, key=f"{building_id}:{door}")
    ).returning(Household.id)
    await Person.update(
        {
            Person.household: rows[0]["id"],
            Person.household_confirmed_at: datetime.now(UTC) - timedelta(days=1),
        }
    ).where(Person.id == person_id)
    return phone


async def _topic() -> LiveTopic:
    c = await builders.community(name="杏花社区")
    building = await places.create_building(c.id, "1号楼")
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    staff = await load_viewer(staff_id)
    assert staff is not None
    given = service.TopicInput(
        "加装电梯", "请大家说说看法。", Topic.Scope.BUILDING, building_id=building
    )
    made = await service.open_topic(staff, c.id, given, datetime.now(UTC))
    first = await _resident(building, "101", "李桂芳")
    second = await _resident(building, "102", "孙立新")
    return LiveTopic(f"/c/{c.slug}/hall/{made['id']}/", first, second)


@pytest.fixture
def topic() -> LiveTopic:
    return run(_topic())


def _open(browser: Browser, live_server: str, topic: LiveTopic, phone: str) -> Page:
    page = new_context(browser, live_server).new_page()
    page.goto(f"/login?next={topic.url}")
    sign_in(page, phone)
    expect(page.get_by_role("heading", level=1)).to_have_text("加装电梯")
    return page


def test_a_post_appears_on_a_neighbours_open_page_without_reloading(
    browser: Browser, live_server: str, topic: LiveTopic
):
    writer = _open(browser, live_server, topic, topic.first)
    reader = _open(browser, live_server, topic, topic.second)
    try:
        polls: list[Response] = []
        reader.on(
            "response",
            lambda r: polls.append(r) if re.search(r"/posts(\?|$)", r.url) else None,
        )
        loads: list[str] = []
        reader.on("load", lambda p: loads.append(p.url))
        expect(reader.get_by_text("还没有人发言。")).to_be_visible()
        assert_accessible(reader)

        writer.get_by_label("支持").check()
        writer.get_by_label("您的意见").fill("支持加装，\n希望先公示费用。")
        writer.get_by_role("button", name="发表").click()
        mine = writer.locator("article.post").first
        expect(mine).to_contain_text("希望先公示费用。")
        expect(mine).to_contain_text("李**（我）")
        expect(writer.get_by_label("您的意见")).to_have_value("")  # the form is fresh again

        # The reader's page asks every 15 s while it is visible, and shows the post in place.
        seen = reader.locator("article.post").first
        expect(seen).to_contain_text("希望先公示费用。", timeout=(POLL_SECONDS + 10) * 1000)
        expect(seen).to_contain_text("李**")
        expect(reader.get_by_text("支持 1")).to_be_visible()
        assert loads == []  # no reload: the list was swapped in
        assert polls and {p.status for p in polls} <= {200, 304}
        assert_accessible(reader)

        # Nothing new: the next poll is revalidated and nothing is swapped.
        marked = reader.evaluate(
            "() => { const a = document.querySelector('article.post'); a.dataset.seen = '1';"
            " return a.id; }"
        )
        reader.wait_for_timeout((POLL_SECONDS + 3) * 1000)
        assert len(polls) >= 2, [p.status for p in polls]
        # The browser asked with the tag it held (the server answered 304; the browser hands
        # the page its kept copy, which site.js does not swap in again).
        tag = polls[-2].all_headers()["etag"]
        assert polls[-1].request.all_headers().get("if-none-match") == tag

        # A hidden tab does not poll; coming back asks at once.
        reader.evaluate(
            "() => Object.defineProperty(document, 'visibilityState',"
            " {configurable: true, get: () => 'hidden'})"
        )
        polls.clear()
        reader.wait_for_timeout((POLL_SECONDS + 2) * 1000)
        assert polls == []
        with reader.expect_response(re.compile(r"/posts(\?|$)"), timeout=5000):
            reader.evaluate(
                "() => { Object.defineProperty(document, 'visibilityState',"
                " {configurable: true, get: () => 'visible'});"
                " document.dispatchEvent(new Event('visibilitychange')); }"
            )
        assert reader.evaluate(f"() => document.getElementById('{marked}').dataset.seen") == "1"

        # A reply, sent from the list itself: the section is swapped in place, no reload.
        reader.locator("details.reply summary").first.click()
        reader.get_by_label("回复这条发言").first.fill("费用按面积分摊。")
        reader.locator("details.reply").get_by_role("button", name="回复").first.click()
        reply = reader.locator(".replies article.post").first
        expect(reply).to_contain_text("费用按面积分摊。")
        expect(reply).to_contain_text("孙**（我）")
        assert loads == []
    finally:
        writer.context.close()
        reader.context.close()


def test_without_javascript_a_post_shows_after_the_form_sends_it(
    no_js_page: Page, topic: LiveTopic
):
    no_js_page.goto(f"/login?next={topic.url}")
    sign_in(no_js_page, topic.first)
    no_js_page.get_by_label("建议").check()
    no_js_page.get_by_label("您的意见").fill("车棚也一起修。")
    no_js_page.get_by_role("button", name="发表").click()
    expect(no_js_page).to_have_url(re.compile(r"/hall/\d+/#post-\d+$"))
    expect(no_js_page.locator("article.post").first).to_contain_text("车棚也一起修。")
    assert_accessible(no_js_page)
