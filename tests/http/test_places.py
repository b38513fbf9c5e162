"""A visitor finds their community from the district page."""

from __future__ import annotations

import pytest

from tests import builders
from tests.builders import text_of


async def test_district_lists_streets_and_their_communities(client):
    district = await builders.district("青溪区")
    street = await builders.street(district, slug="liuyin", name="柳荫街道")
    await builders.community(street, slug="xinghua", name="杏花社区")
    response = await client.get("/")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "青溪区" in text and "柳荫街道" in text and "杏花社区" in text
    assert 'href="/c/xinghua/"' in response.text


async def test_empty_district_says_what_to_do(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert "还没有开通任何社区" in response.text


async def test_community_home_shows_office_grids_and_buildings(client):
    from civic.places import service as places

    c = await builders.community(
        name="杏花社区",
        office_phone="010-6351-2201",
        office_hours="周一至周五",
        address="杏花路 12 号",
    )
    grid = await places.create_grid(c.id, "第一网格")
    await places.create_building(c.id, "3号楼", grid)
    response = await client.get(f"/c/{c.slug}/")
    assert response.status_code == 200
    text = text_of(response.text)
    for expected in (
        "杏花社区",
        "010-6351-2201",
        "周一至周五",
        "杏花路 12 号",
        "第一网格",
        "3号楼",
    ):
        assert expected in text


async def test_unknown_community_is_a_chinese_404(client):
    response = await client.get("/c/nowhere/")
    assert response.status_code == 404
    assert "没有这个社区" in response.text


@pytest.mark.parametrize("count", [1, 10])
async def test_community_home_queries_do_not_grow_with_communities(client, count):
    street = await builders.street(await builders.district())
    communities = [await builders.community(street) for _ in range(count)]
    response = await client.get(f"/c/{communities[0].slug}/")
    assert response.status_code == 200
    # Three for the page, one for the page cache's look at the data version.
    assert int(response.headers["x-query-count"]) <= 4
