"""The SQLite engine's shared read connection: fast, and never behind the writes."""

from __future__ import annotations

import pytest
from piccolo.engine import engine_finder

from civic.db import CountingSQLiteEngine
from civic.places.tables import District
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the shared reader is SQLite's")


async def test_reads_through_the_shared_connection_see_every_committed_write():
    engine = engine_finder()
    assert isinstance(engine, CountingSQLiteEngine)
    await engine.open_connections()
    try:
        for n in range(5):
            await District.insert(District(name=f"区{n}"))
            assert await District.count() == n + 1
            assert (
                await District.select(District.name).order_by(District.id, ascending=False).first()
            )["name"] == f"区{n}"
        await District.delete(force=True)
        assert not await District.exists().where(District.name == "区0")
    finally:
        await engine.close_connections()
