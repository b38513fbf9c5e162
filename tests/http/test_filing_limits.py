"""The filing limit counts who is filing: a signed-in person by their account, with more room
for those who file for residents; a visitor by address."""

from __future__ import annotations

from civic.accounts.roles import Role
from civic.suggestions.tables import Case
from tests import builders
from tests.builders import csrf_token, sign_in


async def _file(client, slug: str, text: str, **fields):
    data = {"category": "环境卫生", "text": text, "public": "1", **fields}
    token = await csrf_token(client)
    return await client.post(f"/c/{slug}/suggestions/new", data={**data, "_csrf_token": token})


async def test_a_grid_worker_files_eleven_cases_from_the_office_network(side_by_side):
    c = await builders.community()
    _, worker = await builders.person((Role.GRID_WORKER, c.id), name="马丽")
    async with side_by_side("10.8.0.1") as office:
        await sign_in(office, worker)
        for n in range(11):
            typed = f"张大爷家楼道灯坏了，第{n}次"
            response = await _file(office, c.slug, typed, name="张大爷", phone="13900001111")
            assert response.status_code == 303, (n, response.text)
    assert await Case.count().where(Case.community == c.id) == 11


async def test_a_visitors_eleventh_filing_from_one_address_is_refused_keeping_the_text(
    side_by_side,
):
    c = await builders.community()
    async with side_by_side("10.8.0.2") as visitor:
        for n in range(10):
            assert (await _file(visitor, c.slug, f"路灯不亮第{n}天")).status_code == 303
        refused = await _file(visitor, c.slug, "第十一件：北门积水")
    assert refused.status_code == 429
    assert "提交得太多了" in refused.text and "第十一件：北门积水" in refused.text
    assert await Case.count().where(Case.community == c.id) == 10


async def test_visitors_from_different_addresses_are_counted_apart(side_by_side):
    c = await builders.community()
    async with side_by_side("10.8.0.3") as first, side_by_side("10.8.0.4") as second:
        for n in range(10):
            assert (await _file(first, c.slug, f"第一位第{n}件")).status_code == 303
        assert (await _file(second, c.slug, "第二位的第一件")).status_code == 303
        assert (await _file(first, c.slug, "第一位第十一件")).status_code == 429
    assert await Case.count().where(Case.community == c.id) == 11


async def test_a_signed_in_resident_is_counted_by_person_not_by_network(side_by_side):
    c = await builders.community()
    _, resident = await builders.person(name="李阿姨")
    async with side_by_side("10.8.0.5") as shared:
        for n in range(10):
            assert (await _file(shared, c.slug, f"邻居来的第{n}件")).status_code == 303
        assert (await _file(shared, c.slug, "第十一件")).status_code == 429
        await sign_in(shared, resident)
        for n in range(10):
            assert (await _file(shared, c.slug, f"李阿姨第{n}件")).status_code == 303
        refused = await _file(shared, c.slug, "李阿姨第十一件")
    assert refused.status_code == 429 and "您一小时内提交得太多了" in refused.text
