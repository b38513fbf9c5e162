"""A resident finds their community, reads it in 长辈模式, and signs in: in a real browser."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, Request, expect

from civic.accounts.roles import Role
from civic.places import service as places
from tests import builders
from tests.browser.helpers import assert_accessible, run

pytestmark = pytest.mark.browser

WRONG_PASSWORD = "手机号或密码不对，请再试一次。"


@dataclass(frozen=True)
class Resident:
    name: str
    phone: str
    community: str
    slug: str


async def _resident() -> Resident:
    district = await builders.district("青溪区")
    street = await builders.street(district, name="柳荫街道")
    community = await builders.community(
        street, name="杏花社区", address="杏花路 12 号", office_phone="010-6351-2201"
    )
    grid = await places.create_grid(community.id, "第一网格")
    await places.create_building(community.id, "3号楼", grid)
    _, phone = await builders.person((Role.RESIDENT, community.id), name="李秀英")
    return Resident("李秀英", phone, community.name, community.slug)


@pytest.fixture
def resident() -> Resident:
    """A district, a street, a community with a grid and a building, and one resident."""
    return run(_resident())


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def sign_in(page: Page, phone: str, password: str = builders.PASSWORD) -> None:
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def too_small_targets(page: Page, minimum: float) -> list[str]:
    """The visible buttons and links a finger has to hit that are less than `minimum` px tall.

    These are every button (and link styled as one), the links in the page's header, and every
    link in the page's main part."""
    targets = page.locator("button, a.button, header a, main a").all()
    assert targets, "the page offers nothing to tap"
    small = []
    for target in targets:
        box = target.bounding_box()
        if box is None or not target.is_visible():
            continue
        if box["height"] < minimum:
            text = " ".join(target.inner_text().split())
            small.append(f"{text!r}: {box['height']:.1f}px tall")
    return small


def body_text_size(page: Page, text: str) -> tuple[float, float]:
    """Font size and line height, in px, of the paragraph in the main part that shows `text`."""
    paragraph = page.locator("main p", has_text=text).first
    expect(paragraph).to_be_visible()
    style = paragraph.evaluate(
        "p => { const s = getComputedStyle(p); return [s.fontSize, s.lineHeight]; }"
    )
    return float(style[0].removesuffix("px")), float(style[1].removesuffix("px"))


def test_community_page_reads_well_in_normal_and_elder_mode(page: Page, resident: Resident):
    page.goto("/")
    expect(heading(page)).to_have_text("青溪区")
    assert_accessible(page)

    page.get_by_role("link", name=resident.community).click()
    expect(heading(page)).to_have_text(resident.community)
    expect(page.get_by_text("3号楼")).to_be_visible()
    assert_accessible(page)
    normal_size, _ = body_text_size(page, "3号楼")
    small = too_small_targets(page, 44)
    assert not small, f"tap targets under 44px in normal mode: {small}"

    page.get_by_role("button", name="长辈模式（大字）").click()
    expect(page.get_by_role("button", name="关闭长辈模式")).to_be_visible()
    page.reload()
    expect(heading(page)).to_have_text(resident.community)
    expect(page.get_by_role("button", name="关闭长辈模式")).to_be_visible()

    size, line_height = body_text_size(page, "3号楼")
    assert size >= 18, f"body text in 长辈模式 is {size}px"
    assert size > normal_size, f"长辈模式 text {size}px, normal text {normal_size}px"
    assert line_height >= 1.3 * size, f"line height {line_height}px for {size}px text"
    small = too_small_targets(page, 60)
    assert not small, f"tap targets under 60px in 长辈模式: {small}"
    assert_accessible(page)

    page.get_by_role("button", name="关闭长辈模式").click()
    expect(page.get_by_role("button", name="长辈模式（大字）")).to_be_visible()
    assert body_text_size(page, "3号楼")[0] == normal_size


