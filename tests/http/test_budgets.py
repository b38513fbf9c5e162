"""Our users pay for every byte: the page weight and SQL budgets of the foundation issue."""

from __future__ import annotations

import re

from civic.accounts.roles import Role
from civic.places import service as places
from tests import builders
from tests.builders import sign_in

HOME_HTML = 14 * 1024
FIRST_VISIT = 45 * 1024
HOME_QUERIES = 6


async def _wire_bytes(client, url: str) -> tuple[int, str]:
    response = await client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    return response.num_bytes_downloaded, response.text


async def _community_with_layout():
    c = await builders.community(name="杏花社区", intro="居民约三千户。" * 10)
    for g in range(3):
        grid = await places.create_grid(c.id, f"第{g + 1}网格")
        for b in range(6):
            await places.create_building(c.id, f"{g * 6 + b + 1}号楼", grid)
    return c


async def test_community_home_is_light_for_a_visitor_and_a_resident(client):
    c = await _community_with_layout()
    _, phone = await builders.person((Role.RESIDENT, c.id), (Role.PARTY_MEMBER, c.id))
    for signed_in in (False, True):
        if signed_in:
            await sign_in(client, phone)
        html_bytes, html = await _wire_bytes(client, f"/c/{c.slug}/")
        assert html_bytes <= HOME_HTML
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
        total = html_bytes
        for asset in assets:
            total += (await _wire_bytes(client, asset))[0]
        assert total <= FIRST_VISIT, (signed_in, total)
        response = await client.get(f"/c/{c.slug}/")
        assert int(response.headers["x-query-count"]) <= HOME_QUERIES


async def test_signed_in_pages_load_the_person_in_one_more_query(client):
    c = await builders.community()
    _, phone = await builders.person((Role.RESIDENT, c.id))
    anonymous = int((await client.get(f"/c/{c.slug}/")).headers["x-query-count"])
    await sign_in(client, phone)
    signed_in = int((await client.get(f"/c/{c.slug}/")).headers["x-query-count"])
    # The visitor's count holds one look at the data version (the page cache's); the signed-in
    # one reads the session with it in one statement (civic/kept.py), then the person with all
    # their roles, then fills the shared rendering (web/shared_views.py) as the visitor did.
    assert signed_in - anonymous == 1
