"""Staff carry on from where they were: after a one-tap step in a queue the row that comes back
has the focus, a confirmation shown in place takes it too, and without JavaScript the same
confirmation is a page of its own."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from civic.accounts.roles import Role
from civic.suggestions import service as cases
from civic.suggestions.tables import Case
from tests import builders
from tests.browser.helpers import assert_accessible, run
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


async def _queue() -> tuple[str, str, list[str]]:
    c = await builders.community(name="杏花社区")
    _, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    now = datetime.now(UTC)
    codes = [
        await cases.file_case(None, c.id, category="环境卫生", text=text, now=now)
        for text in ("北门垃圾桶满了三天", "3 号楼楼道灯坏了", "南门井盖松了")
    ]
    return c.slug, staff_phone, codes


async def _status(code: str) -> str:
    row = await Case.select(Case.status).where(Case.code == code).first()
    assert row is not None
    return row["status"]


def test_the_row_a_step_was_taken_on_keeps_the_focus(page: Page):
    slug, staff_phone, codes = run(_queue())
    page.goto(f"/login?next=/staff/c/{slug}/suggestions/")
    sign_in(page, staff_phone)
    middle = page.locator(f"#case-{codes[1]}")
    expect(middle).to_contain_text("待受理")
    page.evaluate("() => { window.stillThisPage = true }")
    middle.get_by_role("button", name="受理").click()
    expect(middle).to_contain_text("已受理")
    expect(middle.get_by_role("status")).to_have_text("已受理。")
    expect(middle).to_be_focused()
    assert page.evaluate("() => window.stillThisPage === true")  # swapped, not reloaded
    # The next tap on the same row works from there, and the focus stays with it.
    middle.get_by_role("button", name="开始办理").click()
    expect(middle.get_by_role("status")).to_have_text("已开始办理。")
    expect(middle).to_be_focused()
    assert_accessible(page)


def test_a_confirmation_appears_in_place_and_takes_the_focus(page: Page):
    _slug, staff_phone, codes = run(_queue())
    page.goto(f"/login?next=/s/{codes[0]}")
    sign_in(page, staff_phone)
    page.evaluate("() => { window.stillThisPage = true }")
    page.get_by_text("更多操作").click()
    page.get_by_role("link", name="不予受理").click()
    asking = page.get_by_role("region", name="确定要“不予受理”吗？")
    expect(asking).to_be_focused()
    assert page.evaluate("() => window.stillThisPage === true")
    assert run(_status(codes[0])) == "submitted"
    assert_accessible(page)
    asking.get_by_label("不予受理的原因").fill("这属于物业的事，请联系物业服务中心")
    asking.get_by_role("button", name="确认不予受理").click()
    expect(page.get_by_role("status")).to_contain_text("已决定不予受理")
    assert run(_status(codes[0])) == "rejected"


def test_without_javascript_the_confirmation_is_a_page_of_its_own(no_js_page: Page):
    page = no_js_page
    _slug, staff_phone, codes = run(_queue())
    page.goto(f"/login?next=/s/{codes[0]}")
    sign_in(page, staff_phone)
    page.get_by_text("更多操作").click()  # a <details>: opens without a script
    page.get_by_role("link", name="不予受理").click()
    expect(page).to_have_url(re.compile(rf"/s/{codes[0]}/confirm\?step=reject$"))
    expect(page.get_by_role("heading", name="确定要“不予受理”吗？")).to_be_visible()
    assert run(_status(codes[0])) == "submitted"
    assert_accessible(page)
    page.get_by_label("不予受理的原因").fill("这属于物业的事，请联系物业服务中心")
    page.get_by_role("button", name="确认不予受理").click()
    expect(page.get_by_role("status")).to_contain_text("已决定不予受理")
    assert run(_status(codes[0])) == "rejected"
