"""The data version a burst of requests shares: one read for many asks, and never a read that
began before the ask (else a commit a person has just seen could be missing from their next
page)."""

from __future__ import annotations

import asyncio

import pytest
from piccolo.engine import engine_finder

from civic import db as civic_db
from civic.coalesce import Coalesced
from civic.places.tables import District
from tests.conftest import ON_POSTGRES


class Reads:
    """A read whose answer is the number of reads begun so far, held until let go."""

    def __init__(self) -> None:
        self.begun = 0
        self.go = asyncio.Event()

    async def __call__(self) -> int:
        self.begun += 1
        mine = self.begun
        await self.go.wait()
        return mine


async def test_asks_during_a_read_share_the_next_read_begun_after_them():
    reads = Reads()
    shared = Coalesced(reads)
    first = asyncio.ensure_future(shared.get())
    await asyncio.sleep(0)  # the first read is on its way
    later = [asyncio.ensure_future(shared.get()) for _ in range(20)]
    await asyncio.sleep(0)
    assert reads.begun == 1  # nobody who came later rides on a read begun before them
    reads.go.set()
    assert await first == 1
    assert [await ask for ask in later] == [2] * 20
    assert reads.begun == 2
    assert await shared.get() == 3  # asked with nothing in flight: a read of its own


async def test_a_failed_read_fails_those_waiting_for_it_and_the_next_ask_reads_again():
    calls = 0

    async def read() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        if calls <= 2:
            raise ConnectionError("database gone")
        return calls

    shared = Coalesced(read)
    first = asyncio.ensure_future(shared.get())
    await asyncio.sleep(0)
    waiting = asyncio.ensure_future(shared.get())
    with pytest.raises(ConnectionError):
        await first
    with pytest.raises(ConnectionError):
        await waiting
    assert await shared.get() == 3


async def test_a_waiter_that_gives_up_leaves_the_others_their_answer():
    reads = Reads()
    shared = Coalesced(reads)
    first = asyncio.ensure_future(shared.get())
    await asyncio.sleep(0)
    quitter, stayer = asyncio.ensure_future(shared.get()), asyncio.ensure_future(shared.get())
    await asyncio.sleep(0)
    quitter.cancel()
    reads.go.set()
    assert await first == 1
    assert await stayer == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite reads its version in process, no trip")
async def test_a_burst_on_postgresql_sends_few_version_reads_and_each_sees_a_commit_before_it():
    engine = engine_finder()
    assert isinstance(engine, civic_db.CountingPostgresEngine) and engine.pool is not None
    before = await engine.data_version()
    await District.insert(District(name="新写的区"))
    sent = civic_db.statements_run
    versions = await asyncio.gather(*(engine.data_version() for _ in range(50)))
    assert civic_db.statements_run - sent <= 2
    assert len(set(versions)) == 1 and versions[0] != before
