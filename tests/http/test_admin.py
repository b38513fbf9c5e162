"""The district admin opens accounts for staff and gives them roles in places."""

from __future__ import annotations

import pytest

from civic.accounts import service
from civic.accounts.roles import Role
from civic.accounts.tables import Membership, Person
from tests import builders
from tests.builders import post_form, sign_in, text_of


@pytest.fixture
async def admin(client):
    c = await builders.community(name="杏花社区")
    _, phone = await builders.person((Role.DISTRICT_ADMIN, 0), name="区管理员")
    await sign_in(client, phone)
    return c


async def test_admin_opens_a_staff_account_with_its_role(client, admin):
    response = await post_form(
        client,
        "/staff/admin/people/new",
        {
            "phone": "13700002222",
            "name": "王秀兰",
            "password": "first pass 1",
            "role": "community_staff",
            "scope": f"community:{admin.id}",
        },
    )
    assert response.status_code == 303
    person = await Person.select(Person.id).where(Person.phone == "13700002222").first()
    assert response.headers["location"] == f"/staff/admin/people/{person['id']}"
    page = text_of((await client.get(response.headers["location"])).text)
    assert "王秀兰" in page and "社区工作者 · 杏花社区" in page
    listed = text_of((await client.get("/staff/admin/people?q=王秀")).text)
    assert "13700002222" in listed


async def test_a_role_in_the_wrong_kind_of_place_is_refused_and_the_form_kept(client, admin):
    response = await post_form(
        client,
        "/staff/admin/people/new",
        {
            "phone": "13700002222",
            "name": "王秀兰",
            "password": "first pass 1",
            "role": "street_official",
            "scope": f"community:{admin.id}",
        },
    )
    assert response.status_code == 422
    assert "“街道干部”要选一个街道" in response.text
    assert 'value="王秀兰"' in response.text
    assert await Person.count().where(Person.phone == "13700002222") == 0


async def test_a_taken_phone_number_is_said_next_to_the_field(client, admin):
    _, phone = await builders.person()
    response = await post_form(
        client,
        "/staff/admin/people/new",
        {"phone": phone, "name": "重名", "password": "first pass 1"},
    )
    assert response.status_code == 422
    assert "这个手机号已有账号" in response.text


async def test_roles_change_in_place_with_htmx_and_by_plain_form(client, admin):
    person_id, _ = await builders.person(name="赵海燕")
    url = f"/staff/admin/people/{person_id}"
    grant = {"role": "grid_worker", "scope": f"community:{admin.id}"}

    fragment = await post_form(client, f"{url}/roles", grant, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="card" id="roles"')
    assert "<html" not in fragment.text
    assert "网格员 · 杏花社区" in text_of(fragment.text)

    again = await post_form(client, f"{url}/roles", grant)  # a double tap adds nothing twice
    assert again.status_code == 303
    assert await Membership.count().where(Membership.person == person_id) == 1

    page = await client.get(url)
    assert "<html" in page.text and 'id="roles"' in page.text

    membership = (await service.memberships([person_id]))[person_id][0]
    removed = await post_form(client, f"{url}/roles/{membership.id}/delete", {})
    assert removed.status_code == 303
    assert await Membership.count().where(Membership.person == person_id) == 0


async def test_community_staff_cannot_hand_out_roles(client):
    c = await builders.community()
    person_id, _ = await builders.person()
    _, staff = await builders.person((Role.COMMUNITY_STAFF, c.id))
    await sign_in(client, staff)
    response = await post_form(
        client,
        f"/staff/admin/people/{person_id}/roles",
        {"role": "district_admin", "scope": "district:0"},
    )
    assert response.status_code == 403
    assert await Membership.count().where(Membership.person == person_id) == 0
