"""Test data, made through the same service functions the site uses."""

from __future__ import annotations

import itertools
import re

from litestar.testing import AsyncTestClient

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.places import service as places
from civic.places.service import CommunityInfo

PASSWORD = "correct horse 8"
_numbers = itertools.count(1)


async def district(name: str = "测试区") -> int:
    return await places.create_district(name)


async def street(district_id: int, slug: str = "", name: str = "") -> int:
    n = next(_numbers)
    return await places.create_street(district_id, name or f"测试街道{n}", slug or f"street-{n}")


async def community(
    street_id: int | None = None, slug: str = "", name: str = "", **details: str
) -> CommunityInfo:
    if street_id is None:
        street_id = await street(await district())
    n = next(_numbers)
    slug = slug or f"community-{n}"
    await places.create_community(street_id, name or f"测试{n}社区", slug, **details)
    found = await places.community_by_slug(slug)
    assert found is not None
    return found


async def person(
    *roles: tuple[Role, int], name: str = "张三丰", phone: str = "", password: str = PASSWORD
) -> tuple[int, str]:
    """A person holding `roles` ((role, scope id) pairs); returns (id, phone)."""
    phone = phone or f"137{next(_numbers):08d}"
    person_id = await accounts.create_person(phone, name, password)
    for role, scope_id in roles:
        await accounts.grant(person_id, role, scope_id)
    return person_id, phone


async def csrf_token(client: AsyncTestClient) -> str:
    """The CSRF token a browser would hold after opening any page."""
    if "csrftoken" not in client.cookies:
        await client.get("/login")
    return client.cookies["csrftoken"]


async def post_form(client: AsyncTestClient, url: str, data: dict, **kwargs):
    """Submit a form as a browser does: with the page's CSRF token in a hidden field."""
    return await client.post(url, data={**data, "_csrf_token": await csrf_token(client)}, **kwargs)


async def sign_in(client: AsyncTestClient, phone: str, password: str = PASSWORD) -> None:
    response = await post_form(client, "/login", {"phone": phone, "password": password})
    assert response.status_code == 303, response.text


def text_of(html: str) -> str:
    """The words a person would read: tags removed, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
