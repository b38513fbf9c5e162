"""The stores behind sessions and throttling, and the counters on them: the database store on
SQLite and PostgreSQL, Redis when a redis-server can be started, memory for one process."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from civic.web import counters
from civic.web.stores import DatabaseStore, delete_expired_entries, make_store
from civic.web.tables import StoreEntry


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """A redis-server of the run's own, in a temporary folder on a free port; None (and the
    Redis cases skipped) only when the server is not installed."""
    server = shutil.which("redis-server")
    if server is None:
        yield None
        return
    port = _free_port()
    folder: Path = tmp_path_factory.mktemp("redis")
    # In memory only: nothing saved, nothing left behind in the folder.
    options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
    process = subprocess.Popen(
        [server, "--port", str(port), "--dir", str(folder), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(params=["database", "memory", "redis"])
async def store(request: pytest.FixtureRequest, redis_url: str | None) -> AsyncIterator[Store]:
    """Each kind of store `make_store` gives for CIVIC_STORE_URL."""
    if request.param == "redis":
        if redis_url is None:
            pytest.skip("redis-server is not installed (scripts/system-packages.sh test)")
        made = make_store(redis_url, "test")
        assert isinstance(made, RedisStore)
        await made.delete_all()
        yield made
        await made.delete_all()
        await made._shutdown()
    else:
        yield make_store(request.param, "test")


async def test_set_get_overwrite_delete():
    store = DatabaseStore("t")
    assert await store.get("a") is None
    await store.set("a", "一")
    await store.set("a", b"two", expires_in=60)
    assert await store.get("a") == b"two"
    assert 0 < (await store.expires_in("a")) <= 60
    await store.delete("a")
    assert not await store.exists("a")


async def test_namespaces_do_not_see_each_other():
    sessions, throttle = DatabaseStore("sessions"), DatabaseStore("throttle")
    await sessions.set("k", b"s")
    await throttle.set("k", b"t")
    assert await sessions.get("k") == b"s"
    await throttle.delete_all()
    assert await throttle.get("k") is None
    assert await sessions.get("k") == b"s"


async def test_expired_entries_are_gone():
    store = DatabaseStore("t")
    await store.set("old", b"x", expires_in=-5)
    assert await store.get("old") is None
    assert not await store.exists("old")


async def test_fifty_concurrent_increments_each_get_their_own_number(store: Store):
    numbers = await asyncio.gather(*(counters.increment(store, "burst", 900) for _ in range(50)))
    assert sorted(numbers) == list(range(1, 51))
    assert await counters.count(store, "burst") == 50


async def test_a_counter_starts_at_one_and_keys_are_apart(store: Store):
    assert await counters.count(store, "a") == 0
    assert await counters.increment(store, "a", 900) == 1
    assert await counters.increment(store, "a", 900) == 2
    assert await counters.increment(store, "b", 900) == 1
    assert await counters.count(store, "a") == 2


async def test_later_increments_do_not_extend_the_window(store: Store):
    await counters.increment(store, "w", 100)
    await counters.increment(store, "w", 5000)
    await counters.increment(store, "w", 5000)
    assert 0 < (await store.expires_in("w")) <= 100


async def test_a_passed_window_starts_again_at_one(store: Store):
    assert await counters.increment(store, "e", 1) == 1
    assert await counters.increment(store, "e", 1) == 2
    await asyncio.sleep(1.1)
    assert await counters.count(store, "e") == 0
    assert await counters.increment(store, "e", 900) == 1
    assert 100 < (await store.expires_in("e")) <= 900  # a new window, of the new length


async def test_decrement_gives_back_one_but_never_goes_below_zero(store: Store):
    assert await counters.decrement(store, "never-used") == 0
    assert await counters.count(store, "never-used") == 0
    await counters.increment(store, "d", 100)
    await counters.increment(store, "d", 100)
    await counters.increment(store, "d", 100)
    assert await counters.decrement(store, "d") == 2
    assert 0 < (await store.expires_in("d")) <= 100  # giving back keeps the window
    assert await counters.decrement(store, "d") == 1
    assert await counters.decrement(store, "d") == 0
    assert await counters.decrement(store, "d") == 0
    assert await store.expires_in("d") is None  # back at zero: nothing left behind
    assert await counters.increment(store, "d", 100) == 1


async def test_decrement_does_not_revive_a_passed_window(store: Store):
    await counters.increment(store, "gone", 1)
    await counters.increment(store, "gone", 1)
    await asyncio.sleep(1.1)
    assert await counters.decrement(store, "gone") == 0
    assert await counters.increment(store, "gone", 900) == 1


async def test_concurrent_decrements_stop_at_zero(store: Store):
    for _ in range(10):
        await counters.increment(store, "z", 900)
    left = await asyncio.gather(*(counters.decrement(store, "z") for _ in range(30)))
    assert await counters.count(store, "z") == 0
    assert sorted(left)[-9:] == list(range(1, 10))  # each step down to 1 seen once


async def test_increments_and_decrements_at_once_lose_nothing(store: Store):
    for _ in range(20):
        await counters.increment(store, "mix", 900)
    await asyncio.gather(
        *(counters.increment(store, "mix", 900) for _ in range(30)),
        *(counters.decrement(store, "mix") for _ in range(20)),
    )
    assert await counters.count(store, "mix") == 30


async def test_a_window_is_at_least_a_second(store: Store):
    with pytest.raises(ValueError, match="window"):
        await counters.increment(store, "k", 0)


async def test_a_counter_on_an_expired_row_drops_its_old_value():
    store = DatabaseStore("t")
    await store.set("k", b"old value", expires_in=-5)
    assert await counters.increment(store, "k", 900) == 1
    assert await store.get("k") == b""


async def test_the_sweep_removes_expired_entries_of_every_namespace():
    sessions, quota = DatabaseStore("sessions"), DatabaseStore("quota")
    await sessions.set("ended", b"x", expires_in=-5)
    await sessions.set("live", b"y", expires_in=600)
    await sessions.set("forever", b"z")
    await quota.set("finished", b"", expires_in=-1)
    await counters.increment(quota, "counting", 900)

    assert await delete_expired_entries() == 2
    left = await StoreEntry.select(StoreEntry.key).order_by(StoreEntry.key)
    assert [row["key"] for row in left] == [
        "quota:counting",
        "sessions:forever",
        "sessions:live",
    ]
    assert await delete_expired_entries() == 0
