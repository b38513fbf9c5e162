"""Prepared SELECTs: built once, the same answers as Piccolo's own query for every value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from piccolo.engine import engine_finder

from civic.db import write_transaction
from civic.places.tables import Community, Street
from civic.prepared import Prepared
from civic.web.tables import StoreEntry
from tests import builders

_BY_SLUG_IN_STREET = Prepared(
    lambda slug, street: (
        Community.select(Community.name, Community.street.name.as_alias("street_name"))
        .where((Community.slug == slug) & (Community.street == street))
        .first()
    ),
    slug=str,
    street=int,
)
_IN_STREET = Prepared(
    lambda street: (
        Community.select(Community.slug).where(Community.street == street).order_by(Community.slug)
    ),
    street=int,
)
_EXPIRING_AFTER = Prepared(
    lambda moment: (
        StoreEntry.select(StoreEntry.key)
        .where(StoreEntry.expires_at > moment)
        .order_by(StoreEntry.key)
    ),
    moment=datetime,
)


async def test_each_call_binds_its_own_values():
    district = await builders.district()
    east = await builders.street(district, slug="east", name="东街")
    west = await builders.street(district, slug="west", name="西街")
    await builders.community(east, slug="apple", name="苹果社区")
    await builders.community(east, slug="pear", name="梨社区")
    await builders.community(west, slug="plum", name="李子社区")

    assert await _BY_SLUG_IN_STREET(slug="apple", street=east) == {
        "name": "苹果社区",
        "street_name": "东街",
    }
    assert await _BY_SLUG_IN_STREET(slug="plum", street=west) == {
        "name": "李子社区",
        "street_name": "西街",
    }
    assert await _BY_SLUG_IN_STREET(slug="plum", street=east) is None
    assert await _IN_STREET(street=east) == [{"slug": "apple"}, {"slug": "pear"}]
    assert await _IN_STREET(street=west) == [{"slug": "plum"}]
    assert await _IN_STREET(street=west + east + 100) == []


async def test_a_value_that_looks_like_sql_is_only_a_value():
    district = await builders.district()
    east = await builders.street(district, slug="east", name="东街")
    await builders.community(east, slug="apple", name="苹果社区")
    assert await _BY_SLUG_IN_STREET(slug="apple' OR '1'='1", street=east) is None
    assert await Community.count() == 1


async def test_datetimes_are_bound_and_come_back_converted():
    now = datetime.now(UTC)
    for key, hours in (("soon", 1), ("later", 5), ("gone", -2)):
        await StoreEntry.insert(
            StoreEntry(key=key, value=b"x", expires_at=now + timedelta(hours=hours))
        )
    assert await _EXPIRING_AFTER(moment=now) == [{"key": "later"}, {"key": "soon"}]
    assert await _EXPIRING_AFTER(moment=now + timedelta(hours=3)) == [{"key": "later"}]


async def test_runs_inside_the_callers_transaction():
    district = await builders.district()
    east = await builders.street(district, slug="east", name="东街")
    engine = engine_finder()
    async with write_transaction(engine):
        await Community.insert(Community(street=east, name="新社区", slug="fresh"))
        assert await _IN_STREET(street=east) == [{"slug": "fresh"}]
    assert await Street.count() == 1


async def test_a_parameter_written_into_the_sql_text_is_refused():
    limited = Prepared(lambda n: Community.select(Community.slug).limit(n), n=int)
    with pytest.raises(TypeError, match="n"):
        await limited(n=3)


def test_a_parameter_of_another_type_is_refused():
    with pytest.raises(TypeError):
        Prepared(lambda flag: Community.select().where(Community.id == flag), flag=bool)._plan()
