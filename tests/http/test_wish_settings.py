"""A community's own value cap for a wish: set by its staff on the wish staff page, used when a
resident posts or resubmits, and shown in the posting form."""

from __future__ import annotations

import pytest

from civic.accounts.roles import Role
from civic.wishes import service
from civic.wishes.tables import TreeSettings, Wish
from tests import builders
from tests.builders import post_form, sign_in, text_of


@pytest.fixture
async def place():
    street = await builders.street(await builders.district())
    here = await builders.community(street, name="杏花社区")
    there = await builders.community(street, name="湖畔社区")
    _, staff = await builders.person((Role.COMMUNITY_STAFF, here.id), name="王秀兰")
    _, elsewhere = await builders.person((Role.COMMUNITY_STAFF, there.id), name="陈静")
    _, resident = await builders.person((Role.RESIDENT, here.id), name="李桂芳")
    _, official = await builders.person((Role.STREET_OFFICIAL, street), name="周建国")
    return here, {"staff": staff, "elsewhere": elsewhere, "resident": resident, "street": official}


async def test_staff_lower_the_cap_and_a_dearer_wish_is_refused_keeping_what_was_typed(
    client, place
):
    c, phones = place
    await sign_in(client, phones["staff"])
    page = await client.get(f"/staff/c/{c.slug}/wishes/")
    assert 'name="value_cap"' in page.text and 'value="500"' in page.text
    saved = await post_form(client, f"/staff/c/{c.slug}/wishes/settings", {"value_cap": "200"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/staff/c/{c.slug}/wishes/?saved=1#settings"
    page = text_of((await client.get(saved.headers["location"])).text)
    assert "已保存：每个心愿最多 200 元" in page
    assert await service.value_cap(c.id) == 200

    client.cookies.clear()
    await sign_in(client, phones["resident"])
    form = text_of((await client.get(f"/c/{c.slug}/wishes/new")).text)
    assert "填整数，最多 200 元" in form
    refused = await post_form(
        client,
        f"/c/{c.slug}/wishes/new",
        {
            "title": "一台电风扇",
            "category": "生活用品",
            "value_yuan": "260",
            "description": "夏天用",
        },
    )
    assert refused.status_code == 422
    assert "微心愿的价值不超过 200 元" in text_of(refused.text)
    assert 'value="一台电风扇"' in refused.text and 'value="260"' in refused.text
    assert "夏天用" in refused.text
    made = await post_form(
        client,
        f"/c/{c.slug}/wishes/new",
        {"title": "一台电风扇", "category": "生活用品", "value_yuan": "180"},
    )
    assert made.status_code == 303
    assert await Wish.count() == 1


async def test_with_htmx_the_settings_form_answers_with_itself(client, place):
    c, phones = place
    await sign_in(client, phones["staff"])
    saved = await post_form(
        client,
        f"/staff/c/{c.slug}/wishes/settings",
        {"value_cap": "800"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "<html" not in saved.text and 'id="settings"' in saved.text
    assert "已保存：每个心愿最多 800 元" in text_of(saved.text)
    wrong = await post_form(
        client,
        f"/staff/c/{c.slug}/wishes/settings",
        {"value_cap": "十万"},
        headers={"HX-Request": "true"},
    )
    assert wrong.status_code == 422 and "<html" not in wrong.text
    assert "请填写 1 到 5000 之间的整数" in text_of(wrong.text) and 'value="十万"' in wrong.text
    assert await service.value_cap(c.id) == 800


async def test_a_wrong_cap_without_javascript_shows_the_whole_page_again(client, place):
    c, phones = place
    await sign_in(client, phones["staff"])
    wrong = await post_form(client, f"/staff/c/{c.slug}/wishes/settings", {"value_cap": "0"})
    assert wrong.status_code == 422
    assert "心愿工作台" in wrong.text and "请填写 1 到 5000 之间的整数" in text_of(wrong.text)
    assert await TreeSettings.count() == 0


@pytest.mark.parametrize("who", ["elsewhere", "resident", "street"])
async def test_only_the_community_staff_change_the_cap(client, place, who):
    c, phones = place
    await sign_in(client, phones[who])
    refused = await post_form(client, f"/staff/c/{c.slug}/wishes/settings", {"value_cap": "5000"})
    assert refused.status_code == 403
    assert await service.value_cap(c.id) == 500
