"""A resident files a case with a photo on a phone without JavaScript, looks it up by code on
another phone, and staff accept it in their queue, where the row updates in place."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from civic.accounts.roles import Role
from civic.suggestions.tables import Case, CaseEvent
from civic.suggestions.workflow import S, Verb
from tests import builders
from tests.browser.helpers import assert_accessible, new_context, run
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser

TEXT = "3 号楼东侧的路灯坏了一周，晚上老人出门看不清台阶。"


async def _community() -> tuple[str, str]:
    c = await builders.community(name="杏花社区")
    _, staff_phone = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    return c.slug, staff_phone


def _photo(tmp_path) -> str:
    path = tmp_path / "lamp.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 120, 160)).save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return str(path)


def file_without_javascript(page: Page, slug: str, photo: str) -> str:
    page.goto(f"/c/{slug}/suggestions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("意见箱")
    assert_accessible(page)
    page.get_by_role("link", name="我要反映").click()
    assert_accessible(page)
    page.get_by_label("类别").select_option("设施维修")
    page.get_by_label("什么事").fill(TEXT)
    page.get_by_label("照片").set_input_files(photo)
    page.get_by_label("不公开，只给社区工作人员看").check()
    page.get_by_label("手机号").fill("13900001234")
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_text("已经收到")).to_be_visible()
    heading = page.get_by_role("heading", level=1).inner_text()
    shown = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", heading).group(0)
    expect(page.get_by_text(TEXT)).to_be_visible()
    expect(page.locator("img.photo")).to_have_count(1)
    assert page.locator("img.photo").evaluate("img => img.naturalWidth") > 0
    assert_accessible(page)
    return shown


def look_up_on_another_phone(browser: Browser, base_url: str, shown: str) -> None:
    context = new_context(browser, base_url)
    page = context.new_page()
    page.goto("/s/")
    page.get_by_role("textbox", name="查询码").fill(shown.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"意见 {shown}")
    expect(page.get_by_text("选择了不公开")).to_be_visible()
    expect(page.get_by_text(TEXT)).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("手机号后四位").fill("1234")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_text(TEXT)).to_be_visible()
    expect(page.locator("img.photo")).to_have_count(1)
    context.close()


def test_file_look_up_and_accept(no_js_page, browser, live_server, page, tmp_path):
    slug, staff_phone = run(_community())
    shown = file_without_javascript(no_js_page, slug, _photo(tmp_path))
    look_up_on_another_phone(browser, live_server, shown)
    code = shown.replace("-", "")

    page.goto(f"/login?next=/staff/c/{slug}/suggestions/")
    sign_in(page, staff_phone)
    row = page.locator(f"#case-{code}")
    expect(row).to_contain_text("待受理")
    expect(row).to_contain_text("回应还剩")
    assert_accessible(page)
    page.evaluate("() => { window.stillThisPage = true }")
    row.get_by_role("button", name="受理").click()
    expect(row).to_contain_text("已受理")
    expect(row.get_by_role("button", name="开始办理")).to_be_visible()
    assert page.evaluate("() => window.stillThisPage === true")  # swapped, not reloaded
    assert_accessible(page)

    page.goto(f"/c/{slug}/suggestions/report")
    expect(page.get_by_role("heading", name="总体")).to_be_visible()
    assert_accessible(page)

    case = run(Case.select(Case.status).where(Case.code == code).first().run())
    assert case["status"] == S.ACCEPTED
    accepted = run(CaseEvent.count().where(CaseEvent.verb == Verb.ACCEPT).run())
    assert accepted == 1
