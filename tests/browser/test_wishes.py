"""A verified party member taps a leaf on the wish tree and claims it: in a real browser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from civic.accounts.roles import Role
from civic.accounts.viewer import load_viewer
from civic.wishes import service
from civic.wishes.tables import Helper, Wish
from civic.wishes.workflow import S
from tests import builders
from tests.browser.helpers import assert_accessible, run
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Tree:
    slug: str
    wish_id: int
    member_phone: str


async def _tree() -> Tree:
    c = await builders.community(name="杏花社区")
    owner_id, _ = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    staff_id, _ = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    member_id, phone = await builders.person((Role.PARTY_MEMBER, c.id), name="黄志远")
    owner, staff = await load_viewer(owner_id), await load_viewer(staff_id)
    now = datetime.now(UTC)
    wish_id = 0
    for title in ("配一副老花镜", "修理厨房水龙头", "孩子的新书包"):
        wish_id = await service.submit_wish(owner, c.id, owner_id, title, "", "助老", 80, now)
        await service.move(staff, wish_id, S.PUBLISHED, now)
    helper = await service.report(member_id, c.id, Helper.Kind.MEMBER, "黄志远")
    await service.decide_report(staff, helper, True, now)
    return Tree(c.slug, wish_id, phone)


@pytest.fixture
def tree() -> Tree:
    return run(_tree())


def leaf(page: Page, wish_id: int):
    return page.locator(f'svg a[href$="/wishes/{wish_id}/"]')


def claim_from_the_tree(page: Page, tree: Tree) -> None:
    page.goto(f"/login?next=/c/{tree.slug}/wishes/")
    sign_in(page, tree.member_phone)
    expect(page.get_by_role("heading", level=1)).to_have_text("微心愿")
    assert "孩子的新书包（待认领）" in leaf(page, tree.wish_id).inner_html()
    assert_accessible(page)

    leaf(page, tree.wish_id).click()
    expect(page).to_have_url(re.compile(rf"/wishes/{tree.wish_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("孩子的新书包")
    expect(page.get_by_text("李**", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="我来认领").click()
    expect(page.get_by_text("已认领").first).to_be_visible()
    expect(page.get_by_text("李桂芳")).to_be_visible()  # the claimer may now reach her
    assert_accessible(page)

    page.get_by_role("link", name="微心愿").click()
    claimed = leaf(page, tree.wish_id)
    assert "孩子的新书包（已认领）" in claimed.inner_html()
    assert "#leaf-c" in claimed.inner_html()  # the leaf is drawn as a claimed one now
    status = run(Wish.select(Wish.status).where(Wish.id == tree.wish_id).first().run())
    assert status["status"] == S.CLAIMED


def test_member_taps_a_leaf_and_claims_it(page: Page, tree: Tree):
    claim_from_the_tree(page, tree)


def test_member_claims_a_wish_without_javascript(no_js_page: Page, tree: Tree):
    claim_from_the_tree(no_js_page, tree)


async def _people() -> dict[str, str]:
    c = await builders.community(name="杏花社区")
    _, resident = await builders.person((Role.RESIDENT, c.id), name="李桂芳")
    _, staff = await builders.person((Role.COMMUNITY_STAFF, c.id), name="王秀兰")
    return {"slug": c.slug, "resident": resident, "staff": staff}


def test_posting_reporting_and_reviewing_pages_read_well(page: Page):
    people = run(_people())
    slug = people["slug"]
    page.goto(f"/login?next=/c/{slug}/wishes/new")
    sign_in(page, people["resident"])
    expect(page.get_by_role("heading", level=1)).to_have_text("许一个心愿")
    assert_accessible(page)
    page.get_by_label("心愿").fill("一台新电视机")
    page.get_by_label("类别").select_option("生活用品")
    page.get_by_label("估计价值（元）").fill("3000")
    page.get_by_role("button", name="提交心愿").click()
    expect(page.get_by_text("不超过 500 元")).to_be_visible()
    expect(page.get_by_label("心愿")).to_have_value("一台新电视机")
    assert_accessible(page)
    page.get_by_label("估计价值（元）").fill("300")
    page.get_by_role("button", name="提交心愿").click()
    expect(page.get_by_text("待审核").first).to_be_visible()
    assert_accessible(page)

    page.goto(f"/c/{slug}/wishes/report")
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(f"/login?next=/staff/c/{slug}/wishes/")
    sign_in(page, people["staff"])
    expect(page.get_by_role("heading", level=1)).to_have_text("心愿工作台")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("一台新电视机")).click()
    page.get_by_role("button", name="通过并发布").click()
    expect(page.get_by_text("待认领").first).to_be_visible()
    assert_accessible(page)


def _photo_bytes() -> bytes:
    from tests.unit.test_photos import phone_photo

    return phone_photo((1200, 1600))


def post_a_wish_with_a_photo(page: Page) -> None:
    people = run(_people())
    slug = people["slug"]
    page.goto(f"/login?next=/c/{slug}/wishes/new")
    sign_in(page, people["resident"])
    expect(page.get_by_role("heading", level=1)).to_have_text("许一个心愿")
    page.get_by_label("心愿").fill("修理厨房水龙头")
    page.get_by_label("类别").select_option("维修")
    page.get_by_label("估计价值（元）").fill("60")
    photo = page.get_by_label("照片（可不传）")
    photo.set_input_files({"name": "x.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"})
    page.get_by_role("button", name="提交心愿").click()
    expect(page.get_by_text("这不是一张能打开的照片")).to_be_visible()
    expect(page.get_by_label("心愿")).to_have_value("修理厨房水龙头")  # what was typed stays
    assert_accessible(page)

    photo.set_input_files(
        {"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": _photo_bytes()}
    )
    page.get_by_role("button", name="提交心愿").click()
    expect(page.get_by_text("待审核").first).to_be_visible()
    image = page.get_by_role("img", name="心愿照片：修理厨房水龙头")
    expect(image).to_have_attribute("width", "1200")
    src = image.get_attribute("src")
    assert src is not None
    answer = page.request.get(src)  # with this person's cookies, as the <img> would be fetched
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    assert len(answer.body()) <= 200 * 1024
    assert_accessible(page)
    wish = run(Wish.select(Wish.photo).first().run())
    assert wish["photo"] is not None


def test_a_resident_posts_a_wish_with_a_photo(page: Page):
    post_a_wish_with_a_photo(page)


def test_a_resident_posts_a_wish_with_a_photo_without_javascript(no_js_page: Page):
    post_a_wish_with_a_photo(no_js_page)


def test_street_figures_read_well(page: Page):
    async def official() -> tuple[str, str]:
        c = await builders.community(name="杏花社区")
        _, phone = await builders.person((Role.STREET_OFFICIAL, c.street_id), name="周建国")
        return c.street_slug, phone

    street, phone = run(official())
    page.goto(f"/login?next=/staff/street/{street}/wishes/")
    sign_in(page, phone)
    expect(page.get_by_role("heading", level=1)).to_contain_text("微心愿数字")
    expect(page.get_by_role("row", name="杏花社区")).to_be_visible()
    assert_accessible(page)
