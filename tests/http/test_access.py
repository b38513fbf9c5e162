"""Every page answers who may see it, and refuses (or asks to sign in) everyone else."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from civic.accounts.roles import Role
from civic.places import service as places
from tests import builders
from tests.builders import sign_in


@dataclass
class World:
    own: builders.CommunityInfo
    other: builders.CommunityInfo
    phones: dict[str, str]


@pytest.fixture
async def world() -> World:
    district = await builders.district()
    street = await builders.street(district)
    far_street = await builders.street(district)
    own = await builders.community(street)
    other = await builders.community(far_street)
    department = await places.create_department("区城管委", "chengguan")
    people = {
        "resident": (Role.RESIDENT, own.id),
        "party member": (Role.PARTY_MEMBER, own.id),
        "building leader": (Role.BUILDING_LEADER, own.id),
        "grid worker": (Role.GRID_WORKER, own.id),
        "staff": (Role.COMMUNITY_STAFF, own.id),
        "staff elsewhere": (Role.COMMUNITY_STAFF, other.id),
        "street official": (Role.STREET_OFFICIAL, street),
        "department": (Role.DEPARTMENT_STAFF, department),
        "merchant": (Role.MERCHANT_STAFF, 1),
        "admin": (Role.DISTRICT_ADMIN, 0),
    }
    phones = {}
    for who, grant in people.items():
        _, phones[who] = await builders.person(grant)
    return World(own, other, phones)


EVERYONE = [
    "visitor",
    "resident",
    "party member",
    "building leader",
    "grid worker",
    "staff",
    "staff elsewhere",
    "street official",
    "department",
    "merchant",
    "admin",
]

# page -> who may see it (everyone else: a visitor is sent to sign in, others get 403)
PAGES = {
    "/": EVERYONE,
    "/c/{own}/": EVERYONE,
    "/c/{own}/poster.pdf": EVERYONE,
    "/login": EVERYONE,
    "/signup": EVERYONE,
    "/me": EVERYONE[1:],
    "/staff/": EVERYONE[1:],
    "/staff/c/{own}/": ["staff"],
    "/staff/c/{other}/": ["staff elsewhere"],
    "/staff/admin/people": ["admin"],
    "/staff/admin/people/new": ["admin"],
}


@pytest.mark.parametrize("who", EVERYONE)
async def test_each_page_for_each_person(client, world, who):
    if who != "visitor":
        await sign_in(client, world.phones[who])
    for pattern, allowed in PAGES.items():
        url = pattern.format(own=world.own.slug, other=world.other.slug)
        response = await client.get(url)
        if who in allowed:
            assert response.status_code == 200, (who, url)
        elif who == "visitor":
            assert response.status_code == 303, (who, url)
            assert response.headers["location"].startswith("/login?next="), (who, url)
        else:
            assert response.status_code == 403, (who, url)
            assert "没有权限" in response.text, (who, url)


async def test_staff_register_shows_phones_only_to_that_communitys_staff(client, world):
    await builders.person((Role.RESIDENT, world.own.id), name="李桂芳", phone="13812340000")
    await sign_in(client, world.phones["staff"])
    register = await client.get(f"/staff/c/{world.own.slug}/")
    assert "李桂芳" in register.text and "13812340000" in register.text
    client.cookies.clear()
    await sign_in(client, world.phones["staff elsewhere"])
    refused = await client.get(f"/staff/c/{world.own.slug}/")
    assert refused.status_code == 403
    assert "13812340000" not in refused.text and "李桂芳" not in refused.text


async def test_public_pages_never_show_phone_numbers(client, world):
    await builders.person((Role.RESIDENT, world.own.id), name="李桂芳", phone="13812340000")
    for url in ("/", f"/c/{world.own.slug}/"):
        html = (await client.get(url)).text
        assert "13812340000" not in html and "李桂芳" not in html


async def test_htmx_request_for_a_protected_page_redirects_the_whole_page(client, world):
    response = await client.get("/me", headers={"HX-Request": "true"})
    assert response.headers["hx-redirect"] == "/login?next=/me"