def test_sign_in_then_pages_change_without_reloading(page: Page, resident: Resident):
    page.goto("/login")
    expect(heading(page)).to_have_text("登录")
    assert_accessible(page)

    sign_in(page, resident.phone)
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(heading(page)).to_have_text("我的")
    expect(page.get_by_role("heading", name=resident.name)).to_be_visible()
    expect(page.get_by_text(resident.phone)).to_be_visible()
    assert_accessible(page)

    # A boosted link swaps the page in place: the window (and what it holds) stays.
    page.evaluate("() => { window.sameDocument = true; }")
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    fetched: list[Request] = []
    page.on("request", lambda r: fetched.append(r))

    page.get_by_role("link", name=f"居民 · {resident.community}").click()
    expect(page).to_have_url(re.compile(rf"/c/{resident.slug}/$"))
    expect(heading(page)).to_have_text(resident.community)
    expect(page).to_have_title(re.compile(resident.community))
    expect(page.get_by_text("3号楼")).to_be_visible()
    # Signed in: the header offers 我的, the page no longer asks to sign up.
    expect(page.get_by_role("link", name="我的")).to_be_visible()
    expect(page.get_by_role("link", name="我是本社区居民，注册")).to_have_count(0)

    asked = [r for r in fetched if r.url.endswith(f"/c/{resident.slug}/")]
    assert len(asked) == 1, [r.url for r in fetched]
    assert asked[0].resource_type in {"xhr", "fetch"}, asked[0].resource_type
    assert asked[0].headers.get("hx-request") == "true", asked[0].headers
    assert asked[0].headers.get("hx-boosted") == "true", asked[0].headers
    assert loads == [], f"full page loads: {loads}"
    assert page.evaluate("() => window.sameDocument === true"), "the page was reloaded"
    # As after a full load, a screen reader starts at the new page: focus is on its heading.
    expect(heading(page)).to_be_focused()
    assert_accessible(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_role("heading", name=resident.name)).to_be_visible()
    assert_accessible(page)


def test_whole_journey_works_without_javascript(no_js_page: Page, resident: Resident):
    page = no_js_page
    page.goto("/")
    expect(heading(page)).to_have_text("青溪区")
    assert_accessible(page)

    page.get_by_role("link", name=resident.community).click()
    expect(page).to_have_url(re.compile(rf"/c/{resident.slug}/$"))
    expect(heading(page)).to_have_text(resident.community)
    assert_accessible(page)

    page.get_by_role("link", name="已有账号，登录").click()
    expect(heading(page)).to_have_text("登录")
    assert_accessible(page)

    sign_in(page, resident.phone)
    # Back where the resident came from, now signed in.
    expect(page).to_have_url(re.compile(rf"/c/{resident.slug}/$"))
    expect(heading(page)).to_have_text(resident.community)
    assert_accessible(page)

    page.get_by_role("link", name="我的").click()
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_role("heading", name=resident.name)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="长辈模式（大字）").click()
    expect(page.get_by_role("button", name="关闭长辈模式")).to_be_visible()
    expect(page.get_by_role("heading", name=resident.name)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_wrong_password_says_so_and_keeps_the_phone_number(
    request: pytest.FixtureRequest, resident: Resident, javascript: bool
):
    page: Page = request.getfixturevalue("page" if javascript else "no_js_page")
    page.goto("/login")
    sign_in(page, resident.phone, "not the password")

    message = page.get_by_text(WRONG_PASSWORD)
    expect(message).to_be_visible()
    expect(heading(page)).to_have_text("登录")
    expect(page.get_by_label("手机号")).to_have_value(resident.phone)
    expect(page.get_by_label("密码")).to_have_value("")
    if javascript:  # the message is read out first: focus moved to it
        expect(page.get_by_role("alert")).to_be_focused()
    form = page.locator("main form")
    message_box, form_box = message.bounding_box(), form.bounding_box()
    assert message_box and form_box
    assert message_box["y"] + message_box["height"] <= form_box["y"], "message is not above"
    expect(page.get_by_role("heading", name=resident.name)).to_have_count(0)
    assert_accessible(page)

    # Corrected, the same form signs in.
    page.get_by_label("密码").fill(builders.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name=resident.name)).to_be_visible()
